import { readFileSync } from 'node:fs';

// Loaders for the public vectors (../shared/vectors/sancus.json, made by the Sancus tools and libspongent) and for
// our RTL-simulated vectors (rtl-vectors.json, see README.md in toolchain/sancus).

export interface SancusVector {
  id: string;
  primitive: string;
  [field: string]: unknown;
}

export const sancusVectors: SancusVector[] = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/sancus.json', import.meta.url), 'utf8'),
);

export interface RtlCase {
  kind: 'wrap' | 'unwrap' | 'enable' | 'verify' | 'disable' | 'id';
  cmd: number;
  regs: Record<string, number>;
  mem: { addr: number; hex: string }[];
  smkey: string;
  stale: number;
  expect: { r15: string; hang: boolean; cycles: number; smkey: string; regions: { addr: number; hex: string }[] };
}

export const rtlCases: RtlCase[] = JSON.parse(readFileSync(new URL('./rtl-vectors.json', import.meta.url), 'utf8'));

export const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));
export const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
export const str = (v: SancusVector, k: string): string => {
  const x = v[k];
  if (typeof x !== 'string') throw new Error(`vector ${v.id}: field ${k} is not a string`);
  return x;
};
export const layoutOf = (v: SancusVector) => ({
  textStart: parseInt(str(v, 'text_start'), 16),
  textEnd: parseInt(str(v, 'text_end'), 16),
  dataStart: parseInt(str(v, 'data_start'), 16),
  dataEnd: parseInt(str(v, 'data_end'), 16),
});

/** Deterministic bytes (xorshift32) so the random tests are reproducible. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}
