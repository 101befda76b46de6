import type { CompleteMonth } from './month-data.ts';
import { rankMatch } from './matching.ts';
import { hash32, Rng } from './rng.ts';

// The first two countermeasures of seed §5.3.7 applied to one month of complete household data, each returning
// what the adversary then sees (the sums it matches) and the usefulness loss (equation 5.1).
//
// Usefulness (seed §5.3.7, equation 5.1): "the consumption per half-hourly period, aggregated over all users,
// compared to the original half-hourly aggregate" — the relative deviation |Σ_i x − Σ_i x'| / Σ_i x of each
// half hour's aggregate. The same ratio per household over the month (Σ over t instead of i) is kept as a
// second view; the two agree for omitted readings and differ for rounding, where small consumers lose most.

/** Relative deviation element-wise: |a − b| / a, NaN where a is zero (left out of every mean). */
export function deviations(original: Float64Array, published: Float64Array): Float64Array {
  const out = new Float64Array(original.length);
  for (let i = 0; i < original.length; i++) {
    const t = original[i]!;
    out[i] = t > 0 ? Math.abs(t - published[i]!) / t : NaN;
  }
  return out;
}

/** The aggregate over all households of each half hour of the month. */
export function slotAggregate(cm: CompleteMonth): Float64Array {
  const agg = new Float64Array(cm.slots);
  for (let i = 0; i < cm.ids.length; i++) {
    const row = i * cm.slots;
    for (let t = 0; t < cm.slots; t++) agg[t] += cm.values[row + t]!;
  }
  return agg;
}

export interface CountermeasureOutcome {
  /** Households identified by rank matching (seed §5.4.2). */
  identified: number;
  households: number;
  /** Equation 5.1 per half hour of the month: deviation of the aggregate over all households. */
  deviation: Float64Array;
  /** The same per household over the month. */
  householdDeviation: Float64Array;
}

function outcome(cm: CompleteMonth, sums: Float64Array, aggregate: Float64Array, published: Float64Array): CountermeasureOutcome {
  return {
    identified: rankMatch(sums, cm.totals),
    households: cm.ids.length,
    deviation: deviations(aggregate, published),
    householdDeviation: deviations(cm.totals, sums),
  };
}

export type Fill = 'zero' | 'average';

/**
 * Countermeasure 1 (seed §5.3.7): each meter omits k of its readings in the month, at random positions of its
 * own choosing. The adversary fills a gap with zero, or with the average of the nearest reported readings on
 * either side (one side at the month's edge). Sets are nested: the k omitted readings are the first k of one
 * random order per household-month, so a sweep over k changes only k.
 * Cost: O(n · slots) for the order once, then O(n · k · gap) per k.
 * `reported` is what the meters would report before omitting (e.g. rounded readings, to combine countermeasures);
 * matching and deviation are always against the true totals and aggregate of `cm`.
 */
export function missingSweep(
  cm: CompleteMonth,
  ks: number[],
  seed: number,
  reported: CompleteMonth = cm,
): Map<number, Record<Fill, CountermeasureOutcome>> {
  const n = cm.ids.length;
  const { slots } = cm;
  const { values, totals } = reported;
  const kMax = Math.max(0, ...ks);
  const scratch = new Int32Array(slots);
  const orders: Int32Array[] = [];
  for (let i = 0; i < n; i++) orders.push(new Rng(hash32(seed, i, slots, 0x0917)).sample(slots, kMax, scratch));
  const omitted = new Uint8Array(slots);
  const aggregate = slotAggregate(cm);
  const reportedAggregate = reported === cm ? aggregate : slotAggregate(reported);
  const out = new Map<number, Record<Fill, CountermeasureOutcome>>();
  for (const k of ks) {
    const zero = new Float64Array(n);
    const avg = new Float64Array(n);
    const zeroAgg = Float64Array.from(reportedAggregate);
    const avgAgg = Float64Array.from(reportedAggregate);
    for (let i = 0; i < n; i++) {
      const row = i * slots;
      const order = orders[i]!.subarray(0, Math.min(k, slots));
      let dropped = 0;
      for (const s of order) {
        omitted[s] = 1;
        dropped += values[row + s]!;
        zeroAgg[s] -= values[row + s]!;
        avgAgg[s] -= values[row + s]!;
      }
      let filled = 0;
      for (const s of order) {
        let l = s - 1;
        while (l >= 0 && omitted[l]) l--;
        let r = s + 1;
        while (r < slots && omitted[r]) r++;
        const hasL = l >= 0;
        const hasR = r < slots;
        let f = 0;
        if (hasL && hasR) f = (values[row + l]! + values[row + r]!) / 2;
        else if (hasL) f = values[row + l]!;
        else if (hasR) f = values[row + r]!;
        filled += f;
        avgAgg[s] += f;
      }
      for (const s of order) omitted[s] = 0;
      zero[i] = totals[i]! - dropped;
      avg[i] = totals[i]! - dropped + filled;
    }
    out.set(k, { zero: outcome(cm, zero, aggregate, zeroAgg), average: outcome(cm, avg, aggregate, avgAgg) });
  }
  return out;
}

/** Rounds one reading to the nearest multiple of `step` (all in 1e-4 kWh units; halves round up). */
export function roundReading(x: number, step: number): number {
  return Math.floor(x / step + 0.5) * step;
}

/** The rounded monthly sums and half-hourly aggregate for one threshold. O(n · slots). */
export function rounded(cm: CompleteMonth, step: number): { sums: Float64Array; aggregate: Float64Array } {
  const n = cm.ids.length;
  const sums = new Float64Array(n);
  const { slots, values } = cm;
  const aggregate = new Float64Array(slots);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * slots;
    for (let t = 0; t < slots; t++) {
      const q = Math.floor(values[row + t]! / step + 0.5) * step;
      s += q;
      aggregate[t] += q;
    }
    sums[i] = s;
  }
  return { sums, aggregate };
}

/**
 * Countermeasure 2 (seed §5.3.7): every reading is rounded to the nearest multiple of a threshold before it is
 * reported; the adversary rank-matches the sums of the rounded readings to the exact totals.
 */
export function roundingSweep(cm: CompleteMonth, stepsUnits: number[]): Map<number, CountermeasureOutcome> {
  const out = new Map<number, CountermeasureOutcome>();
  const aggregate = slotAggregate(cm);
  for (const step of stepsUnits) {
    const r = rounded(cm, step);
    out.set(step, outcome(cm, r.sums, aggregate, r.aggregate));
  }
  return out;
}

/** The month as meters rounding every reading to `step` would report it (totals = the rounded sums). */
export function roundedMonth(cm: CompleteMonth, step: number): CompleteMonth {
  const values = new Int32Array(cm.values.length);
  for (let i = 0; i < values.length; i++) values[i] = roundReading(cm.values[i]!, step);
  return { ...cm, values, totals: rounded(cm, step).sums };
}
