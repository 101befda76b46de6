// XTEA encryption (Needham & Wheeler 1997), 32 cycles, of 4 blocks: 32-bit shifts, xors and additions.
const KEY: StaticArray<u32> = [0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210];
const V = new StaticArray<u32>(8);

export function bench(): u32 {
  for (let i = 0; i < 8; i++) unchecked(V[i] = (i as u32) * 0x9e3779b1);
  for (let b = 0; b < 8; b += 2) {
    let v0 = unchecked(V[b]), v1 = unchecked(V[b + 1]);
    let sum: u32 = 0;
    for (let r = 0; r < 32; r++) {
      v0 += (((v1 << 4) ^ (v1 >>> 5)) + v1) ^ (sum + unchecked(KEY[sum & 3]));
      sum += 0x9e3779b9;
      v1 += (((v0 << 4) ^ (v0 >>> 5)) + v0) ^ (sum + unchecked(KEY[(sum >>> 11) & 3]));
    }
    unchecked(V[b] = v0);
    unchecked(V[b + 1] = v1);
  }
  let s: u32 = 0;
  for (let i = 0; i < 8; i++) s ^= unchecked(V[i]);
  return s;
}
