// AES-GCM and GMAC (NIST SP 800-38D) as DLMS/COSEM security suite 0 uses them (Green Book §9.2.7.2): a 12-byte IV
// = system title (8) ‖ invocation counter (4, big-endian), so J0 = IV ‖ 0x00000001; AAD = SC ‖ AK (‖ the
// information itself for authentication-only); tags sent truncated to their first 12 bytes.
//
// GHASH uses Shoup's tables, a byte at a time: Z = Z·x^8 ⊕ M4[low nibble] ⊕ M[high nibble] with M[n] = n·H and
// M4[n] = n·H·x^4 (2 × 16 multiples of H, 512 bytes of RAM, rebuilt by gcm_key). Why bytes: multiplying by x^8 is
// moving the 16 bytes by one place (the MSP430 has no barrel shifter, so the 4-bit form's shifts by 4 across eight
// words cost 6× more, measured in README.md), and the byte that falls off is folded back in with R8 (two 16-entry
// tables). Field elements are kept in SP 800-38D byte order (bit 0, x^0, is the top bit of byte 0), so
// multiplication by x is a right shift.
// The state is one context in static memory (the meter runs one APDU at a time); the streaming calls are
//   gcm_key(K) — gcm_start(IV) — gcm_aad(...)* — gcm_encrypt(...)* | gcm_ghash(...)* — gcm_tag() / gcm_verify(T, n)
// where each gcm_encrypt/gcm_ghash call but the last must cover a multiple of 16 bytes. gcm_open verifies the tag
// over the ciphertext BEFORE it decrypts anything, so a forged APDU never turns into plaintext in the buffer.
import { R8 } from './tables';
import { rom_u16 } from '../../../toolchain/compiler/lib/hasm';
import { AES_STATE, aes_encrypt, aes_key } from './aes';

/** M[n] = n·H and M4[n] = n·H·x^4 for each nibble n (its top bit the lowest power of x), 16 bytes each. */
const M: usize = memory.data(256, 2);
const M4: usize = memory.data(256, 2);
/** Z, the product being built by gmul. */
const Z: usize = memory.data(16, 2);
/** The GHASH accumulator Y (16 bytes, big-endian byte order as in SP 800-38D). */
const Y: usize = memory.data(16, 2);
/** J0 (IV ‖ 1) for the tag, and the running counter block for CTR. */
const J0: usize = memory.data(16);
const CTR: usize = memory.data(16);
/** The last full 16-byte tag computed by gcm_tag. */
export const GCM_TAG: usize = memory.data(16);


// The message state in 16-bit memory cells, not u32 globals: our compiler keeps a global as two words of unknown
// range, a 16-bit cell as one (issue 19 item 5; DLMS messages are far below 64 KiB).
const CELLS: usize = memory.data(8, 2);
const C_GPOS: usize = CELLS; // bytes of the current GHASH block already absorbed
const C_AAD: usize = CELLS + 2; // AAD bytes so far
const C_CT: usize = CELLS + 4; // ciphertext bytes so far
const C_DATA: usize = CELLS + 6; // 1: past the AAD

/** Y = Y·H (bytes 15 down to 0 of Y, the order of mbed TLS's gcm_mult, two nibbles per step). */
function gmul(): void {
  // (word indices as k << 1: our compiler then knows the address even and needs no parity branch; a byte index
  // counting up and masked: known in range)
  for (let k: usize = 0; k < 8; k++) store<u16>(Z + (k << 1), 0);
  for (let i: usize = 0; i < 16; i++) {
    const x = <u32>load<u8>(Y + ((15 - i) & 15));
    // Z = Z·x^8: bytes move one place towards the end; the last one comes back through R8.
    const rem = <usize>load<u8>(Z + 15);
    store<u8>(Z + 15, load<u8>(Z + 14));
    store<u8>(Z + 14, load<u8>(Z + 13));
    store<u8>(Z + 13, load<u8>(Z + 12));
    store<u8>(Z + 12, load<u8>(Z + 11));
    store<u8>(Z + 11, load<u8>(Z + 10));
    store<u8>(Z + 10, load<u8>(Z + 9));
    store<u8>(Z + 9, load<u8>(Z + 8));
    store<u8>(Z + 8, load<u8>(Z + 7));
    store<u8>(Z + 7, load<u8>(Z + 6));
    store<u8>(Z + 6, load<u8>(Z + 5));
    store<u8>(Z + 5, load<u8>(Z + 4));
    store<u8>(Z + 4, load<u8>(Z + 3));
    store<u8>(Z + 3, load<u8>(Z + 2));
    store<u8>(Z + 2, load<u8>(Z + 1));
    store<u8>(Z + 1, load<u8>(Z));
    store<u8>(Z, 0);
    // Z ⊕= R8[rem] ⊕ M4[low] ⊕ M[high], a 16-bit word at a time (both sides in the same byte order)
    const a = M4 + ((<usize>x & 15) << 4);
    const b = M + ((<usize>x >> 4) << 4);
    // unrolled: constant offsets, no loop counter (the loop form costs 40% more, README.md)
    store<u16>(Z, load<u16>(Z) ^ rom_u16(R8 + ((rem & 15) << 1)) ^ rom_u16(R8 + 32 + ((rem >> 4) << 1)) ^ load<u16>(a) ^ load<u16>(b));
    store<u16>(Z + 2, load<u16>(Z + 2) ^ load<u16>(a, 2) ^ load<u16>(b, 2));
    store<u16>(Z + 4, load<u16>(Z + 4) ^ load<u16>(a, 4) ^ load<u16>(b, 4));
    store<u16>(Z + 6, load<u16>(Z + 6) ^ load<u16>(a, 6) ^ load<u16>(b, 6));
    store<u16>(Z + 8, load<u16>(Z + 8) ^ load<u16>(a, 8) ^ load<u16>(b, 8));
    store<u16>(Z + 10, load<u16>(Z + 10) ^ load<u16>(a, 10) ^ load<u16>(b, 10));
    store<u16>(Z + 12, load<u16>(Z + 12) ^ load<u16>(a, 12) ^ load<u16>(b, 12));
    store<u16>(Z + 14, load<u16>(Z + 14) ^ load<u16>(a, 14) ^ load<u16>(b, 14));
  }
  for (let k: usize = 0; k < 8; k++) store<u16>(Y + (k << 1), load<u16>(Z + (k << 1)));
}

/** d = s·x in GF(2^128) (16 bytes each): a right shift by one bit, R = 0xE1 ‖ 0^120 if a bit falls off. */
function mulx(d: usize, s: usize): void {
  d &= 0xffff;
  s &= 0xffff;
  let carry: u32 = 0;
  for (let k: usize = 0; k < 16; k++) {
    const b = <u32>load<u8>(s + k);
    store<u8>(d + k, <u8>((b >> 1) | carry));
    carry = (b & 1) << 7;
  }
  // the bit shifted out (x^127) comes back as R = 0xE1 ‖ 0^120, without a branch on it
  store<u8>(d, <u8>(<u32>load<u8>(d) ^ ((0 - (carry >> 7)) & 0xe1)));
}

/** Fills a 16-entry table T from T[8] (already set): T[4] = T[8]·x, T[2], T[1], then T[i ⊕ j] = T[i] ⊕ T[j]. */
function fillTable(t: usize): void {
  mulx(t + 64, t + 128);
  mulx(t + 32, t + 64);
  mulx(t + 16, t + 32);
  for (let k: usize = 0; k < 16; k += 2) store<u16>(even(t + k), 0);
  for (let i: usize = 2; i <= 8; i <<= 1) {
    for (let j: usize = 1; j < i; j++) {
      for (let k: usize = 0; k < 16; k += 2) store<u16>(even(t + ((i + j) << 4) + k), load<u16>(even(t + (i << 4) + k)) ^ load<u16>(even(t + (j << 4) + k)));
    }
  }
}

/** An address our compiler sees as even and below 2^16 (M and M4 are 2-aligned): a word access without a parity
 *  branch or a high-word bounds check. */
// @ts-ignore: decorator
@inline function even(p: usize): usize {
  return p & 0xfffe;
}

/** Sets the key: expands it for AES and builds the GHASH table from H = E_K(0^128). */
export function gcm_key(key: usize): void {
  aes_key(key);
  for (let i: usize = 0; i < 16; i++) store<u8>(AES_STATE + i, 0);
  aes_encrypt();
  // M[8] = H (8 = 1000b is x^0, so M[1] = H·x^3); M4[8] = H·x^4 = M[1]·x.
  for (let k: usize = 0; k < 16; k++) store<u8>(M + 128 + k, load<u8>(AES_STATE + k));
  fillTable(M);
  mulx(M4 + 128, M + 16);
  fillTable(M4);
}

/** Starts one message under the current key with the 12-byte IV at `iv`. */
export function gcm_start(iv: usize): void {
  for (let i: usize = 0; i < 12; i++) {
    const b = load<u8>(iv + i);
    store<u8>(J0 + i, b);
    store<u8>(CTR + i, b);
  }
  store<u8>(J0 + 12, 0); store<u8>(J0 + 13, 0); store<u8>(J0 + 14, 0); store<u8>(J0 + 15, 1);
  store<u8>(CTR + 12, 0); store<u8>(CTR + 13, 0); store<u8>(CTR + 14, 0); store<u8>(CTR + 15, 1);
  for (let i: usize = 0; i < 16; i++) store<u8>(Y + i, 0);
  for (let i: usize = 0; i < 8; i += 2) store<u16>(CELLS + i, 0);
}

function absorb(p: usize, n: u32): void {
  p &= 0xffff;
  n &= 0xffff;
  let k = <u32>load<u16>(C_GPOS);
  for (let i: u32 = 0; i < n; i++) {
    store<u8>(Y + k, load<u8>(Y + k) ^ load<u8>(p + i));
    k++;
    if (k == 16) {
      gmul();
      k = 0;
    }
  }
  store<u16>(C_GPOS, <u16>k);
}

function pad(): void {
  if (load<u16>(C_GPOS) != 0) {
    gmul();
    store<u16>(C_GPOS, 0);
  }
}

/** Additional authenticated data (any number of calls, any lengths, before the first data call). */
export function gcm_aad(p: usize, n: u32): void {
  absorb(p, n);
  store<u16>(C_AAD, <u16>(<u32>load<u16>(C_AAD) + n));
}

function dataPhase(): void {
  if (load<u8>(C_DATA) == 0) {
    pad();
    store<u8>(C_DATA, 1);
  }
}

/** XORs the next n bytes of keystream into [p, p + n) (CTR: inc32 of the counter block, SP 800-38D §6.5). */
function ctr(p: usize, n: u32): void {
  p &= 0xffff;
  n &= 0xffff;
  for (let off: u32 = 0; off < n; off += 16) {
    // inc32 on the last 4 bytes, big-endian
    for (let i: usize = 15; i >= 12; i--) {
      const v = <u32>load<u8>(CTR + i) + 1;
      store<u8>(CTR + i, <u8>v);
      if (v < 256) break;
    }
    for (let i: usize = 0; i < 16; i++) store<u8>(AES_STATE + i, load<u8>(CTR + i));
    aes_encrypt();
    const m = n - off < 16 ? n - off : 16;
    for (let i: u32 = 0; i < m; i++) store<u8>(p + off + i, load<u8>(p + off + i) ^ load<u8>(AES_STATE + i));
  }
}

/** Encrypts [p, p + n) in place and absorbs the ciphertext. */
export function gcm_encrypt(p: usize, n: u32): void {
  dataPhase();
  ctr(p, n);
  absorb(p, n);
  store<u16>(C_CT, <u16>(<u32>load<u16>(C_CT) + n));
}

/** Absorbs ciphertext [p, p + n) without decrypting it (the first half of gcm_open). */
export function gcm_ghash(p: usize, n: u32): void {
  dataPhase();
  absorb(p, n);
  store<u16>(C_CT, <u16>(<u32>load<u16>(C_CT) + n));
}

/** Decrypts [p, p + n) in place (CTR only; call after gcm_ghash and a successful gcm_verify). */
export function gcm_decrypt(p: usize, n: u32): void {
  ctr(p, n);
}

/** XORs a byte count in bits (n·8 < 2^19: the low 3 bytes) into the length block at p - 1 … p + 1. */
function xorLength(p: usize, n: u32): void {
  const bits = n << 3;
  store<u8>(p - 1, load<u8>(p - 1) ^ <u8>(bits >> 16));
  store<u8>(p, load<u8>(p) ^ <u8>(bits >> 8));
  store<u8>(p + 1, load<u8>(p + 1) ^ <u8>bits);
}

/** Finishes GHASH with the length block and writes the full 16-byte tag to GCM_TAG. */
export function gcm_tag(): usize {
  pad();
  // len(A) ‖ len(C) in bits, 64-bit big-endian each; our messages are below 2^13 bytes (16-bit cells).
  xorLength(Y + 6, <u32>load<u16>(C_AAD));
  xorLength(Y + 14, <u32>load<u16>(C_CT));
  gmul();
  for (let i: usize = 0; i < 16; i++) store<u8>(AES_STATE + i, load<u8>(J0 + i));
  aes_encrypt();
  for (let i: usize = 0; i < 16; i++) store<u8>(GCM_TAG + i, load<u8>(AES_STATE + i) ^ load<u8>(Y + i));
  return GCM_TAG;
}

/** Constant-time comparison of n bytes: every byte is read whatever the earlier ones were; 1 if equal. */
export function ct_equal(a: usize, b: usize, n: u32): u32 {
  a &= 0xffff;
  b &= 0xffff;
  n &= 0xffff;
  let d: u32 = 0;
  for (let i: u32 = 0; i < n; i++) d |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  // d in 0..255: d + 255 reaches bit 8 exactly when d != 0 (no branch on the secret difference; a shift by 8 is a
  // byte swap on the MSP430, where the former (d - 1) >> 31 took seven one-bit shifts)
  return ((d + 255) >> 8) ^ 1;
}

/** Finishes the tag and compares its first n bytes (12 in DLMS) with [t, t + n), in constant time. */
export function gcm_verify(t: usize, n: u32): u32 {
  return ct_equal(gcm_tag(), t, n);
}

/** Seals [p, p + n) in place; the first `tn` tag bytes go to `tagOut`. IV 12 bytes at `iv`, AAD at [aad, aad + an). */
export function gcm_seal(iv: usize, aad: usize, an: u32, p: usize, n: u32, tagOut: usize, tn: u32): void {
  gcm_start(iv);
  gcm_aad(aad, an);
  gcm_encrypt(p, n);
  const t = gcm_tag();
  for (let i: u32 = 0; i < tn; i++) store<u8>(tagOut + i, load<u8>(t + i));
}

/** Opens [p, p + n) in place if the tn-byte tag at `tag` verifies (1); otherwise leaves the ciphertext (0). */
export function gcm_open(iv: usize, aad: usize, an: u32, p: usize, n: u32, tag: usize, tn: u32): u32 {
  gcm_start(iv);
  gcm_aad(aad, an);
  gcm_ghash(p, n);
  const ok = gcm_verify(tag, tn);
  if (ok) gcm_decrypt(p, n);
  return ok;
}

/** GMAC: the tag over AAD alone (empty plaintext), as HLS mechanism 5 uses it; writes tn bytes to tagOut. */
export function gmac(iv: usize, aad: usize, an: u32, tagOut: usize, tn: u32): void {
  gcm_start(iv);
  gcm_aad(aad, an);
  const t = gcm_tag();
  for (let i: u32 = 0; i < tn; i++) store<u8>(tagOut + i, load<u8>(t + i));
}
