// The prime field Z_p with p = 2^31 - 1 (a Mersenne prime).
// Why this prime: every product of two elements is < 2^62, and splitting one factor into 16-bit halves keeps each
// partial product < 2^47, so plain IEEE doubles compute it exactly and the Mersenne form reduces with one
// multiply-by-2^-31 and one add (no BigInt, no `%`). Shares travel as 4-byte words. Measured in test/bench/mpc.ts.
// Seed §6.6.2 only asks for "a sufficiently large prime M so no overflow occurs": all market quantities here stay
// below 2^30 (bids/README.md states the bounds), which the comparison protocol (compare.ts) needs.

export const P = 2147483647;
const TWO31 = 2147483648;
const INV_TWO31 = 1 / TWO31;

export function add(a: number, b: number): number {
  const s = a + b;
  return s >= P ? s - P : s;
}

export function sub(a: number, b: number): number {
  const s = a - b;
  return s < 0 ? s + P : s;
}

export function neg(a: number): number {
  return a === 0 ? 0 : P - a;
}

export function mul(a: number, b: number): number {
  const bh = b >>> 16;
  const bl = b & 0xffff;
  let t = a * bh; // < 2^47, exact
  let th = Math.floor(t * INV_TWO31);
  t = t - th * TWO31 + th; // ≡ a*bh, < 2^31 + 2^16
  t = t * 65536 + a * bl; // < 2^48, exact
  th = Math.floor(t * INV_TWO31);
  t = t - th * TWO31 + th; // < 2^31 + 2^17
  return t >= P ? t - P : t;
}

export function pow(a: number, e: number): number {
  let r = 1;
  let b = a;
  while (e > 0) {
    if (e & 1) r = mul(r, b);
    b = mul(b, b);
    e = Math.floor(e / 2);
  }
  return r;
}

export function inv(a: number): number {
  if (a === 0) throw new RangeError('field: inverse of 0');
  return pow(a, P - 2);
}

/** Maps a signed integer with |x| < p into the field. */
export function fromInt(x: number): number {
  const r = x % P;
  return r < 0 ? r + P : r;
}

/** The field element as a signed integer in (-p/2, p/2): how a difference or a negative total reads back. */
export function toSigned(a: number): number {
  return a > (P - 1) / 2 ? a - P : a;
}

/** Montgomery's trick: n inverses for the price of one inversion and 3(n-1) multiplications. */
export function batchInv(xs: Uint32Array): Uint32Array {
  const n = xs.length;
  const out = new Uint32Array(n);
  if (n === 0) return out;
  const pre = new Uint32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    pre[i] = acc;
    acc = mul(acc, xs[i]!);
  }
  let invAcc = inv(acc);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = mul(invAcc, pre[i]!);
    invAcc = mul(invAcc, xs[i]!);
  }
  return out;
}

export const INV2 = inv(2);
