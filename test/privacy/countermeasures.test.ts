import { describe, expect, it } from 'vitest';
import { missingSweep, rounded, roundedMonth, roundingSweep, roundReading, slotAggregate } from '../../host/analysis/privacy/countermeasures.ts';
import { month } from './fixtures.ts';

const slots = 48;
/** Household h: a straight line h·100 + 3·t, so the average of the two neighbours is the omitted value. */
const linear = (n: number) =>
  month('2010-01', Array.from({ length: n }, (_, h) => `m${h}`), Array.from({ length: n }, (_, h) => Array.from({ length: slots }, (_, t) => (h + 1) * 100 + 3 * t)));

describe('countermeasure 1: omitted readings', () => {
  it('average filling recovers straight-line data exactly, so everyone is still identified', () => {
    const cm = linear(20);
    const out = missingSweep(cm, [5], 7).get(5)!;
    expect(out.average.identified).toBe(20);
    // Except at the month's edges (one neighbour), the filled value is exact: the deviation is tiny.
    expect(Math.max(...out.average.householdDeviation)).toBeLessThan(0.01);
    // Zero filling removes exactly 5 readings' worth.
    expect(out.zero.householdDeviation.every((d) => d > 0)).toBe(true);
  });
  it('omitting every reading leaves nothing to match and the aggregate deviates by 100 %', () => {
    const cm = linear(10);
    const out = missingSweep(cm, [slots], 1).get(slots)!;
    expect(out.zero.identified).toBe(0);
    expect([...out.zero.deviation].every((d) => d === 1)).toBe(true);
  });
  it('the omitted sets are nested and seeded', () => {
    const cm = linear(30);
    const a = missingSweep(cm, [1, 10], 3);
    const b = missingSweep(cm, [10], 3);
    expect(a.get(10)!.zero.householdDeviation).toEqual(b.get(10)!.zero.householdDeviation);
    const d1 = a.get(1)!.zero.householdDeviation;
    const d10 = a.get(10)!.zero.householdDeviation;
    for (let i = 0; i < 30; i++) expect(d10[i]!).toBeGreaterThan(d1[i]!);
  });
});

describe('combining omitted readings with rounding', () => {
  it('matches the reported (rounded) data against the true totals', () => {
    const cm = linear(12);
    // Rounding to one unit changes nothing: same as omitting alone.
    const alone = missingSweep(cm, [5], 4).get(5)!.average;
    const withUnit = missingSweep(cm, [5], 4, roundedMonth(cm, 1)).get(5)!.average;
    expect(withUnit.identified).toBe(alone.identified);
    expect(withUnit.householdDeviation).toEqual(alone.householdDeviation);
    // Rounding everything to zero first: nothing left to match, the aggregate is gone.
    const gone = missingSweep(cm, [5], 4, roundedMonth(cm, 100_000)).get(5)!.average;
    expect(gone.identified).toBe(0);
    expect([...gone.deviation].every((d) => d === 1)).toBe(true);
  });
});

describe('countermeasure 2: rounding', () => {
  it('rounds to the nearest multiple, halves up', () => {
    expect([roundReading(249, 500), roundReading(250, 500), roundReading(751, 500), roundReading(0, 500)]).toEqual([0, 500, 1000, 0]);
  });
  it('a threshold above twice every reading makes everyone indistinguishable', () => {
    const cm = linear(10);
    const out = roundingSweep(cm, [10_000, 1]).get(10_000)!;
    expect(out.identified).toBe(0);
    expect(rounded(cm, 10_000).sums.every((s) => s === 0)).toBe(true);
    // A threshold of one unit changes nothing.
    expect(roundingSweep(cm, [1]).get(1)!.identified).toBe(10);
  });
  it('equation 5.1 on the half-hourly aggregate', () => {
    // Two households, two slots: readings 1 and 3 in slot 0, 2 and 2 in slot 1; rounding to 2 (halves up): 2+4, 2+2.
    const cm = month('2010-01', ['a', 'b'], [[1, 2], [3, 2]]);
    expect([...slotAggregate(cm)]).toEqual([4, 4]);
    const out = roundingSweep(cm, [2]).get(2)!;
    expect([...out.deviation]).toEqual([0.5, 0]);
    expect([...out.householdDeviation]).toEqual([1 / 3, 1 / 5]);
  });
});
