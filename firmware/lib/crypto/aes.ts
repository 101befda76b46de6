// AES-128 encryption (FIPS 197) for the meter's DLMS/COSEM security suite 0 (Green Book §9.2.3.2: AES-GCM-128).
// Only the forward cipher: GCM and GMAC use AES in counter mode and for H = E_K(0^128), so the inverse cipher
// (and its 256-byte inverse S-box and slower InvMixColumns) is never needed on the meter.
//
// Why byte-oriented with a 256-byte S-box table, not 32-bit T-tables: the MSP430 is a 16-bit CPU without a
// barrel shifter; the T-table form needs 4 KiB of tables (1 KiB with a rotate per lookup, and a 32-bit rotate by
// 8 is two 16-bit words shuffled in software) and its 32-bit XORs cost two instructions each. The byte form
// needs 256 bytes of read-only table, 32 bytes of key and running round key in RAM, and its MixColumns is a few 8-bit XORs
// and doublings — measured in firmware/lib/crypto/README.md. The MSP430 has no data cache, so a table lookup
// indexed by a secret byte takes the same cycles whatever the index (no cache-timing channel as on a PC).
//
// All work happens in fixed static buffers (AES_STATE, AES_KEY, AES_RK): their addresses are compile-time constants,
// so every access is an absolute-address instruction without a bounds check (toolchain/compiler ranges.ts).
import { SBOX } from './tables';
import { rom_u8 } from '../../../toolchain/compiler/lib/hasm';

/** The 16-byte block AES works on in place (column-major: byte 4c + r is row r of column c). */
export const AES_STATE: usize = memory.data(16);
/** The key as aes_key gave it (round key 0), and the round key aes_encrypt derives from it round by round: 32
 *  bytes of RAM in place of the 176 of an expanded key (the meter has 2 KiB for all of DLMS, issue 19 item 5),
 *  for ≈ 1,800 more cycles per block (measured in README.md). */
const AES_KEY: usize = memory.data(16);
const AES_RK: usize = memory.data(16);

@inline function sbox(x: u32): u32 {
  return <u32>rom_u8(SBOX + (x & 0xff)); // (in text: tables.ts)
}

/** Doubling in GF(2^8) mod x^8 + x^4 + x^3 + x + 1, without a branch on the (secret) top bit. */
@inline function xtime(x: u32): u32 {
  return ((x << 1) ^ ((0 - (x >> 7)) & 0x1b)) & 0xff;
}

/** Sets the 16-byte key at `key` for aes_encrypt (its round keys are derived during each encryption). */
export function aes_key(key: usize): void {
  for (let i: usize = 0; i < 16; i++) store<u8>(AES_KEY + i, load<u8>(key + i));
}

/** AES_RK becomes the next round key (FIPS 197 §5.2, Nk = 4): its first word ⊕= SubWord(RotWord(last word)) ⊕
 *  Rcon, then each word ⊕= the word before it. */
function nextKey(rcon: u32): void {
  const k = AES_RK;
  store<u8>(k, <u8>(<u32>load<u8>(k) ^ sbox(<u32>load<u8>(k + 13)) ^ rcon));
  store<u8>(k + 1, <u8>(<u32>load<u8>(k + 1) ^ sbox(<u32>load<u8>(k + 14))));
  store<u8>(k + 2, <u8>(<u32>load<u8>(k + 2) ^ sbox(<u32>load<u8>(k + 15))));
  store<u8>(k + 3, <u8>(<u32>load<u8>(k + 3) ^ sbox(<u32>load<u8>(k + 12))));
  for (let i: usize = 4; i < 16; i++) store<u8>(k + i, load<u8>(k + i) ^ load<u8>(k + i - 4));
}

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

/** MixColumns (unless `last`) and AddRoundKey with the round key in AES_RK. */
function mixAdd(last: bool): void {
  for (let c: usize = 0; c < 16; c += 4) {
    const p = AES_STATE + c;
    const q = AES_RK + c;
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
  for (let i: usize = 0; i < 16; i++) {
    const k = load<u8>(AES_KEY + i);
    store<u8>(AES_RK + i, k);
    store<u8>(AES_STATE + i, load<u8>(AES_STATE + i) ^ k);
  }
  let rcon: u32 = 1;
  for (let r: u32 = 1; r <= 10; r++) {
    subShift();
    nextKey(rcon);
    rcon = xtime(rcon);
    mixAdd(r == 10);
  }
}
