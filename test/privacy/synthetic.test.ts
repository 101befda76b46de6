import { describe, expect, it } from 'vitest';
import { completeRows, MISSING } from '../../host/analysis/privacy/month-data.ts';
import { SyntheticData } from '../../host/analysis/privacy/synthetic.ts';
import { CER_LIKE } from '../../host/analysis/privacy/synthetic-params.ts';

describe('synthetic CER-like data', () => {
  const gen = new SyntheticData({ ...CER_LIKE, households: 300, seed: 5 });
  it('covers 14 Jul 2009 – 31 Dec 2010 at 30-minute resolution', () => {
    const months = gen.months();
    expect(months[0]).toEqual({ year: 2009, month: 7 });
    expect(months.at(-1)).toEqual({ year: 2010, month: 12 });
    expect(months).toHaveLength(18);
    const july = gen.month(months[0]!);
    // Nothing before 14 July: the first 13 days are missing for everyone.
    for (let r = 0; r < july.meters.length; r++) expect(july.values[r * july.slots + 13 * 48 - 1]).toBe(MISSING);
    expect(completeRows(july).ids).toHaveLength(0);
  });
  it('is reproducible per seed and differs across seeds', () => {
    const m = { year: 2010, month: 3 };
    const bytes = (seed: number) => Buffer.from(new SyntheticData({ ...CER_LIKE, households: 300, seed }).month(m).values.buffer);
    const here = Buffer.from(gen.month(m).values.buffer);
    expect(here.equals(bytes(5))).toBe(true);
    expect(here.equals(bytes(6))).toBe(false);
  });
  it('has daily rhythm, winter above summer, and mostly complete household-months', () => {
    const jan = completeRows(gen.month({ year: 2010, month: 1 }));
    const jul = completeRows(gen.month({ year: 2010, month: 7 }));
    const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(jan.totals) / 31).toBeGreaterThan(mean(jul.totals) / 31);
    expect(jan.ids.length / 300).toBeGreaterThan(0.9);
    // Evening (18:00–20:00) above night (02:00–04:00), summed over households and days.
    let night = 0;
    let evening = 0;
    for (let i = 0; i < jan.ids.length; i++) {
      for (let d = 0; d < 31; d++) {
        const b = i * jan.slots + d * 48;
        for (let s = 4; s < 8; s++) night += jan.values[b + s]!;
        for (let s = 36; s < 40; s++) evening += jan.values[b + s]!;
      }
    }
    expect(evening).toBeGreaterThan(1.5 * night);
  });
});
