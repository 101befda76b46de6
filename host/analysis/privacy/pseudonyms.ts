import { SLOTS_PER_DAY } from './calendar.ts';
import type { CompleteMonth } from './month-data.ts';

// Countermeasure 3 (seed §5.3.7, §5.4.4): a meter changes pseudonym within the billing month, so the adversary
// holds one partial sum per pseudonym and must find combinations — one partial sum from each part of the month
// — that add up to a billed total. The seed ran this for one month (full population, two pseudonyms) and for
// up to 50 meters (four pseudonyms), "due to the computational complexity". Here:
//
// * Two pseudonyms, full population, every month: sort the first-half sums A and second-half sums B once; for
//   each total T, the pairs with A_j + B_k in [T − tol, T + tol] are counted by two pointers walking A upwards
//   and B downwards (count(≤ hi) − count(< lo)). O(n log n + n²) time per month, O(n) memory — no pair is ever
//   materialised. 6,300 meters: 2 · 6,300² ≈ 8·10⁷ pointer steps per month.
// * Four pseudonyms: meet in the middle — the n² sums of parts 1+2 and of parts 3+4, sorted, then the same
//   two-pointer count per total. O(n² log n + n³) time and O(n²) memory; used on subsets (Figure 5.4).

/** Day-aligned split of the month into `parts` runs of (nearly) equal length; returns per-part sums. With
 *  `roundStep` > 0 each reading is first rounded to that step (a combination with countermeasure 2). */
export function partSums(cm: CompleteMonth, parts: number, roundStep = 0, rows?: ArrayLike<number>): Float64Array[] {
  const days = cm.slots / SLOTS_PER_DAY;
  const bounds = Array.from({ length: parts + 1 }, (_, p) => Math.floor((p * days) / parts) * SLOTS_PER_DAY);
  const idx = rows ?? Array.from({ length: cm.ids.length }, (_, i) => i);
  const out = Array.from({ length: parts }, () => new Float64Array(idx.length));
  for (let r = 0; r < idx.length; r++) {
    const row = idx[r]! * cm.slots;
    for (let p = 0; p < parts; p++) {
      let s = 0;
      for (let t = bounds[p]!; t < bounds[p + 1]!; t++) {
        const x = cm.values[row + t]!;
        s += roundStep > 0 ? Math.floor(x / roundStep + 0.5) * roundStep : x;
      }
      out[p]![r] = s;
    }
  }
  return out;
}

/** Pairs (j, k) of ascending arrays with lo ≤ a[j] + b[k] ≤ hi, in one walk: as a[j] grows, the first and
 *  last admissible k only move down. O(|a| + |b|). */
function countPairsIn(a: Float64Array, b: Float64Array, lo: number, hi: number): number {
  let kHi = b.length - 1; // last k with a[j] + b[k] ≤ hi
  let kLo = b.length - 1; // last k with a[j] + b[k] < lo
  let c = 0;
  for (let j = 0; j < a.length; j++) {
    const aj = a[j]!;
    while (kHi >= 0 && aj + b[kHi]! > hi) kHi--;
    if (kHi < 0) break;
    while (kLo >= 0 && aj + b[kLo]! >= lo) kLo--;
    c += kHi - kLo;
  }
  return c;
}

function sortedCopy(a: Float64Array): Float64Array {
  return Float64Array.from(a).sort();
}

/** All pairwise sums of two arrays, sorted (the "middle" of meet-in-the-middle). */
function pairSums(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length * b.length);
  let o = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[o++] = a[i]! + b[j]!;
  return out.sort();
}

export interface RotationOutcome {
  households: number;
  /** Combinations of partial sums (one per part) that land within tolerance of some household's total. */
  matches: number;
  /** Households whose own combination is among them. */
  correct: number;
  /** Households whose total is hit by exactly one combination, their own: identified beyond doubt. */
  unique: number;
  /** The seed's metric (§5.4.4): correct matches over all matches, 0–100. */
  percent: number;
}

/**
 * Matches combinations of partial sums (2 or 4 parts; household i owns parts[p][i] and totals[i]) against
 * the totals with tolerance `tol` (0 on unmodified data: the sums are exact integers).
 */
export function rotationMatch(parts: Float64Array[], totals: Float64Array, tol = 0): RotationOutcome {
  const n = totals.length;
  let a: Float64Array;
  let b: Float64Array;
  if (parts.length === 2) {
    a = sortedCopy(parts[0]!);
    b = sortedCopy(parts[1]!);
  } else if (parts.length === 4) {
    if (n > 3000) throw new RangeError(`four pseudonyms: ${n} meters needs O(n²) = ${n * n} sums in memory; use a subset`);
    a = pairSums(parts[0]!, parts[1]!);
    b = pairSums(parts[2]!, parts[3]!);
  } else {
    throw new RangeError(`rotationMatch: ${parts.length} parts (2 or 4 supported)`);
  }
  let matches = 0;
  let correct = 0;
  let unique = 0;
  for (let i = 0; i < n; i++) {
    const t = totals[i]!;
    const c = countPairsIn(a, b, t - tol, t + tol);
    let own = 0;
    for (const p of parts) own += p[i]!;
    const hit = Math.abs(own - t) <= tol;
    matches += c;
    if (hit) {
      correct++;
      if (c === 1) unique++;
    }
  }
  return { households: n, matches, correct, unique, percent: matches > 0 ? (100 * correct) / matches : 0 };
}

export interface RotationEstimate {
  households: number;
  /** Estimated number of matching combinations over all totals (Monte Carlo, see below). */
  matches: number;
  /** Relative standard error of that estimate. */
  relativeError: number;
  /** Correct matches over all matches, 0–100 (exact data: every household's own combination matches). */
  percent: number;
}

/**
 * Four pseudonyms on the full population, where even meet-in-the-middle (O(n³)) is out of reach: the sums of
 * parts 3+4 are materialised once and sorted (n² integers: 160 MB at n = 6,300); for each total T the number
 * of combinations hitting it, Σ over (a, b) of #{r : r = T − a − b}, is estimated from `samples` random (a, b)
 * pairs with two binary searches each — an unbiased estimate, O(n² log n + n · samples · log n) time.
 * Requires exact integer data (tolerance 0).
 */
export function estimateFourPseudonyms(parts: Float64Array[], totals: Float64Array, samples: number, rng: { int(n: number): number }): RotationEstimate {
  if (parts.length !== 4) throw new RangeError('estimateFourPseudonyms: four parts expected');
  const n = totals.length;
  const [p0, p1, p2, p3] = parts as [Float64Array, Float64Array, Float64Array, Float64Array];
  const r = new Int32Array(n * n);
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const v = p2[i]! + p3[j]!;
    if (v > 0x7fffffff || !Number.isInteger(v)) throw new RangeError('estimateFourPseudonyms: sums must be integers below 2^31');
    r[o++] = v;
  }
  r.sort();
  const bound = (x: number, upper: boolean) => {
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid]! < x || (upper && r[mid]! === x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let matches = 0;
  let variance = 0;
  const scale = n * n;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let sq = 0;
    for (let s = 0; s < samples; s++) {
      const x = totals[i]! - p0[rng.int(n)]! - p1[rng.int(n)]!;
      const c = x < 0 ? 0 : bound(x, true) - bound(x, false);
      sum += c;
      sq += c * c;
    }
    const mean = sum / samples;
    matches += scale * mean;
    variance += (scale * scale * Math.max(0, sq / samples - mean * mean)) / samples;
  }
  return {
    households: n,
    matches,
    relativeError: matches > 0 ? Math.sqrt(variance) / matches : 0,
    percent: matches > 0 ? (100 * n) / Math.max(matches, n) : 0,
  };
}
