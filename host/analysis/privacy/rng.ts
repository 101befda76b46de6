// Seeded, counter-based randomness: every (seed, household, day) gets its own stream, so the synthetic data
// is the same whatever order or subset of months is generated, and runs are reproducible.

/** 32-bit mix of several integers (murmur3 finaliser over a running hash). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9 ^ parts.length;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Small fast PRNG (mulberry32). Not cryptographic: it only has to be reproducible and well spread. */
export class Rng {
  private state: number;
  private spare = NaN;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Standard normal (Box–Muller, keeping the second value). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** k distinct integers of [0, n) in random order (partial Fisher–Yates over a scratch array). */
  sample(n: number, k: number, scratch?: Int32Array): Int32Array {
    const a = scratch && scratch.length >= n ? scratch : new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    const m = Math.min(k, n);
    const out = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      out[i] = a[i]!;
    }
    return out;
  }
}
