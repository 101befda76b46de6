import { add, fromInt, inv, mul } from './field.ts';
import type { Party } from './party.ts';
import type { PartyId } from './transport.ts';

// Oblivious shuffle by re-sharing among 2-of-3 subsets (Laur–Willemson–Zhang style).
// For each pair A = {i, j} in turn: i and j turn their Shamir shares into additive shares of the same secrets
// (Lagrange weights for the two points), permute them with π_A — drawn from the pair's PRSS stream, so the third
// party never learns it — and re-share the permuted additive shares to all three on fresh random lines. One round
// per pair, three rounds in all. A single (semi-honest) corrupted party is outside one pair, so the composed
// permutation is uniform and unknown to it. Several columns (the fields of a bid) move together under one
// permutation, so a row stays a row.

const PAIRS: Array<[PartyId, PartyId]> = [
  [1, 2],
  [1, 3],
  [2, 3],
];

/** Shuffles the rows of `cols` (each of length n); returns the new columns of shares. */
export async function shuffle(party: Party, cols: Uint32Array[]): Promise<Uint32Array[]> {
  let cur = cols;
  const n = cols[0]?.length ?? 0;
  const w = cols.length;
  for (const [i, j] of PAIRS) {
    const inPair = party.id === i || party.id === j;
    const outs = new Map<PartyId, Uint32Array>();
    let mineNew: Uint32Array | undefined;
    if (inPair) {
      const other = (party.id === i ? j : i) as PartyId;
      // λ for reconstructing at 0 from points {me, other}: other / (other − me).
      const lam = mul(other, inv(fromInt(other - party.id)));
      const pi = party.pairStream(other).permutation(n);
      const [pa, pb] = party.peers;
      const toA = new Uint32Array(n * w);
      const toB = new Uint32Array(n * w);
      mineNew = new Uint32Array(n * w);
      for (let c = 0; c < w; c++) {
        const col = cur[c]!;
        for (let t = 0; t < n; t++) {
          const u = mul(lam, col[pi[t]!]!);
          const r = party.own.next();
          const k = c * n + t;
          toA[k] = add(u, mul(r, pa));
          toB[k] = add(u, mul(r, pb));
          mineNew[k] = add(u, mul(r, party.id));
        }
      }
      outs.set(pa, toA);
      outs.set(pb, toB);
    }
    const got = await party.exchange(outs);
    const next = mineNew ?? new Uint32Array(n * w);
    for (const peer of party.peers) {
      if (peer !== i && peer !== j) {
        party.expectLength(peer, got.get(peer)!, 0);
        continue;
      }
      const g = party.expectLength(peer, got.get(peer)!, n * w);
      for (let k = 0; k < n * w; k++) next[k] = add(next[k]!, g[k]!);
    }
    cur = [];
    for (let c = 0; c < w; c++) cur.push(next.slice(c * n, (c + 1) * n));
  }
  return cur;
}
