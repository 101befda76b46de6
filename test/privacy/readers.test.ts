import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../toolchain/common/errors.ts';
import { cerDay } from '../../host/analysis/privacy/calendar.ts';
import { readMonths } from '../../host/analysis/privacy/load.ts';
import { completeRows, MISSING, type MonthData } from '../../host/analysis/privacy/month-data.ts';
import { parseCerLine, parseCsvLine, readFile, type BadLine } from '../../host/analysis/privacy/readers.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'privacy-test-'));

async function collect(paths: string[], onBad?: (b: BadLine) => void): Promise<MonthData[]> {
  const out: MonthData[] = [];
  for await (const m of readMonths(paths, { onBad })) out.push(m);
  return out;
}

describe('CER line format', () => {
  it('splits the five-digit code into day and half hour', () => {
    // Day 195 = 14 Jul 2009 (day 1 = 1 Jan 2009), half hour 3 = 01:00–01:30.
    expect(cerDay(2009, 7, 14)).toBe(195);
    expect(parseCerLine('1392 19503 0.14')).toEqual({ meter: '1392', day: 195, slotOfDay: 2, value: 1400 });
    expect(parseCerLine('  1392\t19548   1.2345 ')).toEqual({ meter: '1392', day: 195, slotOfDay: 47, value: 12345 });
  });
  it('names what is wrong with a bad line', () => {
    expect(parseCerLine('1392 19503')).toMatch(/3 fields/);
    expect(parseCerLine('1392 1950 0.1')).toMatch(/five digits/);
    expect(parseCerLine('1392 19551 0.1')).toMatch(/half hour 51/);
    expect(parseCerLine('1392 00001 0.1')).toMatch(/day 0/);
    expect(parseCerLine('1392 19503 -0.1')).toMatch(/non-negative/);
    expect(parseCerLine('1392 19503 abc')).toMatch(/non-negative/);
  });
});

describe('CSV line format', () => {
  it('maps the half-hour start to a slot and skips a header on line 1 only', () => {
    expect(parseCsvLine('meter,timestamp,kwh', 1)).toBeNull();
    expect(parseCsvLine('a7,2009-07-14T00:00,0.5', 2)).toEqual({ meter: 'a7', day: 195, slotOfDay: 0, value: 5000 });
    expect(parseCsvLine('a7,2009-07-14 23:30:00Z,0.0001', 2)).toEqual({ meter: 'a7', day: 195, slotOfDay: 47, value: 1 });
    expect(parseCsvLine('meter,timestamp,kwh', 5)).toMatch(/timestamp/);
  });
  it('rejects times off the half-hour grid and impossible dates', () => {
    expect(parseCsvLine('a,2009-07-14T00:15,0.5', 2)).toMatch(/half-hour boundary/);
    expect(parseCsvLine('a,2009-02-30T00:00,0.5', 2)).toMatch(/valid date/);
    expect(parseCsvLine('a,2009-07-14,0.5', 2)).toMatch(/timestamp/);
    expect(parseCsvLine('a,2009-07-14T00:00', 2)).toMatch(/3 fields/);
  });
});

describe('streamed reading', () => {
  it('reports the first bad line with file and line number', async () => {
    const dir = tmp();
    const f = join(dir, 'data.txt');
    writeFileSync(f, '1000 21301 0.1\n\n1000 21302 0.2\n1000 213xx 0.3\n');
    const seen: number[] = [];
    const err = await readFile(f, (r) => seen.push(r.value)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe(`${f}:4: time code '213xx' is not five digits (3-digit day + 2-digit half hour)`);
    expect((err as InputError).location).toEqual({ file: f, line: 4 });
    expect(seen).toEqual([1000, 2000]);
  });
  it('with onBad, collects every bad line and keeps the good ones', async () => {
    const dir = tmp();
    const f = join(dir, 'data.csv');
    writeFileSync(f, 'meter,timestamp,kwh\nm,2010-01-01T00:00,1\nm,2010-01-01T00:10,1\nm,x,1\nm,2010-01-01T00:30,2\n');
    const bad: BadLine[] = [];
    const seen: number[] = [];
    await readFile(f, (r) => seen.push(r.slotOfDay), { onBad: (b) => bad.push(b) });
    expect(bad.map((b) => b.line)).toEqual([3, 4]);
    expect(seen).toEqual([0, 1]);
  });
  it('a missing file is an InputError naming it', async () => {
    await expect(readFile('/nonexistent/x.txt', () => {})).rejects.toThrow(InputError);
  });
});

describe('months from files in any order', () => {
  // February 2010: days 397..424 (28 days). Meter A complete, meter B missing one reading.
  const feb = cerDay(2010, 2, 1);
  function lines(meter: string, skip?: number): string[] {
    const out: string[] = [];
    for (let d = 0; d < 28; d++) for (let h = 1; h <= 48; h++) {
      const slot = d * 48 + h - 1;
      if (slot === skip) continue;
      out.push(`${meter} ${String((feb + d) * 100 + h).padStart(5, '0')} ${((slot % 7) / 10).toFixed(1)}`);
    }
    return out;
  }
  it('merges files split by meter, reversed, into one complete month', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'File1.txt'), lines('A').reverse().join('\n') + '\n');
    writeFileSync(join(dir, 'File2.txt'), lines('B', 100).join('\n') + '\n1000 21301 0.5\n'); // + one reading in Aug 2009
    const months = await collect([join(dir, 'File1.txt'), join(dir, 'File2.txt')]);
    expect(months.map((m) => `${m.month.year}-${m.month.month}`)).toEqual(['2009-8', '2010-2']);
    const febData = months[1]!;
    expect(febData.meters).toEqual(['A', 'B', '1000']);
    const c = completeRows(febData);
    expect(c.ids).toEqual(['A']);
    let expected = 0;
    for (let s = 0; s < 28 * 48; s++) expected += ((s % 7) / 10) * 10_000;
    expect(c.totals[0]).toBeCloseTo(expected, 6);
    expect(febData.values[febData.slots + 100]).toBe(MISSING);
  });
  it('refuses two readings for the same meter and half hour', async () => {
    const dir = tmp();
    const f = join(dir, 'dup.txt');
    writeFileSync(f, '7 40001 0.1\n7 40002 0.1\n7 40001 0.2\n');
    await expect(collect([f])).rejects.toThrow(/meter 7 has two readings for 2010-02-04 half hour 1/);
  });
  it('folds the clock-change half hours 49–50 into the day\'s last slot', async () => {
    const dir = tmp();
    const f = join(dir, 'dst.txt');
    writeFileSync(f, '7 30148 0.1\n7 30149 0.2\n7 30150 0.3\n');
    const [m] = await collect([f]);
    // Day 301 = 28 Oct 2009: slot (28−1)·48 + 47.
    expect(m!.values[27 * 48 + 47]).toBe(6000);
  });
});
