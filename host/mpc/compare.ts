import { add, mul, sub } from './field.ts';
import type { BitPool } from './bits.ts';
import type { Party } from './party.ts';

// Secure comparison [a < b] for a, b ∈ [0, 2^30), batched.
// Choice (numbers in test/bench/mpc.ts): the LSB method of Nishide–Ohta with one bitwise comparison, perfectly
// (not statistically) hiding. With a, b < p/2, a < b exactly when 2(a − b) mod p is odd, so one least-significant-bit
// extraction suffices. LSB(x): add a random r whose 31 bits are shared, open c = x + r (uniform, reveals nothing),
// then x = c − r + p·[c < r] and, p being odd, LSB(x) = c₀ ⊕ r₀ ⊕ [c < r]. The bitwise [c < r] with c public is the
// first differing bit from the top: a prefix-OR of e_k = c_k ⊕ r_k (Sklansky, 5 rounds, 75 multiplications), and the
// answer is the sum of the first-difference indicators where c_k = 0 — linear, no further multiplication.
// Catrina–de Hoogh (the seed's choice, Table 6.4) needs a statistical mask of k extra bits, so p > 2^(l+k+1): that
// forces a field beyond doubles (BigInt) for l = 30, k = 40; here the field stays 31-bit and no mask is statistical.
// Online cost per comparison: 7 rounds (shared across the batch), 76 multiplications, 1 opening; off-line 31 bits.
// When the outcome is to be opened anyway (the sort), `lessThanOpen` saves the last round (6 rounds, 75 mults).

export const BITS = 31;
export const MAX_COMPARABLE = 2 ** 30; // values must be < p/2

/** Sklansky prefix-OR plan for 31 positions: for each level, pairs (target, source). */
const PLAN: Array<Array<[number, number]>> = (() => {
  const levels: Array<Array<[number, number]>> = [];
  for (let s = 1; s < BITS; s *= 2) {
    const lv: Array<[number, number]> = [];
    for (let bs = 0; bs < BITS; bs += 2 * s) {
      const src = bs + s - 1;
      for (let m = bs + s; m < Math.min(bs + 2 * s, BITS); m++) lv.push([m, src]);
    }
    levels.push(lv);
  }
  return levels;
})();
const PLAN_ARRAYS = PLAN.map((lv) => ({ tgt: Uint8Array.from(lv.map((p) => p[0])), src: Uint8Array.from(lv.map((p) => p[1])) }));

/**
 * Shares of LSB(x) for each x (any field element); with `reveal`, the public bits instead, one round sooner: the
 * last product r₀·w is not re-shared but opened at degree 2, blinded by a pseudo-random sharing of zero of degree 2
 * (party i adds i·[ρ]_i for a PRSS value ρ: the polynomial x·ρ(x) vanishes at 0). The zero sharing's component
 * that a single party cannot compute randomises exactly what the bare product polynomial would have leaked.
 */
export async function lsb(party: Party, pool: BitPool, x: Uint32Array): Promise<Uint32Array>;
export async function lsb(party: Party, pool: BitPool, x: Uint32Array, reveal: true): Promise<Uint8Array>;
export async function lsb(party: Party, pool: BitPool, x: Uint32Array, reveal = false): Promise<Uint32Array | Uint8Array> {
  const n = x.length;
  const bits = await pool.take(n * BITS); // bit k of r_i at i*31 + k
  const masked = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let k = BITS - 1; k >= 0; k--) r = add(add(r, r), bits[i * BITS + k]!);
    masked[i] = add(x[i]!, r);
  }
  const c = await party.open(masked);
  // y[i*31 + m] = e at bit (30 − m): most significant first, so the prefix OR runs left to right.
  const y = new Uint32Array(n * BITS);
  for (let i = 0; i < n; i++) {
    const ci = c[i]!;
    for (let m = 0; m < BITS; m++) {
      const k = BITS - 1 - m;
      const b = bits[i * BITS + k]!;
      y[i * BITS + m] = (ci >>> k) & 1 ? sub(1, b) : b;
    }
  }
  for (const level of PLAN_ARRAYS) {
    const { tgt, src } = level;
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
  // w = [c < r] = Σ over positions where c_k = 0 of (first difference at k) = Y_m − Y_{m−1}.
  const w = new Uint32Array(n);
  const r0 = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const ci = c[i]!;
    let acc = 0;
    let prev = 0;
    for (let m = 0; m < BITS; m++) {
      const cur = y[i * BITS + m]!;
      if (((ci >>> (BITS - 1 - m)) & 1) === 0) acc = add(acc, sub(cur, prev));
      prev = cur;
    }
    w[i] = acc;
    r0[i] = bits[i * BITS]!;
  }
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

/** Shares of [a_i < b_i]; every value must lie in [0, 2^30) (callers guarantee it; see bids.ts bounds). */
export async function lessThan(party: Party, pool: BitPool, a: Uint32Array, b: Uint32Array): Promise<Uint32Array> {
  const n = a.length;
  party.counters.lts += n;
  const x = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const d = sub(a[i]!, b[i]!);
    x[i] = add(d, d);
  }
  return lsb(party, pool, x);
}

/** [a_i < b_i] opened to the evaluators (for shuffle-then-sort, where outcomes may be public). */
export async function lessThanOpen(party: Party, pool: BitPool, a: Uint32Array, b: Uint32Array): Promise<Uint8Array> {
  const n = a.length;
  party.counters.lts += n;
  const x = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const d = sub(a[i]!, b[i]!);
    x[i] = add(d, d);
  }
  return lsb(party, pool, x, true);
}

/** Public bits from opened shares of 0/1 values; anything else means a broken protocol run. */
export function asBits(v: Uint32Array, what: string): Uint8Array {
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (v[i]! > 1) throw new Error(`${what}: opened ${v[i]} where a bit was expected`);
    out[i] = v[i]!;
  }
  return out;
}

