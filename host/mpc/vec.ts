import { add, mul, sub } from './field.ts';

// Local (communication-free) operations on vectors of shares or public values.

export function vadd(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = add(a[i]!, b[i]!);
  return out;
}

export function vsub(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = sub(a[i]!, b[i]!);
  return out;
}

/** c·a for a public scalar c. */
export function vscale(a: Uint32Array, c: number): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = mul(a[i]!, c);
  return out;
}

/** 1 - a: a public constant minus a share is the constant added to every share (the line keeps its slope). */
export function vOneMinus(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = sub(1, a[i]!);
  return out;
}

export function vsum(a: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = add(s, a[i]!);
  return s;
}

/** Exclusive prefix sums: out[j] = a[0] + … + a[j-1]. */
export function prefixExclusive(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    out[i] = s;
    s = add(s, a[i]!);
  }
  return out;
}

export function gather(a: Uint32Array, idx: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]!]!;
  return out;
}

export function concat(...parts: Uint32Array[]): Uint32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits a vector into consecutive pieces of the given lengths. */
export function split(a: Uint32Array, ...lengths: number[]): Uint32Array[] {
  const out: Uint32Array[] = [];
  let o = 0;
  for (const n of lengths) {
    out.push(a.subarray(o, o + n));
    o += n;
  }
  return out;
}
