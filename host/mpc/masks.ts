import { add, sub } from './field.ts';
import { BitPool } from './bits.ts';
import type { Party } from './party.ts';

// Off-line material for comparisons (compare.ts): a uniform r ∈ [0, 2^31) with its 31 bits shared, and, for the
// default `chunked` method, per 4-bit chunk of r the suffix sums of its one-hot encoding:
//   suf_t[v] = [r_t ≥ v] = Σ_{u ≥ v} [r_t = u]      (r_t = chunk t of r, v = 0 … 2^w − 1)
// With c public, [c_t < r_t] = suf_t[c_t + 1] and [c_t = r_t] = suf_t[c_t] − suf_t[c_t + 1] are then table lookups:
// the on-line comparison only combines 8 chunk results (13 multiplications, 3 rounds) instead of a 31-bit prefix-OR
// (75 multiplications, 5 rounds). The one-hot tables come from products of the chunk's bits (11 multiplications per
// 4-bit chunk, 3 rounds, batched) and a Möbius transform (local). This moves work to the off-line phase, which the
// seed's setting allows (§6.7.1 Results: random material "could be executed beforehand").

export const BITS = 31;
export type BitwiseMethod = 'chunked' | 'prefix-or';

/** Chunks of r, least significant first. */
export const CHUNKS: ReadonlyArray<{ off: number; w: number }> = [0, 4, 8, 12, 16, 20, 24, 28].map((off) => ({ off, w: Math.min(4, BITS - off) }));
export const SUF_OFF: number[] = [];
export let SUF_TOTAL = 0;
for (const ch of CHUNKS) {
  SUF_OFF.push(SUF_TOTAL);
  SUF_TOTAL += 1 << ch.w;
}

/** Material for n comparisons. */
export interface MaskBatch {
  n: number;
  /** shares of r */
  r: Uint32Array;
  /** shares of the bits of r, bit k of mask i at i·31 + k */
  bits: Uint32Array;
  /** chunked only: suffix tables, mask i at i·SUF_TOTAL + SUF_OFF[t] + v */
  suf: Uint32Array;
}

export class MaskPool {
  readonly bitPool: BitPool;
  private store: MaskBatch = { n: 0, r: new Uint32Array(0), bits: new Uint32Array(0), suf: new Uint32Array(0) };
  private pos = 0;
  offlineMs = 0;
  offlineCpuMs = 0;
  /** multiplications and rounds spent here (so on-line figures can leave them out) */
  offlineMults = 0;
  offlineRounds = 0;
  produced = 0;

  constructor(
    private readonly party: Party,
    readonly method: BitwiseMethod = 'chunked',
  ) {
    this.bitPool = new BitPool(party);
  }

  get available(): number {
    return this.store.n - this.pos;
  }

  /** Makes at least `count` comparison masks ready (all parties call this identically). */
  async ensure(count: number): Promise<void> {
    const need = count - this.available;
    if (need <= 0) return;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const m0 = this.party.counters.mults;
    const r0 = this.party.counters.rounds;
    const fresh = await this.make(need);
    this.offlineMults += this.party.counters.mults - m0;
    this.offlineRounds += this.party.counters.rounds - r0;
    const rest = this.slice(this.pos, this.store.n);
    this.store = {
      n: rest.n + fresh.n,
      r: cat(rest.r, fresh.r),
      bits: cat(rest.bits, fresh.bits),
      suf: cat(rest.suf, fresh.suf),
    };
    this.pos = 0;
    this.produced += need;
    this.offlineMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    this.offlineCpuMs += (c.user + c.system) / 1000;
  }

  async take(count: number): Promise<MaskBatch> {
    await this.ensure(count);
    const out = this.slice(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  private slice(a: number, b: number): MaskBatch {
    const s = this.store;
    return {
      n: b - a,
      r: s.r.slice(a, b),
      bits: s.bits.slice(a * BITS, b * BITS),
      suf: this.method === 'chunked' ? s.suf.slice(a * SUF_TOTAL, b * SUF_TOTAL) : new Uint32Array(0),
    };
  }

  private async make(n: number): Promise<MaskBatch> {
    const bits = await this.bitPool.take(n * BITS);
    const r = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let k = BITS - 1; k >= 0; k--) v = add(add(v, v), bits[i * BITS + k]!);
      r[i] = v;
    }
    if (this.method !== 'chunked') return { n, r, bits, suf: new Uint32Array(0) };
    // Monomials f[S] = Π_{k∈S} b_k of each chunk, by increasing popcount (one batched round per popcount ≥ 2).
    const f = new Uint32Array(n * SUF_TOTAL);
    for (let i = 0; i < n; i++) {
      CHUNKS.forEach((ch, t) => {
        const base = i * SUF_TOTAL + SUF_OFF[t]!;
        f[base] = 1;
        for (let k = 0; k < ch.w; k++) f[base + (1 << k)] = bits[i * BITS + ch.off + k]!;
      });
    }
    for (let pc = 2; pc <= 4; pc++) {
      // The (chunk, subset) pairs of this popcount, the same for every mask: offsets into one mask's table.
      const tgt: number[] = [];
      const lo: number[] = [];
      const hi: number[] = [];
      CHUNKS.forEach((ch, t) => {
        for (let S = 1; S < 1 << ch.w; S++) {
          if (popcount(S) !== pc) continue;
          const top = 31 - Math.clz32(S);
          tgt.push(SUF_OFF[t]! + S);
          lo.push(SUF_OFF[t]! + (S & ~(1 << top)));
          hi.push(SUF_OFF[t]! + (1 << top));
        }
      });
      const K = tgt.length;
      if (K === 0) continue;
      const xs = new Uint32Array(n * K);
      const ys = new Uint32Array(n * K);
      for (let i = 0, o = 0; i < n; i++) {
        const base = i * SUF_TOTAL;
        for (let j = 0; j < K; j++, o++) {
          xs[o] = f[base + lo[j]!]!;
          ys[o] = f[base + hi[j]!]!;
        }
      }
      const prod = await this.party.mul(xs, ys);
      for (let i = 0, o = 0; i < n; i++) {
        const base = i * SUF_TOTAL;
        for (let j = 0; j < K; j++, o++) f[base + tgt[j]!] = prod[o]!;
      }
    }
    // Möbius: monomials → one-hot indicators [chunk = v]; then suffix sums.
    for (let i = 0; i < n; i++) {
      CHUNKS.forEach((ch, t) => {
        const base = i * SUF_TOTAL + SUF_OFF[t]!;
        const size = 1 << ch.w;
        for (let k = 0; k < ch.w; k++) {
          const bit = 1 << k;
          for (let S = 0; S < size; S++) if (!(S & bit)) f[base + S] = sub(f[base + S]!, f[base + (S | bit)]!);
        }
        for (let v = size - 2; v >= 0; v--) f[base + v] = add(f[base + v]!, f[base + v + 1]!);
      });
    }
    return { n, r, bits, suf: f };
  }
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

function cat(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0) return b;
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

