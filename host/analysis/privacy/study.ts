import { MonthlyAttack, type AttackRow } from './attack.ts';
import { missingSweep, roundedMonth, roundingSweep, type CountermeasureOutcome } from './countermeasures.ts';
import { uniqueTotals } from './matching.ts';
import { completeRows, UNITS_PER_KWH, type CompleteMonth, type MonthData } from './month-data.ts';
import { estimateFourPseudonyms, partSums, rotationMatch, type RotationEstimate } from './pseudonyms.ts';
import { hash32, Rng } from './rng.ts';
import { MonthlyMean, Samples, type Box } from './stats.ts';

// The whole study in one streaming pass over the months: the attack (Table 5.1), the countermeasure sweeps
// (Figures 5.1–5.4), and the summary (Table 5.2). Only the current month is held in memory.

export interface StudyConfig {
  seed: number;
  /** Readings omitted per household-month (seed Figures 5.1/5.2 and Table 5.2 use 1, 21, 51, 141). */
  missingK: number[];
  /** Rounding thresholds in kWh (seed Figure 5.3, Table 5.2: 0.05 and 0.5). */
  roundingKwh: number[];
  /** Subset sizes for Figure 5.4 (two and four pseudonyms); the seed went up to 50 meters. */
  subsetSizes: number[];
  /** Beyond the seed (its future work): rounding thresholds combined with two pseudonyms. */
  combinedRoundingKwh: number[];
  /** Beyond the seed: k omitted readings (neighbour-average fill) on top of rounding, as [k, kWh] pairs. */
  combinedMissingRounding: [number, number][];
  /** Random pairs per total for the four-pseudonym estimate on the first complete month's full population
   *  (0 = skip). */
  fourPseudonymSamples: number;
}

export const DEFAULT_CONFIG: StudyConfig = {
  seed: 1,
  missingK: [1, 2, 5, 11, 21, 51, 101, 141, 201, 301],
  roundingKwh: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 0.7, 1],
  subsetSizes: [5, 10, 20, 30, 40, 50, 100, 200],
  combinedRoundingKwh: [0.005, 0.05],
  combinedMissingRounding: [[11, 0.01], [21, 0.02], [51, 0.05]],
  fourPseudonymSamples: 200,
};

export type Countermeasure =
  | 'none'
  | 'missing-zero'
  | 'missing-average'
  | 'rounding'
  | 'pseudonyms'
  | 'rounding+pseudonyms'
  | 'missing-average+rounding';

export interface SweepPoint {
  countermeasure: Countermeasure;
  /** k readings omitted, the rounding threshold in kWh, or the number of pseudonyms per month. */
  parameter: number;
  identified_percent: number;
  deviation_percent: number;
  /** Box plot of equation 5.1 over every half hour of every month (Figures 5.2, 5.3b). */
  deviation_box?: Box;
  /** For 'missing-average+rounding': the rounding threshold (kWh) under the k omitted readings. */
  rounding_kwh?: number;
  /** Equation 5.1 taken per household over its month instead of per half hour over households. */
  household_deviation_percent?: number;
}

export interface RotationMonth {
  month: string;
  households: number;
  matches: number;
  correct: number;
  unique: number;
  percent: number;
}

export interface StudyResult {
  table_5_1: AttackRow[];
  table_5_2: SweepPoint[];
  sweeps: {
    missing_zero: SweepPoint[];
    missing_average: SweepPoint[];
    rounding: SweepPoint[];
    combined: SweepPoint[];
    /** Two pseudonyms per month, full population, every month. */
    pseudonyms_monthly: RotationMonth[];
    /** Figure 5.4: percent of correct matches for subsets, averaged over months. */
    figure_5_4: { meters: number; two: number; four: number }[];
    /** Four pseudonyms, full population of the first complete month, estimated (pseudonyms.ts). */
    four_pseudonyms_full?: RotationEstimate & { month: string };
  };
  months: number;
  households: number;
  complete_household_months: number;
  timing_s: number;
}

class Series {
  readonly identified = new MonthlyMean();
  readonly deviation = new Samples();
  readonly householdDeviation = new Samples();
  add(o: CountermeasureOutcome): void {
    this.identified.add(o.households ? (100 * o.identified) / o.households : 0);
    this.deviation.add(o.deviation);
    this.householdDeviation.add(o.householdDeviation);
  }
  point(countermeasure: Countermeasure, parameter: number): SweepPoint {
    const box = this.deviation.box();
    const pct = (b: Box): Box => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, 100 * v])) as unknown as Box;
    return {
      countermeasure,
      parameter,
      identified_percent: this.identified.mean(),
      deviation_percent: 100 * this.deviation.mean(),
      deviation_box: pct(box),
      household_deviation_percent: 100 * this.householdDeviation.mean(),
    };
  }
}

export type Progress = (done: number, label: string) => void;

export async function runStudy(
  months: Iterable<MonthData> | AsyncIterable<MonthData>,
  config: StudyConfig = DEFAULT_CONFIG,
  progress?: Progress,
): Promise<StudyResult> {
  const t0 = performance.now();
  const attack = new MonthlyAttack();
  const none = new MonthlyMean();
  const zero = new Map(config.missingK.map((k) => [k, new Series()]));
  const avg = new Map(config.missingK.map((k) => [k, new Series()]));
  const rounding = new Map(config.roundingKwh.map((r) => [r, new Series()]));
  const two = new MonthlyMean();
  const combined = new Map(config.combinedRoundingKwh.map((r) => [r, new MonthlyMean()]));
  const missRound = config.combinedMissingRounding.map(([k, r]) => ({ k, r, series: new Series() }));
  const subsets = new Map(config.subsetSizes.map((m) => [m, { two: new MonthlyMean(), four: new MonthlyMean() }]));
  const rotationMonths: RotationMonth[] = [];
  const meters = new Set<string>();
  let householdMonths = 0;
  let fourFull: (RotationEstimate & { month: string }) | undefined;
  let monthCount = 0;

  for await (const data of months) {
    for (const id of data.meters) meters.add(id);
    const cm = completeRows(data);
    monthCount++;
    progress?.(monthCount, cm.label);
    attack.step(cm);
    if (cm.ids.length < 2) continue;
    householdMonths += cm.ids.length;
    const mSeed = hash32(config.seed, data.month.year, data.month.month);

    // A fresh pseudonym every month (seed §5.4.4 first paragraph): exact matching within the month.
    const u = uniqueTotals(cm.totals);
    none.add((100 * u.reduce((a, b) => a + b, 0)) / cm.ids.length);

    for (const [k, o] of missingSweep(cm, config.missingK, mSeed)) {
      zero.get(k)!.add(o.zero);
      avg.get(k)!.add(o.average);
    }
    for (const [step, o] of roundingSweep(cm, config.roundingKwh.map(toUnits))) rounding.get(fromUnits(step))!.add(o);

    const rot = rotationMatch(partSums(cm, 2), cm.totals);
    two.add(rot.percent);
    rotationMonths.push({ month: cm.label, ...rot });

    for (const r of config.combinedRoundingKwh) {
      const parts = partSums(cm, 2, toUnits(r));
      const err = cm.totals.map((t, i) => Math.abs(t - parts[0]![i]! - parts[1]![i]!));
      // The adversary knows how rounding perturbs sums (it can simulate it on any data) and searches a window
      // holding 95 % of the true combinations.
      const tol = [...err].sort((a, b) => a - b)[Math.floor(0.95 * (err.length - 1))]!;
      combined.get(r)!.add(rotationMatch(parts, cm.totals, tol).percent);
    }

    for (const c of missRound) {
      c.series.add(missingSweep(cm, [c.k], mSeed, roundedMonth(cm, toUnits(c.r))).get(c.k)!.average);
    }

    if (!fourFull && config.fourPseudonymSamples > 0) {
      const est = estimateFourPseudonyms(partSums(cm, 4), cm.totals, config.fourPseudonymSamples, new Rng(hash32(mSeed, 4)));
      fourFull = { month: cm.label, ...est };
    }

    for (const m of config.subsetSizes) {
      if (m > cm.ids.length) continue;
      const rows = new Rng(hash32(mSeed, m, 0x5b5e7)).sample(cm.ids.length, m);
      const totals = Float64Array.from(rows, (r) => cm.totals[r]!);
      const s = subsets.get(m)!;
      s.two.add(rotationMatch(partSums(cm, 2, 0, rows), totals).percent);
      s.four.add(rotationMatch(partSums(cm, 4, 0, rows), totals).percent);
    }
  }

  const sweep = (m: Map<number, Series>, c: Countermeasure) => [...m].map(([p, s]) => s.point(c, p));
  const missing_zero = sweep(zero, 'missing-zero');
  const missing_average = sweep(avg, 'missing-average');
  const roundingPts = sweep(rounding, 'rounding');
  const pick = (pts: SweepPoint[], p: number) => pts.filter((x) => x.parameter === p);
  const combinedPts: SweepPoint[] = config.combinedRoundingKwh.map((r) => ({
    countermeasure: 'rounding+pseudonyms' as Countermeasure,
    parameter: r,
    identified_percent: combined.get(r)!.mean(),
    // Rotation leaves the readings alone, so the published aggregate is that of rounding alone.
    deviation_percent: pick(roundingPts, r)[0]?.deviation_percent ?? NaN,
  }));
  for (const c of missRound) combinedPts.push({ ...c.series.point('missing-average+rounding', c.k), rounding_kwh: c.r });
  const table_5_2: SweepPoint[] = [
    { countermeasure: 'none' as Countermeasure, parameter: 0, identified_percent: none.mean(), deviation_percent: 0 },
    ...pick(missing_zero, 1),
    ...pick(missing_zero, 51),
    ...pick(missing_average, 1),
    ...pick(missing_average, 51),
    ...pick(roundingPts, 0.05),
    ...pick(roundingPts, 0.5),
    { countermeasure: 'pseudonyms' as Countermeasure, parameter: 2, identified_percent: two.mean(), deviation_percent: 0 },
    ...(fourFull ? [{ countermeasure: 'pseudonyms' as Countermeasure, parameter: 4, identified_percent: fourFull.percent, deviation_percent: 0 }] : []),
  ].map(({ deviation_box: _b, household_deviation_percent: _h, ...rest }: SweepPoint) => rest);
  return {
    table_5_1: attack.rows,
    table_5_2,
    sweeps: {
      missing_zero,
      missing_average,
      rounding: roundingPts,
      combined: combinedPts,
      pseudonyms_monthly: rotationMonths,
      figure_5_4: [...subsets].map(([m, s]) => ({ meters: m, two: s.two.mean(), four: s.four.mean() })),
      ...(fourFull ? { four_pseudonyms_full: fourFull } : {}),
    },
    months: monthCount,
    households: meters.size,
    complete_household_months: householdMonths,
    timing_s: (performance.now() - t0) / 1000,
  };
}

const toUnits = (kwh: number) => Math.round(kwh * UNITS_PER_KWH);
const fromUnits = (u: number) => u / UNITS_PER_KWH;

export type { CompleteMonth };
