import { add, fromInt, inv, mul, sub } from './field.ts';
import type { Party } from './party.ts';

// Equality of a shared value with public constants, two ways (issue 7: "seed Algorithm 5 and a faster one").

/**
 * Seed Algorithm 5 (generic equality test): x given as σ shared bits, y public. c' = x_i ⊕ y_i is linear (y public),
 * c = OR of the c' — here as a balanced tree (⌈log₂σ⌉ rounds) rather than the printed sequential loop (σ rounds),
 * same multiplications: σ − 1 per test. Returns [x = y] = 1 − c for every (value, constant) pair, value-major.
 */
export async function equalBitsAlg5(party: Party, xBits: Uint32Array[], ys: number[]): Promise<Uint32Array> {
  const sigma = xBits.length;
  const n = xBits[0]!.length;
  const m = ys.length;
  let level: Uint32Array[] = [];
  for (let k = 0; k < sigma; k++) {
    const col = new Uint32Array(n * m);
    for (let i = 0; i < n; i++) {
      const xb = xBits[k]![i]!;
      for (let u = 0; u < m; u++) col[i * m + u] = (ys[u]! >>> k) & 1 ? sub(1, xb) : xb;
    }
    level.push(col);
  }
  while (level.length > 1) {
    const pairs = Math.floor(level.length / 2);
    const a = new Uint32Array(pairs * n * m);
    const b = new Uint32Array(pairs * n * m);
    for (let t = 0; t < pairs; t++) {
      a.set(level[2 * t]!, t * n * m);
      b.set(level[2 * t + 1]!, t * n * m);
    }
    const ab = await party.mul(a, b);
    const next: Uint32Array[] = [];
    for (let t = 0; t < pairs; t++) {
      const col = new Uint32Array(n * m);
      for (let k = 0; k < n * m; k++) col[k] = sub(add(a[t * n * m + k]!, b[t * n * m + k]!), ab[t * n * m + k]!);
      next.push(col);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  const out = level[0]!;
  for (let k = 0; k < out.length; k++) out[k] = sub(1, out[k]!);
  return out;
}

/**
 * Faster when the value is known to lie in {1..m} (a supplier id): [x = u] = L_u(x), the Lagrange basis polynomial
 * through 1..m. One needs the powers x², …, x^(m−1): m − 2 multiplications per value in ⌈log₂(m−1)⌉ rounds, for all
 * m indicators at once — against m·(σ−1) for Algorithm 5. Returns value-major indicators (n × m).
 */
export async function indicatorsPoly(party: Party, x: Uint32Array, m: number): Promise<Uint32Array> {
  const n = x.length;
  const coef = lagrangeBasis(m); // coef[u][k]: coefficient of x^k in L_{u+1}
  const pw: Uint32Array[] = [new Uint32Array(n).fill(1), x]; // shares of x^0 (public 1) and x^1
  // x^k for k ≥ 2, doubling: round r computes x^(h+1..2h) = x^h · x^(1..h).
  while (pw.length < m) {
    const h = pw.length - 1;
    const top = Math.min(2 * h, m - 1);
    const a: Uint32Array[] = [];
    for (let k = h + 1; k <= top; k++) a.push(pw[k - h]!);
    const flatA = new Uint32Array(a.length * n);
    const flatB = new Uint32Array(a.length * n);
    a.forEach((v, t) => {
      flatA.set(v, t * n);
      flatB.set(pw[h]!, t * n);
    });
    const prod = await party.mul(flatA, flatB);
    for (let t = 0; t < a.length; t++) pw.push(prod.slice(t * n, (t + 1) * n));
  }
  const out = new Uint32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < m; u++) {
      let acc = 0;
      for (let k = 0; k < m; k++) acc = add(acc, mul(coef[u]![k]!, k === 0 ? 1 : pw[k]![i]!));
      out[i * m + u] = acc;
    }
  }
  return out;
}

/** Coefficients (in Z_p) of the Lagrange basis polynomials L_1..L_m through the points 1..m. */
export function lagrangeBasis(m: number): number[][] {
  const out: number[][] = [];
  for (let u = 1; u <= m; u++) {
    let poly = [1]; // Π_{v≠u} (x − v)
    let den = 1;
    for (let v = 1; v <= m; v++) {
      if (v === u) continue;
      const next = new Array<number>(poly.length + 1).fill(0);
      for (let k = 0; k < poly.length; k++) {
        next[k + 1] = add(next[k + 1]!, poly[k]!);
        next[k] = sub(next[k]!, mul(poly[k]!, v));
      }
      poly = next;
      den = mul(den, fromInt(u - v));
    }
    const di = inv(den);
    out.push(poly.map((c) => mul(c, di)));
  }
  return out;
}
