// The meter's pseudo-random function: PRF(k, d, t) = the first word of Speck64/128_k(d ‖ t) (Beaulieu et al.,
// "The SIMON and SPECK families of lightweight block ciphers", 2013: 27 rounds, 32-bit words, α = 8, β = 3; a
// block cipher under a secret key is a PRF on its block). Used for the pairwise aggregation masks (Kursawe et al.
// 2011, firmware/dc) and the pseudonyms and omissions of seed §5.3.7 (firmware/cs).
// Why not the Sancus crypto unit: its wrap instruction is reserved as the intrinsic `hasm.sancus_wrap` but the
// compiler does not lower it yet (toolchain/compiler/intrinsics.ts: "not implemented"); when it does, this one
// function becomes PRF(k, x) = the tag of wrap(k, ad = x) and nothing else changes. Speck's key schedule runs
// interleaved with the rounds, so a call keeps no round keys (16 key bytes in, 8 bytes of state).

/** Speck64/128 of the block (x, y) under the 16-byte key at `key` (k0, l0, l1, l2 little-endian); returns x and
 *  leaves y in `speckY`. */
export let speckY: u32 = 0;

export function speck64(key: usize, x: u32, y: u32): u32 {
  let k = load<u32>(key);
  let l0 = load<u32>(key, 4);
  let l1 = load<u32>(key, 8);
  let l2 = load<u32>(key, 12);
  for (let i: u32 = 0; ; i++) {
    x = (rotr<u32>(x, 8) + y) ^ k;
    y = rotl<u32>(y, 3) ^ x;
    if (i == 26) break;
    const l = (k + rotr<u32>(l0, 8)) ^ i;
    k = rotl<u32>(k, 3) ^ l;
    l0 = l1;
    l1 = l2;
    l2 = l;
  }
  speckY = y;
  return x;
}

/** PRF(k, domain, t): `domain` separates the uses of one key (masks, pseudonyms, omissions). */
export function prf(key: usize, domain: u32, t: u32): u32 {
  return speck64(key, domain, t);
}
