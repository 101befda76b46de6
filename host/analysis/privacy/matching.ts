// The adversary's two matching rules (seed §5.3.6 and §5.4.2). Household i owns both sums[i] (its
// pseudonymised half-hourly series, summed) and totals[i] (its billed monthly total); the adversary sees the
// two lists without that pairing.

/** How many values occur exactly once. */
export function uniqueMask(values: ArrayLike<number>): Uint8Array {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i]!, (counts.get(values[i]!) ?? 0) + 1);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = counts.get(values[i]!) === 1 ? 1 : 0;
  return out;
}

/**
 * Exact matching on unmodified data (seed §5.3.6): a total that no other household shares is matched by
 * exactly one sum, so that household is de-pseudonymised. Returns the mask of identified households.
 */
export function uniqueTotals(totals: ArrayLike<number>): Uint8Array {
  return uniqueMask(totals);
}

function orderBy(values: ArrayLike<number>): Int32Array {
  const idx = new Int32Array(values.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => values[a]! - values[b]! || a - b);
}

/**
 * Rank matching (seed §5.4.2): sort the modified sums and the totals, and pair the smallest sum with the
 * smallest total, and so on. A household counts as identified only when its pair is right and neither its
 * sum nor its total is shared with another household — on a tie the adversary cannot tell which is which,
 * so a lucky tie-break is not a success. Returns the number identified. O(n log n).
 */
export function rankMatch(sums: ArrayLike<number>, totals: ArrayLike<number>): number {
  if (sums.length !== totals.length) throw new RangeError('rankMatch: sums and totals differ in length');
  const bySum = orderBy(sums);
  const byTotal = orderBy(totals);
  const uS = uniqueMask(sums);
  const uT = uniqueMask(totals);
  let hits = 0;
  for (let r = 0; r < bySum.length; r++) {
    const h = bySum[r]!;
    if (h === byTotal[r] && uS[h] && uT[h]) hits++;
  }
  return hits;
}
