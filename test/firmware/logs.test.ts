// The three logs (seed §4.5 "Separate logs", §4.4.1 "fill up the logs with less critical events ... an overflow in
// the consumption logs overwrites data in the security logs"), on the emulator and V8 (harness.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModule, Msg, u32le, type Module } from './harness.ts';

const MET = 0, SEC = 1, OFF = 2;
const CAP = [48, 32, 32];
const entry = (kind: number, result: number, aux: number, value: number) => new Msg().u8(kind).u8(result).u16(aux).u32(value).get();

let m: Module;
beforeAll(async () => {
  m = await loadModule('logs');
}, 120_000);

const append = (log: number, e: number[]) => {
  m.write(16, e);
  return m.call('logsAppend', log, e.length);
};
const field = (log: number, i: number, f: number) => m.call('logsField', log, i, f);

describe('logs', () => {
  it('stamps entries with the clock input and reads them newest first', () => {
    m.call('logsTick', 1000);
    expect(append(OFF, entry(16, 0, 0x100, 0))).toBe(1);
    m.call('logsTick', 1005);
    expect(append(OFF, entry(19, 0, 0x200, 0))).toBe(2);
    expect([field(OFF, 0, 0), field(OFF, 0, 1), field(OFF, 1, 0), field(OFF, 1, 1)]).toEqual([1005, 19, 1000, 16]);
    expect(field(OFF, 2, 1)).toBe(-1); // only two entries
    // The clock does not go back: an older tick leaves the time as it was.
    m.call('logsTick', 10);
    append(MET, entry(32, 0, 1, 1234));
    expect(field(MET, 0, 0)).toBe(1005);
    expect(field(MET, 0, 4)).toBe(1234);
  });

  it('refuses malformed entries (not 8 bytes) and unknown logs', () => {
    m.write(16, entry(2, 0, 0, 0));
    expect(m.call('logsAppend', SEC, 7)).toBe(0);
    expect(m.call('logsAppend', 3, 8)).toBe(0);
    expect(field(SEC, 0, 5)).toBe(0);
  });

  it('a flood of security events overwrites only the oldest security entries, never an off-switch entry', () => {
    const offBefore = [0, 1].map((i) => [0, 1, 2, 3, 4].map((f) => field(OFF, i, f)));
    const metBefore = [0, 1, 2, 3, 4].map((f) => field(MET, 0, f));
    for (let k = 0; k < 3 * CAP[SEC]! + 5; k++) append(SEC, entry(4, 3, k, k));
    expect(field(SEC, 0, 5)).toBe(3 * CAP[SEC]! + 5); // every append counted
    expect(field(SEC, 0, 3)).toBe(3 * CAP[SEC]! + 4); // newest
    expect(field(SEC, CAP[SEC]! - 1, 3)).toBe(2 * CAP[SEC]! + 5); // oldest kept: exactly cap entries remain
    expect(field(SEC, CAP[SEC]!, 1)).toBe(-1);
    expect([0, 1].map((i) => [0, 1, 2, 3, 4].map((f) => field(OFF, i, f)))).toEqual(offBefore);
    expect([0, 1, 2, 3, 4].map((f) => field(MET, 0, f))).toEqual(metBefore);
    expect(field(OFF, 0, 5)).toBe(2);
  });

  it('a day of metrology entries wraps within its region; the other two logs are untouched', () => {
    const sec = [0, 1, 2, 3, 4].map((f) => field(SEC, 0, f));
    const off = [0, 1, 2, 3, 4].map((f) => field(OFF, 1, f));
    for (let k = 0; k < 2 * CAP[MET]! + 1; k++) append(MET, entry(32, 0, 1, 100 + k));
    expect(field(MET, 0, 4)).toBe(100 + 2 * CAP[MET]!);
    expect(field(MET, CAP[MET]! - 1, 4)).toBe(100 + CAP[MET]! + 1);
    expect([0, 1, 2, 3, 4].map((f) => field(SEC, 0, f))).toEqual(sec);
    expect([0, 1, 2, 3, 4].map((f) => field(OFF, 1, f))).toEqual(off);
  });

  it('answers a read with [log][found][index][seq][entry]; a missing entry says not found', () => {
    const reply = m.call('t_reply');
    m.call('logsRead', OFF, 1);
    const r = m.read(reply, 20);
    expect([r[0], r[1], r[2], u32le(r, 4), u32le(r, 8), r[12]]).toEqual([OFF, 1, 1, 2, 1000, 16]);
    m.call('logsRead', OFF, 5);
    const n = m.read(reply, 20);
    expect([n[0], n[1], u32le(n, 4), u32le(n, 8)]).toEqual([OFF, 0, 2, 0]);
  });

  it('answers a query by sequence number: [log][0x80 | n][tag][0][first][n entries]; entries not held are zeros', () => {
    const answer = m.call('t_answer');
    const seq = field(SEC, 0, 5); // 3 × 32 + 5 appended, the last 32 held: sequence numbers 70–101
    expect(m.call('logsQuery', SEC, seq - 1, 4, 0x1a7)).toBe(8 + 4 * 12);
    const a = m.read(answer, 56);
    expect([a[0], a[1], a[2], a[3], u32le(a, 4)]).toEqual([SEC, 0x84, 0xa7, 0, seq - 1]); // the query's tag echoed
    // seq - 1 and seq are the two newest (aux = value = k, the k-th of the flood: seq - 1 - 1 and seq - 1); then none
    expect([0, 1, 2, 3].map((j) => [a[8 + 12 * j + 4], u32le(a, 8 + 12 * j + 8)])).toEqual([[4, seq - 2], [4, seq - 1], [0, 0], [0, 0]]);
    m.call('logsQuery', SEC, seq - 32, 2, 0); // one overwritten, then the oldest held (32 held: seq - 31 … seq)
    const o = m.read(answer, 32);
    expect([...o.slice(8, 20)]).toEqual(new Array(12).fill(0));
    expect(u32le(o, 28)).toBe(seq - 32);
    m.call('logsQuery', SEC, 0, 1, 0); // 0 is no sequence number
    expect([...m.read(answer, 20)].slice(8)).toEqual(new Array(12).fill(0));
    expect(m.call('logsQuery', SEC, 1, 9, 0)).toBe(8 + 4 * 12); // at most four per event
    expect(m.call('logsQuery', 3, 1, 1, 0)).toBe(0); // no such log
  });
});
