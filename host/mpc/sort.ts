import { asBits, lessThan } from './compare.ts';
import type { BitPool } from './bits.ts';
import type { Party } from './party.ts';

// Oblivious sort as shuffle-then-sort (Hamada et al., the seed's Table 6.4 "QuickSort"): once the rows are
// obliviously shuffled (shuffle.ts) and every key is unique, the outcomes of comparisons are a function of a uniform
// random permutation only, so they may be opened; a quicksort then spends about 2·n·ln n secure comparisons in
// O(log n) batched levels, instead of the n·log²n of a sorting network. Keys are made unique by the caller
// (key·n + the input index, a secret that moves with the row through the shuffle).

export interface SortStats {
  levels: number;
  comparisons: number;
}

/** The public order that sorts the unique shared keys ascending: sorted[t] = row order[t]. */
export async function quicksortOrder(party: Party, pool: BitPool, key: Uint32Array, stats?: SortStats): Promise<Uint32Array> {
  const n = key.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let segments: Array<[number, number]> = n >= 2 ? [[0, n]] : [];
  while (segments.length > 0) {
    let m = 0;
    for (const [s, e] of segments) m += e - s - 1;
    const a = new Uint32Array(m);
    const b = new Uint32Array(m);
    let k = 0;
    for (const [s, e] of segments) {
      const pivotKey = key[order[s]!]!;
      for (let t = s + 1; t < e; t++) {
        a[k] = key[order[t]!]!;
        b[k] = pivotKey;
        k++;
      }
    }
    const lt = asBits(await party.open(await lessThan(party, pool, a, b)), 'sort comparison');
    if (stats) {
      stats.levels++;
      stats.comparisons += m;
    }
    const next: Array<[number, number]> = [];
    k = 0;
    for (const [s, e] of segments) {
      const pivot = order[s]!;
      const less: number[] = [];
      const more: number[] = [];
      for (let t = s + 1; t < e; t++) (lt[k++] ? less : more).push(order[t]!);
      let o = s;
      for (const x of less) order[o++] = x;
      order[o++] = pivot;
      for (const x of more) order[o++] = x;
      if (less.length >= 2) next.push([s, s + less.length]);
      if (more.length >= 2) next.push([s + less.length + 1, e]);
    }
    segments = next;
  }
  return order;
}
