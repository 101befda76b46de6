import { permuteWords, SPONGENT_WORDS } from './spongent.ts';

// The duplex sponge under SpongeWrap at SECURITY = 64: rate 18 bits = 16 data bits + frame bit + pad bit, capacity
// 158 (../shared/research/sancus.md §2.1; sancus-core crypto/sponge_wrap.v SPONGE_RATE = RATE + 2).
// A call XORs a padded block into state bits 0..17, permutes, and exposes state bits 0..15 as the output word.
// Byte i of a 2-byte block is state bits 8i..8i+7, i.e. an MSP430 little-endian word: a word's low byte is the byte
// at the lower address.

/** Data bits per duplex call (SpongeWrap block size, `RATE(16)` in crypto_control.v). */
export const BLOCK_BITS = 16;
export const BLOCK_BYTES = 2;

export class Duplex {
  private readonly w = new Uint32Array(SPONGENT_WORDS);
  /** Permutations applied since construction (the hardware spends a fixed number of cycles on each). */
  permutations = 0;

  /** Output of the last call: state bits 0..15. */
  get output(): number {
    return this.w[0]! & 0xffff;
  }

  /**
   * Absorbs `nBits` data bits of `data` (0, 8 or 16), then the frame bit, then a single 1 (pad) bit, and permutes.
   * nBits = 0 is the "empty block" (frame at bit 0, pad at bit 1).
   */
  call(data: number, nBits: number, frame: number): number {
    const mask = nBits === 16 ? 0xffff : (1 << nBits) - 1;
    this.w[0]! ^= (data & mask) | ((frame & 1) << nBits) | (1 << (nBits + 1));
    permuteWords(this.w);
    this.permutations++;
    return this.output;
  }

  /** The sponge state (six words, spongent.ts layout), copied out: what `restore` takes back. */
  snapshot(): Uint32Array {
    return this.w.slice();
  }

  /**
   * Puts back a state `snapshot` took after `calls` permutations from the same starting state: the host skips
   * recomputing them (a memo), the count — which the unit's cycle model charges — still includes them.
   */
  restore(state: Uint32Array, calls: number): void {
    this.w.set(state);
    this.permutations += calls;
  }

  /** The "blank" call used to squeeze tag words: only the pad bit at bit 0. */
  blank(): number {
    this.w[0]! ^= 1;
    permuteWords(this.w);
    this.permutations++;
    return this.output;
  }
}
