// MeterDriver.logSince (host/meter/driver.ts): a log read back entry by entry while the meter keeps appending
// (time runs while the host waits for each answer) — every entry once, each labelled by its own number.
import { describe, expect, it } from 'vitest';
import { MeterDriver, type LogEntry, type LogName } from '../../host/meter/driver.ts';

/** A driver whose log reads answer from an in-memory log that grows by one entry after the reads listed. */
function fakeDriver(initial: number, appendAfterReads: number[]): MeterDriver {
  let seq = initial;
  let reads = 0;
  const d = Object.create(MeterDriver.prototype) as MeterDriver;
  d.readLog = async (log: LogName, index: number) => {
    reads++;
    const n = seq - index;
    const entry: LogEntry | null = n >= 1 && index < 32 ? { log, seq: n, time: n, kind: 16, result: 0, aux: 0, value: n } : null;
    const answer = { seq, entry };
    if (appendAfterReads.includes(reads)) seq++;
    return answer;
  };
  return d;
}

describe('MeterDriver.logSince', () => {
  it('reads every entry after the given one, oldest first', async () => {
    expect((await fakeDriver(5, []).logSince('offswitch', 2)).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(await fakeDriver(5, []).logSince('offswitch', 5)).toEqual([]);
  });

  it('entries appended between two reads shift the indexes, yet none is skipped or counted twice', async () => {
    // The log holds 1..5 at the first read, then grows to 7: the walk back still meets 4, 3 and 2 once each; 6 and 7
    // are for the next call (the caller's cursor is the newest it got).
    const d = fakeDriver(5, [1, 2]);
    expect((await d.logSince('offswitch', 1)).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect((await d.logSince('offswitch', 5)).map((e) => e.seq)).toEqual([6, 7]);
  });

  it('stops where the bounded log no longer holds older entries', async () => {
    expect((await fakeDriver(40, []).logSince('offswitch', 0)).map((e) => e.seq)).toEqual(Array.from({ length: 32 }, (_, i) => 9 + i));
  });
});
