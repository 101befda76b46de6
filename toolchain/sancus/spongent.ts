// The 176-bit SPONGENT permutation π_b of SPONGENT-160/160/16: the permutation under every Sancus key, MAC and
// wrap at the default SECURITY = 64 (../shared/research/sancus.md §2.1: smallest width ≥ 2·64 + 18 is 176).
//
// One round (sancus-core core/rtl/verilog/crypto/spongent_datapath.v, spongent_player.v, lfsr.v):
//   1. the 7-bit round counter is XORed into state bits 0..6 and its bit-reverse into bits 169..175
//      (bit 175 gets counter bit 0);
//   2. the 4-bit S-box on every nibble;
//   3. the bit permutation P(i) = i·44 mod 175 for i < 175, bit 175 fixed.
// The counter is an LFSR (x^7 + x^6 + 1: feedback = bit 6 ⊕ bit 5, shifted in at bit 0) starting at 0x45; the
// core stops when it reaches all ones, which is exactly 90 rounds.
//
// Speed: steps 2 and 3 are linear in the S-box outputs, so they fold into one table per state byte: T[k][v] is
// P(S(v placed at byte k)) as six 32-bit words. A round is then 22 lookups of 6 words each. No secret-dependent
// branches; the table lookups are secret-indexed (cache timing), which is acceptable for a host tool and an emulator
// but would not be for a device holding keys.

import { wasmPermutation } from './spongent-wasm.ts';

/** State width in bits and bytes. State bit k = bit (k mod 8) of byte ⌊k/8⌋ (sancus.json `what`). */
export const SPONGENT_BITS = 176;
export const SPONGENT_BYTES = 22;
/** 32-bit words holding the state: word j = bytes 4j..4j+3 little-endian (the last word uses 16 bits). */
export const SPONGENT_WORDS = 6;
export const SPONGENT_ROUNDS = 90;

const SBOX = [0xe, 0xd, 0xb, 0x0, 0x2, 0x1, 0x4, 0xf, 0x7, 0xa, 0x8, 0x5, 0x9, 0xc, 0x3, 0x6];

/** Bit permutation of SPONGENT: where input bit i goes. */
function pLayer(i: number): number {
  return i === SPONGENT_BITS - 1 ? i : (i * (SPONGENT_BITS / 4)) % (SPONGENT_BITS - 1);
}

/** TABLE[(k·256 + v)·6 + j] = word j of P(S(byte v at byte position k)). */
const TABLE = buildTable();
/** Per round: low constant (XOR into word 0) and high constant (XOR into word 5, bits 169..175 → bits 9..15). */
const ROUND_LO = new Uint32Array(SPONGENT_ROUNDS);
const ROUND_HI = new Uint32Array(SPONGENT_ROUNDS);
buildRoundConstants();

function buildTable(): Int32Array {
  const t = new Int32Array(SPONGENT_BYTES * 256 * SPONGENT_WORDS);
  for (let k = 0; k < SPONGENT_BYTES; k++) {
    for (let v = 0; v < 256; v++) {
      const s = SBOX[v & 15]! | (SBOX[v >> 4]! << 4);
      const base = (k * 256 + v) * SPONGENT_WORDS;
      for (let b = 0; b < 8; b++) {
        if (((s >> b) & 1) === 0) continue;
        const to = pLayer(8 * k + b);
        t[base + (to >> 5)]! |= 1 << (to & 31);
      }
    }
  }
  return t;
}

function buildRoundConstants(): void {
  let lfsr = 0x45;
  for (let r = 0; r < SPONGENT_ROUNDS; r++) {
    let rev = 0;
    for (let b = 0; b < 7; b++) if ((lfsr >> b) & 1) rev |= 1 << (6 - b);
    ROUND_LO[r] = lfsr;
    ROUND_HI[r] = rev << 9; // bit 169 + b of the state = bit 9 + b of word 5
    lfsr = ((lfsr << 1) | (((lfsr >> 6) ^ (lfsr >> 5)) & 1)) & 0x7f;
  }
  // The hardware ends when the counter is all ones (spongent_fsm.v ROUNDS → IDLE on lfsr_all_1).
  if (lfsr !== 0x7f) throw new Error('spongent: round counter does not reach all ones after 90 rounds');
}

// Scratch state viewed both as words (for the XORs) and as bytes (for the lookups). Byte k of the view is byte k
// of the state only on a little-endian host; checked once below.
const SCRATCH = new Int32Array(SPONGENT_WORDS); // signed: XOR results stay small integers in V8
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer);
SCRATCH[0] = 0x04030201;
if (SCRATCH_BYTES[0] !== 1) throw new Error('spongent: this implementation needs a little-endian host');

/** Applies π_b in place to a state held as six 32-bit words, in JavaScript (the reference for spongent-wasm.ts). */
export function permuteWordsJs(w: Uint32Array): void {
  const T = TABLE;
  const s = SCRATCH;
  const b = SCRATCH_BYTES;
  s[0] = w[0]!; s[1] = w[1]!; s[2] = w[2]!; s[3] = w[3]!; s[4] = w[4]!; s[5] = w[5]! & 0xffff;
  for (let r = 0; r < SPONGENT_ROUNDS; r++) {
    s[0] ^= ROUND_LO[r]!;
    s[5] ^= ROUND_HI[r]!;
    // The 22 byte lookups, written out (byte k's table starts at k·256·6): about 1.3–1.5× the speed of a loop.
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, i = 0;
    i = 0 + b[0]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 1536 + b[1]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 3072 + b[2]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 4608 + b[3]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 6144 + b[4]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 7680 + b[5]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 9216 + b[6]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 10752 + b[7]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 12288 + b[8]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 13824 + b[9]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 15360 + b[10]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 16896 + b[11]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 18432 + b[12]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 19968 + b[13]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 21504 + b[14]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 23040 + b[15]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 24576 + b[16]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 26112 + b[17]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 27648 + b[18]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 29184 + b[19]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 30720 + b[20]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    i = 32256 + b[21]! * 6; a0 ^= T[i]!; a1 ^= T[i + 1]!; a2 ^= T[i + 2]!; a3 ^= T[i + 3]!; a4 ^= T[i + 4]!; a5 ^= T[i + 5]!;
    s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5;
  }
  w[0] = s[0]!; w[1] = s[1]!; w[2] = s[2]!; w[3] = s[3]!; w[4] = s[4]!; w[5] = s[5]!;
}

/**
 * Applies π_b in place to a state held as six 32-bit words (the fast path the duplex uses): the same tables run by
 * a WebAssembly function (spongent-wasm.ts), about twice the speed of permuteWordsJs.
 */
export const permuteWords: (w: Uint32Array) => void = wasmPermutation(TABLE, ROUND_LO, ROUND_HI).permuteWords;

export function bytesToWords(state: Uint8Array): Uint32Array {
  if (state.length !== SPONGENT_BYTES) throw new RangeError(`spongent: state must be ${SPONGENT_BYTES} bytes, got ${state.length}`);
  const w = new Uint32Array(SPONGENT_WORDS);
  for (let k = 0; k < SPONGENT_BYTES; k++) w[k >> 2]! |= state[k]! << (8 * (k & 3));
  return w;
}

export function wordsToBytes(w: Uint32Array): Uint8Array {
  const out = new Uint8Array(SPONGENT_BYTES);
  for (let k = 0; k < SPONGENT_BYTES; k++) out[k] = (w[k >> 2]! >>> (8 * (k & 3))) & 0xff;
  return out;
}

/** One application of π_b to a 22-byte state; returns a new array (the input is not changed). */
export function spongentPermute(state: Uint8Array): Uint8Array {
  const w = bytesToWords(state);
  permuteWords(w);
  return wordsToBytes(w);
}
