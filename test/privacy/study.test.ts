import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, runStudy, type StudyResult, type SweepPoint } from '../../host/analysis/privacy/study.ts';
import { SyntheticData } from '../../host/analysis/privacy/synthetic.ts';
import { CER_LIKE } from '../../host/analysis/privacy/synthetic-params.ts';

// The study on a reduced synthetic set (800 households, all 17 complete months). Fewer households means fewer
// look-alikes, so the adversary does better than at full size; the qualitative shape must hold regardless.
// The full-size check against the seed's numbers is test/bench/privacy.ts.

describe('the study on a reduced synthetic set', async () => {
  const gen = new SyntheticData({ ...CER_LIKE, households: 800, seed: 3 });
  const r: StudyResult = await runStudy(gen.allMonths(), { ...DEFAULT_CONFIG, subsetSizes: [10, 50], seed: 3 });
  const at = (s: SweepPoint[], p: number) => s.find((x) => x.parameter === p)!;

  it('Table 5.1: almost everyone identified in the first complete month, everyone soon after', () => {
    expect(r.table_5_1[0]!.month).toBe('2009-08');
    expect(r.table_5_1).toHaveLength(17);
    expect(r.table_5_1[0]!.percent).toBeGreaterThanOrEqual(99);
    expect(r.table_5_1[0]!.anonymity_set).toBe(r.table_5_1[0]!.total);
    expect(r.table_5_1[3]!.percent).toBeGreaterThanOrEqual(99.8);
    // After the first month the anonymity set is only the leftovers and newcomers.
    expect(r.table_5_1[1]!.anonymity_set).toBeLessThan(r.table_5_1[1]!.total / 10);
  });
  it('omitting readings protects more the more are omitted; average filling helps the adversary', () => {
    const z = r.sweeps.missing_zero;
    const a = r.sweeps.missing_average;
    expect(at(z, 1).identified_percent).toBeLessThan(r.table_5_2[0]!.identified_percent);
    expect(at(z, 51).identified_percent).toBeLessThan(at(z, 1).identified_percent);
    expect(at(z, 301).identified_percent).toBeLessThan(at(z, 51).identified_percent);
    expect(at(a, 51).identified_percent).toBeGreaterThan(at(z, 51).identified_percent);
    // Equation 5.1: dropping k of ~1463 readings loses about k/1463 of the aggregate when filled with zero.
    expect(at(z, 51).deviation_percent).toBeGreaterThan(2.5);
    expect(at(z, 51).deviation_percent).toBeLessThan(4.5);
    expect(at(a, 51).deviation_percent).toBeLessThan(at(z, 51).deviation_percent / 5);
  });
  it('rounding: coarser thresholds identify fewer and deviate more', () => {
    const s = r.sweeps.rounding;
    for (let i = 1; i < s.length; i++) {
      expect(s[i]!.identified_percent).toBeLessThanOrEqual(s[i - 1]!.identified_percent + 0.5);
      expect(s[i]!.deviation_percent).toBeGreaterThanOrEqual(s[i - 1]!.deviation_percent - 0.01);
    }
    expect(at(s, 0.5).identified_percent).toBeLessThan(15);
    expect(at(s, 1).deviation_percent).toBeGreaterThan(at(s, 0.1).deviation_percent);
  });
  it('pseudonym rotation: every household\'s own pair matches; four pseudonyms confuse more than two', () => {
    for (const m of r.sweeps.pseudonyms_monthly) {
      expect(m.correct).toBe(m.households);
      expect(m.matches).toBeGreaterThanOrEqual(m.households);
    }
    const f = r.sweeps.figure_5_4.find((p) => p.meters === 50)!;
    expect(f.four).toBeLessThan(f.two);
    expect(r.table_5_2.map((p) => p.countermeasure)).toEqual([
      'none', 'missing-zero', 'missing-zero', 'missing-average', 'missing-average', 'rounding', 'rounding', 'pseudonyms', 'pseudonyms',
    ]);
    // Four pseudonyms over all 800 meters: far more look-alike combinations than with two.
    const four = r.table_5_2.at(-1)!;
    expect(four.parameter).toBe(4);
    expect(four.identified_percent).toBeLessThan(r.table_5_2.at(-2)!.identified_percent / 10);
  });
  it('combining rounding with rotation protects more than either alone', () => {
    const c = at(r.sweeps.combined, 0.005);
    expect(c.identified_percent).toBeLessThan(at(r.sweeps.rounding, 0.005).identified_percent);
    expect(c.identified_percent).toBeLessThan(r.table_5_2.at(-2)!.identified_percent);
    const mr = r.sweeps.combined.find((p) => p.countermeasure === 'missing-average+rounding' && p.parameter === 51)!;
    expect(mr.rounding_kwh).toBe(0.05);
    expect(mr.identified_percent).toBeLessThan(at(r.sweeps.missing_average, 51).identified_percent);
    expect(mr.identified_percent).toBeLessThan(at(r.sweeps.rounding, 0.05).identified_percent);
  });
});
