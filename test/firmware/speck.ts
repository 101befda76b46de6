// Speck64/128 in TypeScript (Beaulieu et al. 2013), the oracle for firmware/lib/prf.ts: checked on the published
// test vector in prf.test.ts, then used to recompute the meter's masks, pseudonyms and omissions.
const rotr = (x: number, r: number) => ((x >>> r) | (x << (32 - r))) >>> 0;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;

/** key: 16 bytes (k0, l0, l1, l2 little-endian words); returns [x, y]. */
export function speck64(key: Uint8Array, x: number, y: number): [number, number] {
  const w = (o: number) => (key[o]! | (key[o + 1]! << 8) | (key[o + 2]! << 16) | (key[o + 3]! << 24)) >>> 0;
  let k = w(0);
  const l = [w(4), w(8), w(12)];
  for (let i = 0; i < 27; i++) {
    x = ((rotr(x, 8) + y) >>> 0) ^ k;
    x >>>= 0;
    y = (rotl(y, 3) ^ x) >>> 0;
    const nl = (((k + rotr(l[i % 3]!, 8)) >>> 0) ^ i) >>> 0;
    k = (rotl(k, 3) ^ nl) >>> 0;
    l[i % 3] = nl;
  }
  return [x, y];
}

export const prf = (key: Uint8Array, domain: number, t: number): number => speck64(key, domain, t)[0];
