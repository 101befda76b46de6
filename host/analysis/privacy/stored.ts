import { OperationError } from '../../../toolchain/common/errors.ts';
import type { AttackRow } from './attack.ts';
import { uniqueMask } from './matching.ts';

// The de-pseudonymisation attack on what a central system stored (issue 21 item 5; seed §5.3.6, §5.4): the
// adversary holds the half-hourly readings as the meters sent them — under a label per pseudonym, after the meters'
// own countermeasures (rounded values, withheld readings, pseudonyms rotated within the billing period) — and each
// household's billed energy per billing period under its real identity (the attributable registers, §5.3.1). It
// knows the countermeasures' scheme, never their keys. Unlike the month-by-month study this works on whatever
// billing periods the central system read (a few hours of a few emulated meters, too), and infers everything else
// from the readings themselves: where pseudonyms change and which half hours were withheld.
//
// The true identities (label → meter) are used only to score, after the adversary has chosen.

/** One stored reading as the adversary sees it: no meter, a label (its pseudonym). */
export interface LabelledReading {
  label: string;
  /** Start of the half hour (Unix s). */
  t: number;
  wh: number;
}

/** One billing period of one household under its real identity: the registers' difference (whole Wh). */
export interface Bill {
  meter: string;
  from: number;
  to: number;
  wh: number;
}

export interface AttackerView {
  readings: LabelledReading[];
  bills: Bill[];
}

export interface PeriodOutcome {
  /** The period's first half hour as YYYY-MM-DDTHH:MM (UTC). */
  period: string;
  from: number;
  to: number;
  /** Households billed for the period ("total"). */
  households: number;
  /** Of those, not identified in an earlier period ("anonymity set"). */
  anonymity_set: number;
  /** Runs of the period between two pseudonym changes, as inferred from the readings (1: no rotation). */
  parts: number;
  /** Half hours the billed households did not report (withheld readings; a household may withhold all). */
  missing: number;
  /** Newly identified: the adversary's pick for the household is its own and nothing else fits as well. */
  identified: number;
  /** Combinations of labels (one per part) whose sum is within the tolerance of some bill (rotation only). */
  matches: number;
  /** Households whose own combination is among them (rotation only). */
  correct: number;
  /** The seed's metric for rotation (§5.4.4): correct over all matches, 0–100; for one part, identified over the set. */
  seed_percent: number;
}

const HALF_HOUR = 1800;
/** Above this many combinations the brute-force rotation match stops: `hasm privacy study` is for populations. */
const MAX_COMBINATIONS = 50_000_000;

export class TooManyCombinationsError extends OperationError {
  override name = 'TooManyCombinationsError';
}

/** The billing periods: every distinct [from, to) of the bills, in order. */
export function billingPeriods(bills: Bill[]): { from: number; to: number }[] {
  const seen = new Map<string, { from: number; to: number }>();
  for (const b of bills) seen.set(`${b.from}/${b.to}`, { from: b.from, to: b.to });
  return [...seen.values()].sort((a, b) => a.from - b.from || a.to - b.to);
}

interface Series {
  label: string;
  /** Reported readings by half-hour index within the period. */
  slots: Map<number, number>;
  first: number;
  last: number;
}

/**
 * The adversary's estimate of a label's energy over [lo, hi) half-hour indices: reported readings, and for each
 * withheld one the average of the nearest reported readings on either side (one side at an edge) — the seed's
 * better fill (§5.4.2, "missing-average").
 */
function filledSum(s: Series, lo: number, hi: number): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) {
    const v = s.slots.get(i);
    if (v !== undefined) {
      sum += v;
      continue;
    }
    let l = i - 1;
    while (l >= lo && !s.slots.has(l)) l--;
    let r = i + 1;
    while (r < hi && !s.slots.has(r)) r++;
    const left = l >= lo ? s.slots.get(l) : undefined;
    const right = r < hi ? s.slots.get(r) : undefined;
    sum += left !== undefined && right !== undefined ? (left + right) / 2 : (left ?? right ?? 0);
  }
  return sum;
}

/**
 * Where the pseudonyms change: a boundary between half hours i−1 and i is a cut when no label has readings on both
 * sides of it. Rotation epochs are common to all meters (firmware/cs: PRF(k, "pnym", t / 1800 / period)), so every
 * label falls between two consecutive cuts; a withheld reading at a change cannot move a cut, since another label
 * still spans that boundary unless every meter withheld there.
 */
function parts(series: Series[], slots: number): number[] {
  const spans = new Int32Array(slots + 1);
  for (const s of series) {
    spans[s.first + 1]! += 1;
    spans[s.last + 1]! -= 1;
  }
  const bounds = [0];
  let open = 0;
  for (let i = 1; i < slots; i++) {
    open += spans[i]!;
    if (open === 0) bounds.push(i);
  }
  bounds.push(slots);
  return bounds;
}

/** Rank matching (seed §5.4.2) of label sums to bills; a pair counts when right and neither value is shared. */
function rankIdentified(sums: number[], labels: string[], bills: Bill[], truth: (label: string) => string | undefined): Set<string> {
  const bySum = sums.map((_, i) => i).sort((a, b) => sums[a]! - sums[b]! || a - b);
  const byBill = bills.map((_, i) => i).sort((a, b) => bills[a]!.wh - bills[b]!.wh || a - b);
  const uS = uniqueMask(sums);
  const uB = uniqueMask(bills.map((b) => b.wh));
  const found = new Set<string>();
  for (let r = 0; r < Math.min(bySum.length, byBill.length); r++) {
    const l = bySum[r]!;
    const b = byBill[r]!;
    if (uS[l] && uB[b] && truth(labels[l]!) === bills[b]!.meter) found.add(bills[b]!.meter);
  }
  return found;
}

/**
 * Runs the attack on one billing period. `known` holds labels the adversary identified earlier (label → meter); their
 * households leave the anonymity set and their labels and bills leave the matching. `tolerance` (Wh): how far a
 * combination of part sums may be from a bill (the registers are read a moment after the half hour closes).
 */
export function attackPeriod(
  view: AttackerView,
  period: { from: number; to: number },
  truth: (label: string) => string | undefined,
  options: { tolerance?: number; known?: Map<string, string> } = {},
): PeriodOutcome & { newly: Map<string, string> } {
  const tol = options.tolerance ?? 0;
  const known = options.known ?? new Map<string, string>();
  const bills = view.bills.filter((b) => b.from === period.from && b.to === period.to);
  // The registers are read a moment after a half hour closes: the period runs between the nearest half-hour
  // starts. A period opened before the meters' clocks were set (t = 0) begins at the first reading in it.
  const to = Math.round(period.to / HALF_HOUR) * HALF_HOUR;
  const start = Math.round(period.from / HALF_HOUR) * HALF_HOUR;
  const inPeriod = (t: number) => t >= start && t < to;
  let from = start;
  if (period.from === 0) {
    from = to;
    for (const r of view.readings) if (inPeriod(r.t)) from = Math.min(from, r.t);
  }
  const slots = (to - from) / HALF_HOUR;
  const byLabel = new Map<string, Series>();
  for (const r of view.readings) {
    if (!inPeriod(r.t)) continue;
    const i = (r.t - from) / HALF_HOUR;
    let s = byLabel.get(r.label);
    if (!s) byLabel.set(r.label, (s = { label: r.label, slots: new Map(), first: i, last: i }));
    s.slots.set(i, r.wh);
    s.first = Math.min(s.first, i);
    s.last = Math.max(s.last, i);
  }
  const all = [...byLabel.values()];
  // What the adversary already knows: a label it linked before that shows up again takes its household (and the
  // household's bill) out of this period's matching.
  const knownMeters = new Set<string>();
  for (const s of all) if (known.has(s.label)) knownMeters.add(known.get(s.label)!);
  const series = all.filter((s) => !known.has(s.label));
  const anon = bills.filter((b) => !knownMeters.has(b.meter));
  const bounds = parts(all, slots);
  const partOf = (s: Series) => bounds.findIndex((b, k) => k + 1 < bounds.length && s.first >= b && s.last < bounds[k + 1]!);
  const groups: { label: string; sum: number }[][] = Array.from({ length: bounds.length - 1 }, () => []);
  let missing = bills.length * slots;
  for (const s of all) missing -= s.slots.size;
  for (const s of series) {
    const k = partOf(s);
    groups[k]!.push({ label: s.label, sum: filledSum(s, bounds[k]!, bounds[k + 1]!) });
  }
  const nonEmpty = groups.filter((g) => g.length > 0);
  const newly = new Map<string, string>();
  let matches = 0;
  let correct = 0;
  let identified = 0;
  if (nonEmpty.length <= 1) {
    const g = nonEmpty[0] ?? [];
    const found = rankIdentified(g.map((x) => x.sum), g.map((x) => x.label), anon, truth);
    for (const x of g) if (found.has(truth(x.label) ?? '')) newly.set(x.label, truth(x.label)!);
    identified = found.size;
  } else {
    const combos = nonEmpty.reduce((n, g) => n * g.length, 1);
    if (combos > MAX_COMBINATIONS) {
      throw new TooManyCombinationsError(`rotation: ${combos} combinations of pseudonyms in the period from ${iso(period.from)}; this attack enumerates them (a few meters); for populations use hasm privacy study`, { combos });
    }
    const order = anon.map((_, i) => i).sort((x, y) => anon[x]!.wh - anon[y]!.wh);
    const sorted = order.map((i) => anon[i]!.wh);
    const hits = anon.map(() => ({ n: 0, own: false }));
    const pick = new Array<number>(nonEmpty.length).fill(0);
    for (let c = 0; c < combos; c++) {
      let sum = 0;
      let owner: string | undefined = truth(nonEmpty[0]![pick[0]!]!.label);
      for (let p = 0; p < nonEmpty.length; p++) {
        const x = nonEmpty[p]![pick[p]!]!;
        sum += x.sum;
        if (truth(x.label) !== owner) owner = undefined;
      }
      // the bills within [sum − tol, sum + tol]: a binary search, then a walk
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < sum - tol) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo; k < sorted.length && sorted[k]! <= sum + tol; k++) {
        const i = order[k]!;
        matches++;
        hits[i]!.n++;
        if (owner === anon[i]!.meter) hits[i]!.own = true;
      }
      for (let p = 0; p < pick.length; p++) {
        if (++pick[p]! < nonEmpty[p]!.length) break;
        pick[p] = 0;
      }
    }
    hits.forEach((h, i) => {
      if (!h.own) return;
      correct++;
      if (h.n === 1) {
        identified++;
        const meter = anon[i]!.meter;
        for (const g of nonEmpty) for (const x of g) if (truth(x.label) === meter) newly.set(x.label, meter);
      }
    });
  }
  const seed_percent = nonEmpty.length > 1 ? (matches > 0 ? (100 * correct) / matches : 0) : anon.length > 0 ? (100 * identified) / anon.length : 0;
  return {
    period: iso(from),
    from: period.from,
    to: period.to,
    households: bills.length,
    anonymity_set: anon.length,
    parts: Math.max(1, nonEmpty.length),
    missing,
    identified,
    matches,
    correct,
    seed_percent,
    newly,
  };
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 16);
}

/**
 * Table 5.1 over billing periods: each period in order, the labels identified before carried over (a static
 * pseudonym once linked stays linked; a rotated one is new). `month` holds the period's start; `percent` the
 * households identified so far over those billed so far (as attack.ts).
 */
export function storedAttack(view: AttackerView, truth: (label: string) => string | undefined, tolerance = 0): { rows: AttackRow[]; periods: PeriodOutcome[] } {
  const known = new Map<string, string>();
  const identified = new Set<string>();
  const seen = new Set<string>();
  const rows: AttackRow[] = [];
  const periods: PeriodOutcome[] = [];
  for (const p of billingPeriods(view.bills)) {
    const o = attackPeriod(view, p, truth, { tolerance, known });
    for (const b of view.bills) if (b.from === p.from && b.to === p.to) seen.add(b.meter);
    for (const [label, meter] of o.newly) {
      known.set(label, meter);
      identified.add(meter);
    }
    // Households out of the anonymity set were identified before: they count as identified so far.
    const { newly: _, ...outcome } = o;
    periods.push(outcome);
    rows.push({ month: o.period, total: o.households, anonymity_set: o.anonymity_set, identified: o.identified, percent: seen.size ? (100 * identified.size) / seen.size : 0 });
  }
  return { rows, periods };
}
