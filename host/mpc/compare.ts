import { add, mul, sub } from './field.ts';
import { BITS, CHUNKS, SUF_OFF, SUF_TOTAL, type MaskBatch, type MaskPool } from './masks.ts';
import type { Party } from './party.ts';

// Secure comparison [a < b] for a, b ∈ [0, 2^30), batched.
// Choice (numbers in test/bench/mpc.ts): the LSB method of Nishide–Ohta with one bitwise comparison, perfectly
// (not statistically) hiding. With a, b < p/2, a < b exactly when 2(a − b) mod p is odd, so one least-significant-bit
// extraction suffices. LSB(x): add a random r whose 31 bits are shared, open c = x + r (uniform, reveals nothing),
// then x = c − r + p·[c < r] and, p being odd, LSB(x) = c₀ ⊕ r₀ ⊕ [c < r].
// The bitwise [c < r] with c public, two ways (masks.ts makes the off-line material):
//  - `chunked` (default): table lookups per 4-bit chunk of r, then a tree of 8 chunk results —
//    on-line 3 rounds, 13 multiplications; off-line 31 bits + 81 multiplications per comparison;
//  - `prefix-or`: the first differing bit from the top by a Sklansky prefix-OR of e_k = c_k ⊕ r_k —
//    on-line 5 rounds, 75 multiplications; off-line 31 bits. Kept for the benchmark's comparison.
// Catrina–de Hoogh (the seed's choice, Table 6.4) needs a statistical mask of k extra bits, so p > 2^(l+k+1): that
// forces a field beyond doubles (BigInt, ≥ 10× slower per operation, see the benchmark) for l = 30, k = 40; here
// the field stays 31-bit and no mask is statistical.
// The final r₀ ⊕ w is one more multiplication, or — when the outcome is to be opened anyway (the sort,
// `lessThanOpen`) — a degree-2 opening blinded by a pseudo-random zero sharing, one round fewer.

export { BITS };
export const MAX_COMPARABLE = 2 ** 30; // values must be < p/2

/** Sklansky prefix-OR plan for 31 positions: for each level, (target, source) positions. */
const PLAN: Array<{ tgt: Uint8Array; src: Uint8Array }> = (() => {
  const levels: Array<{ tgt: Uint8Array; src: Uint8Array }> = [];
  for (let s = 1; s < BITS; s *= 2) {
    const tgt: number[] = [];
    const src: number[] = [];
    for (let bs = 0; bs < BITS; bs += 2 * s) {
      for (let m = bs + s; m < Math.min(bs + 2 * s, BITS); m++) {
        tgt.push(m);
        src.push(bs + s - 1);
      }
    }
    levels.push({ tgt: Uint8Array.from(tgt), src: Uint8Array.from(src) });
  }
  return levels;
})();

/** Shares of [c_i < r_i] (as integers) by the prefix-OR method. */
async function bitwisePrefixOr(party: Party, c: Uint32Array, m: MaskBatch): Promise<Uint32Array> {
  const n = c.length;
  const bits = m.bits;
  // y[i*31 + j] = e at bit (30 − j): most significant first, so the prefix OR runs left to right.
  const y = new Uint32Array(n * BITS);
  for (let i = 0; i < n; i++) {
    const ci = c[i]!;
    for (let j = 0; j < BITS; j++) {
      const k = BITS - 1 - j;
      const b = bits[i * BITS + k]!;
      y[i * BITS + j] = (ci >>> k) & 1 ? sub(1, b) : b;
    }
  }
  for (const { tgt, src } of PLAN) {
    const L = tgt.length;
    const xs = new Uint32Array(n * L);
    const ys = new Uint32Array(n * L);
    for (let i = 0, base = 0, o = 0; i < n; i++, base += BITS) {
      for (let j = 0; j < L; j++, o++) {
        xs[o] = y[base + tgt[j]!]!;
        ys[o] = y[base + src[j]!]!;
      }
    }
    const prod = await party.mul(xs, ys);
    for (let i = 0, base = 0, o = 0; i < n; i++, base += BITS) {
      for (let j = 0; j < L; j++, o++) y[base + tgt[j]!] = sub(add(xs[o]!, ys[o]!), prod[o]!); // OR
    }
  }
  // w = Σ over positions where c_k = 0 of (first difference at k) = Y_j − Y_{j−1}.
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const ci = c[i]!;
    let acc = 0;
    let prev = 0;
    for (let j = 0; j < BITS; j++) {
      const cur = y[i * BITS + j]!;
      if (((ci >>> (BITS - 1 - j)) & 1) === 0) acc = add(acc, sub(cur, prev));
      prev = cur;
    }
    w[i] = acc;
  }
  return w;
}

/** Shares of [c_i < r_i] by chunk lookups and a comparison tree: (lt, eq) of hi ∘ lo = (lt_hi + eq_hi·lt_lo, eq_hi·eq_lo). */
async function bitwiseChunked(party: Party, c: Uint32Array, m: MaskBatch): Promise<Uint32Array> {
  const n = c.length;
  const T = CHUNKS.length;
  let lt: Uint32Array[] = [];
  let eq: Uint32Array[] = [];
  for (let t = 0; t < T; t++) {
    const { off, w } = CHUNKS[t]!;
    const size = 1 << w;
    const l = new Uint32Array(n);
    const e = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const cv = (c[i]! >>> off) & (size - 1);
      const base = i * SUF_TOTAL + SUF_OFF[t]!;
      const above = cv + 1 < size ? m.suf[base + cv + 1]! : 0; // [r_t > c_t]
      l[i] = above;
      e[i] = sub(m.suf[base + cv]!, above);
    }
    lt.push(l);
    eq.push(e);
  }
  while (lt.length > 1) {
    const pairs = Math.floor(lt.length / 2);
    const last = lt.length === 2; // the root needs lt only
    const per = last ? 1 : 2;
    const xs = new Uint32Array(pairs * per * n);
    const ys = new Uint32Array(pairs * per * n);
    for (let p = 0; p < pairs; p++) {
      const lo = 2 * p;
      const hi = 2 * p + 1;
      xs.set(eq[hi]!, (p * per) * n);
      ys.set(lt[lo]!, (p * per) * n);
      if (!last) {
        xs.set(eq[hi]!, (p * per + 1) * n);
        ys.set(eq[lo]!, (p * per + 1) * n);
      }
    }
    const prod = await party.mul(xs, ys);
    const nlt: Uint32Array[] = [];
    const neq: Uint32Array[] = [];
    for (let p = 0; p < pairs; p++) {
      const hiLt = lt[2 * p + 1]!;
      const l = new Uint32Array(n);
      for (let i = 0; i < n; i++) l[i] = add(hiLt[i]!, prod[p * per * n + i]!);
      nlt.push(l);
      if (!last) neq.push(prod.slice((p * per + 1) * n, (p * per + 2) * n));
    }
    if (lt.length % 2) {
      nlt.push(lt[lt.length - 1]!);
      neq.push(eq[eq.length - 1]!);
    }
    lt = nlt;
    eq = neq;
  }
  return lt[0]!;
}

/**
 * Shares of LSB(x) for each x (any field element); with `reveal`, the public bits instead, one round sooner: the
 * last product r₀·w is not re-shared but opened at degree 2, blinded by a pseudo-random sharing of zero of degree 2
 * (party i adds i·[ρ]_i for a PRSS value ρ: the polynomial x·ρ(x) vanishes at 0). The zero sharing's component
 * that a single party cannot compute randomises exactly what the bare product polynomial would have leaked.
 */
export async function lsb(party: Party, pool: MaskPool, x: Uint32Array): Promise<Uint32Array>;
export async function lsb(party: Party, pool: MaskPool, x: Uint32Array, reveal: true): Promise<Uint8Array>;
export async function lsb(party: Party, pool: MaskPool, x: Uint32Array, reveal = false): Promise<Uint32Array | Uint8Array> {
  const n = x.length;
  const m = await pool.take(n);
  const masked = new Uint32Array(n);
  for (let i = 0; i < n; i++) masked[i] = add(x[i]!, m.r[i]!);
  const c = await party.open(masked);
  const w = pool.method === 'chunked' ? await bitwiseChunked(party, c, m) : await bitwisePrefixOr(party, c, m);
  const r0 = new Uint32Array(n);
  for (let i = 0; i < n; i++) r0[i] = m.bits[i * BITS]!;
  if (reveal) {
    const rho = party.prss(n);
    const h = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const rw = mul(r0[i]!, w[i]!);
      h[i] = add(sub(add(r0[i]!, w[i]!), add(rw, rw)), mul(rho[i]!, party.id)); // degree 2: r₀ ⊕ w + 0
    }
    const e = await party.open(h);
    const bitsOut = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (e[i]! > 1) throw new Error(`comparison: opened ${e[i]} where a bit was expected`);
      bitsOut[i] = (c[i]! & 1) ^ e[i]!;
    }
    return bitsOut;
  }
  const rw = await party.mul(r0, w);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const e = sub(add(r0[i]!, w[i]!), add(rw[i]!, rw[i]!)); // r₀ ⊕ w
    out[i] = c[i]! & 1 ? sub(1, e) : e;
  }
  return out;
}

function doubledDifference(a: Uint32Array, b: Uint32Array): Uint32Array {
  const n = a.length;
  const x = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const d = sub(a[i]!, b[i]!);
    x[i] = add(d, d);
  }
  return x;
}

/** Shares of [a_i < b_i]; every value must lie in [0, 2^30) (callers guarantee it; see bids.ts bounds). */
export async function lessThan(party: Party, pool: MaskPool, a: Uint32Array, b: Uint32Array): Promise<Uint32Array> {
  party.counters.lts += a.length;
  return lsb(party, pool, doubledDifference(a, b));
}

/** [a_i < b_i] opened to the evaluators (for shuffle-then-sort, where outcomes may be public). */
export async function lessThanOpen(party: Party, pool: MaskPool, a: Uint32Array, b: Uint32Array): Promise<Uint8Array> {
  party.counters.lts += a.length;
  return lsb(party, pool, doubledDifference(a, b), true);
}
