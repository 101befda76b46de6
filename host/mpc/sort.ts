import { lessThanOpen } from './compare.ts';
import type { MaskPool } from './masks.ts';
import type { Party } from './party.ts';

// Oblivious sort as shuffle-then-sort (Hamada et al., the seed's Table 6.4 "QuickSort"): once the rows are
// obliviously shuffled (shuffle.ts) and every key is unique, the outcomes of comparisons are a function of a uniform
// random permutation only, so they may be opened; a quicksort then spends O(n log n) secure comparisons in
// O(log n) batched levels (2,500 bids: about 38,000 comparisons in 15 levels with two pivots), instead of the
// n·log²n comparators of a sorting network. Keys are made unique by the caller
// (key·n + the input index, a secret that moves with the row through the shuffle).

export interface SortStats {
  levels: number;
  comparisons: number;
}

/**
 * The public order that sorts the unique shared keys ascending: sorted[t] = row order[t].
 * A quicksort with up to `pivots` pivots per segment: every other element is compared with every pivot (and the
 * pivots with each other) in one batch, so a level splits a segment into pivots+1 buckets. More pivots mean fewer
 * levels (rounds) for somewhat more comparisons; numbers in test/bench/mpc.ts. Pivots are the first elements of a
 * segment: after the shuffle they are random.
 */
export async function quicksortOrder(party: Party, pool: MaskPool, key: Uint32Array, stats?: SortStats, pivots = DEFAULT_PIVOTS): Promise<Uint32Array> {
  const n = key.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let segments: Array<[number, number]> = n >= 2 ? [[0, n]] : [];
  while (segments.length > 0) {
    const a: number[] = [];
    const b: number[] = [];
    for (const [s, e] of segments) {
      const kk = Math.min(pivots, e - s - 1);
      for (let t = s + kk; t < e; t++) for (let j = 0; j < kk; j++) {
        a.push(key[order[t]!]!);
        b.push(key[order[s + j]!]!);
      }
      for (let i = 0; i < kk; i++) for (let j = i + 1; j < kk; j++) {
        a.push(key[order[s + i]!]!);
        b.push(key[order[s + j]!]!);
      }
    }
    const lt = await lessThanOpen(party, pool, Uint32Array.from(a), Uint32Array.from(b));
    if (stats) {
      stats.levels++;
      stats.comparisons += a.length;
    }
    const next: Array<[number, number]> = [];
    let k = 0;
    for (const [s, e] of segments) {
      const kk = Math.min(pivots, e - s - 1);
      const buckets: number[][] = Array.from({ length: kk + 1 }, () => []);
      for (let t = s + kk; t < e; t++) {
        let below = 0; // pivots smaller than this element
        for (let j = 0; j < kk; j++) if (!lt[k++]) below++;
        buckets[below]!.push(order[t]!);
      }
      const rank = new Array<number>(kk).fill(0); // pivots smaller than pivot i
      for (let i = 0; i < kk; i++) for (let j = i + 1; j < kk; j++) {
        if (lt[k++]) rank[j]!++;
        else rank[i]!++;
      }
      const sortedPivots = new Array<number>(kk);
      for (let i = 0; i < kk; i++) sortedPivots[rank[i]!] = order[s + i]!;
      let o = s;
      for (let bkt = 0; bkt <= kk; bkt++) {
        const items = buckets[bkt]!;
        if (items.length >= 2) next.push([o, o + items.length]);
        for (const x of items) order[o++] = x;
        if (bkt < kk) order[o++] = sortedPivots[bkt]!;
      }
    }
    segments = next;
  }
  return order;
}

export const DEFAULT_PIVOTS = 2;
