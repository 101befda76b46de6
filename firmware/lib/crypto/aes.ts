// AES-128 encryption (FIPS 197) for the meter's DLMS/COSEM security suite 0 (Green Book §9.2.3.2: AES-GCM-128).
// Only the forward cipher: GCM and GMAC use AES in counter mode and for H = E_K(0^128), so the inverse cipher
// (and its 256-byte inverse S-box and slower InvMixColumns) is never needed on the meter.
//
// Why byte-oriented with a 256-byte S-box table, not 32-bit T-tables: the MSP430 is a 16-bit CPU without a
// barrel shifter; the T-table form needs 4 KiB of tables (1 KiB with a rotate per lookup, and a 32-bit rotate by
// 8 is two 16-bit words shuffled in software) and its 32-bit XORs cost two instructions each. The byte form
// needs 256 bytes of read-only table, 176 bytes of expanded key in RAM, and its MixColumns is a few 8-bit XORs
// and doublings — measured in firmware/lib/crypto/README.md. The MSP430 has no data cache, so a table lookup
// indexed by a secret byte takes the same cycles whatever the index (no cache-timing channel as on a PC).
//
// All work happens in two fixed static buffers (AES_STATE, AES_RK): their addresses are compile-time constants,
// so every access is an absolute-address instruction without a bounds check (toolchain/compiler ranges.ts).

// prettier-ignore
const SBOX = memory.data<u8>([
  0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
  0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
  0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
  0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
  0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
  0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
  0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
  0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
  0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
  0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
  0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
  0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
  0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
  0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
  0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
  0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
]);

/** The 16-byte block AES works on in place (column-major: byte 4c + r is row r of column c). */
export const AES_STATE: usize = memory.data(16);
/** The expanded key: 11 round keys of 16 bytes. */
export const AES_RK: usize = memory.data(176);

// @ts-ignore: decorator
@inline function sbox(x: u32): u32 {
  return <u32>load<u8>(SBOX + (x & 0xff));
}

/** Doubling in GF(2^8) mod x^8 + x^4 + x^3 + x + 1, without a branch on the (secret) top bit. */
// @ts-ignore: decorator
@inline function xtime(x: u32): u32 {
  return ((x << 1) ^ ((0 - (x >> 7)) & 0x1b)) & 0xff;
}

/** Expands the 16-byte key at `key` into AES_RK (FIPS 197 §5.2, Nk = 4). */
export function aes_key(key: usize): void {
  for (let i: usize = 0; i < 16; i++) store<u8>(AES_RK + i, load<u8>(key + i));
  let rcon: u32 = 1;
  for (let i: usize = 16; i < 176; i += 4) {
    let t0 = <u32>load<u8>(AES_RK + i - 4);
    let t1 = <u32>load<u8>(AES_RK + i - 3);
    let t2 = <u32>load<u8>(AES_RK + i - 2);
    let t3 = <u32>load<u8>(AES_RK + i - 1);
    if ((i & 15) == 0) {
      // RotWord, SubWord, Rcon
      const u = t0;
      t0 = sbox(t1) ^ rcon;
      t1 = sbox(t2);
      t2 = sbox(t3);
      t3 = sbox(u);
      rcon = xtime(rcon);
    }
    store<u8>(AES_RK + i, <u8>(load<u8>(AES_RK + i - 16) ^ t0));
    store<u8>(AES_RK + i + 1, <u8>(load<u8>(AES_RK + i - 15) ^ t1));
    store<u8>(AES_RK + i + 2, <u8>(load<u8>(AES_RK + i - 14) ^ t2));
    store<u8>(AES_RK + i + 3, <u8>(load<u8>(AES_RK + i - 13) ^ t3));
  }
}

// @ts-ignore: decorator
@inline function sub(i: usize): void {
  store<u8>(AES_STATE + i, <u8>sbox(<u32>load<u8>(AES_STATE + i)));
}

/** SubBytes and ShiftRows in one pass: row r rotates left by r. */
function subShift(): void {
  const s = AES_STATE;
  sub(0); sub(4); sub(8); sub(12);
  let t = sbox(<u32>load<u8>(s + 1));
  store<u8>(s + 1, <u8>sbox(<u32>load<u8>(s + 5)));
  store<u8>(s + 5, <u8>sbox(<u32>load<u8>(s + 9)));
  store<u8>(s + 9, <u8>sbox(<u32>load<u8>(s + 13)));
  store<u8>(s + 13, <u8>t);
  t = sbox(<u32>load<u8>(s + 2));
  store<u8>(s + 2, <u8>sbox(<u32>load<u8>(s + 10)));
  store<u8>(s + 10, <u8>t);
  t = sbox(<u32>load<u8>(s + 6));
  store<u8>(s + 6, <u8>sbox(<u32>load<u8>(s + 14)));
  store<u8>(s + 14, <u8>t);
  t = sbox(<u32>load<u8>(s + 15));
  store<u8>(s + 15, <u8>sbox(<u32>load<u8>(s + 11)));
  store<u8>(s + 11, <u8>sbox(<u32>load<u8>(s + 7)));
  store<u8>(s + 7, <u8>sbox(<u32>load<u8>(s + 3)));
  store<u8>(s + 3, <u8>t);
}

/** MixColumns (unless `last`) and AddRoundKey with round key `k` (an offset into AES_RK). */
function mixAdd(k: usize, last: bool): void {
  for (let c: usize = 0; c < 16; c += 4) {
    const p = AES_STATE + c;
    const q = AES_RK + k + c;
    let a0 = <u32>load<u8>(p);
    let a1 = <u32>load<u8>(p, 1);
    let a2 = <u32>load<u8>(p, 2);
    let a3 = <u32>load<u8>(p, 3);
    if (!last) {
      // FIPS 197 §5.1.3 in the xtime form: b_i = a_i ⊕ t ⊕ 2·(a_i ⊕ a_{i+1}), t = a0 ⊕ a1 ⊕ a2 ⊕ a3.
      const t = a0 ^ a1 ^ a2 ^ a3;
      const b0 = a0 ^ t ^ xtime(a0 ^ a1);
      const b1 = a1 ^ t ^ xtime(a1 ^ a2);
      const b2 = a2 ^ t ^ xtime(a2 ^ a3);
      a3 = a3 ^ t ^ xtime(a3 ^ a0);
      a0 = b0;
      a1 = b1;
      a2 = b2;
    }
    store<u8>(p, <u8>(a0 ^ <u32>load<u8>(q)));
    store<u8>(p, <u8>(a1 ^ <u32>load<u8>(q, 1)), 1);
    store<u8>(p, <u8>(a2 ^ <u32>load<u8>(q, 2)), 2);
    store<u8>(p, <u8>(a3 ^ <u32>load<u8>(q, 3)), 3);
  }
}

/** Encrypts AES_STATE in place under the key last given to aes_key (FIPS 197 §5.1, Nr = 10). */
export function aes_encrypt(): void {
  for (let i: usize = 0; i < 16; i++) store<u8>(AES_STATE + i, load<u8>(AES_STATE + i) ^ load<u8>(AES_RK + i));
  for (let r: usize = 16; r < 160; r += 16) {
    subShift();
    mixAdd(r, false);
  }
  subShift();
  mixAdd(160, true);
}
