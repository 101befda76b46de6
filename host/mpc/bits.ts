import { add, batchInv, INV2, mul } from './field.ts';
import type { Party } from './party.ts';

// Shared random bits, made ahead of use (the seed's "off-line phase", §6.7.1 Results).
// Method (Damgård et al., the seed's Table 6.4 "Random Bit Generation"): take a PRSS-shared uniform a (no messages),
// open a² (one round, each party sends its degree-2 point), let s be the square root a²^((p+1)/4) — for
// p = 2^31-1 that is 29 squarings — then (a/s + 1)/2 is 0 or 1, uniform and unknown to any single evaluator.
// All three parties pick the same root because s is computed from the public a², so their bits agree.

const SQRT_SQUARINGS = 29; // (p + 1) / 4 = 2^29

export class BitPool {
  private bits = new Uint32Array(0);
  private pos = 0;
  /** Wall-clock milliseconds spent producing bits (reported as off-line time). */
  offlineMs = 0;
  /** Process CPU milliseconds in the same spans (meaningful when the party has its own process). */
  offlineCpuMs = 0;
  produced = 0;

  constructor(private readonly party: Party) {}

  get available(): number {
    return this.bits.length - this.pos;
  }

  /** Makes sure at least `count` bits are ready (all parties call this with the same count, in the same order). */
  async ensure(count: number): Promise<void> {
    const need = count - this.available;
    if (need <= 0) return;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const fresh = await randomBits(this.party, need);
    const rest = this.bits.subarray(this.pos);
    const all = new Uint32Array(rest.length + fresh.length);
    all.set(rest);
    all.set(fresh, rest.length);
    this.bits = all;
    this.pos = 0;
    this.produced += fresh.length;
    this.offlineMs += performance.now() - t0;
    const c = process.cpuUsage(c0);
    this.offlineCpuMs += (c.user + c.system) / 1000;
  }

  async take(count: number): Promise<Uint32Array> {
    await this.ensure(count);
    const out = this.bits.slice(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }
}

/** Exactly n shared random bits (one round per attempt; a zero a² — probability 2^-31 each — is skipped). */
export async function randomBits(party: Party, n: number): Promise<Uint32Array> {
  const out = new Uint32Array(n);
  let filled = 0;
  while (filled < n) {
    const m = n - filled + 8;
    const a = party.prss(m);
    const sq = new Uint32Array(m);
    for (let i = 0; i < m; i++) sq[i] = mul(a[i]!, a[i]!);
    const v = await party.open(sq);
    const roots = new Uint32Array(m);
    for (let i = 0; i < m; i++) {
      let s = v[i]!;
      for (let k = 0; k < SQRT_SQUARINGS; k++) s = mul(s, s);
      roots[i] = s === 0 ? 1 : s;
    }
    const invRoots = batchInv(roots);
    for (let i = 0; i < m && filled < n; i++) {
      if (v[i] === 0) continue;
      out[filled++] = mul(add(mul(a[i]!, invRoots[i]!), 1), INV2);
    }
  }
  return out;
}
