import { permuteWords, SPONGENT_WORDS } from './spongent.ts';

// The duplex sponge under SpongeWrap at SECURITY = 64: rate 18 bits = 16 data bits + frame bit + pad bit, capacity
// 158 (../shared/research/sancus.md §2.1; sancus-core crypto/sponge_wrap.v SPONGE_RATE = RATE + 2).
// A call XORs a padded block into state bits 0..17, permutes, and exposes state bits 0..15 as the output word.
// Byte i of a 2-byte block is state bits 8i..8i+7, i.e. an MSP430 little-endian word: a word's low byte is the byte
// at the lower address.

/** Data bits per duplex call (SpongeWrap block size, `RATE(16)` in crypto_control.v). */
export const BLOCK_BITS = 16;
export const BLOCK_BYTES = 2;

/** The bits a call XORs into the state stay below bit 18 (16 data bits, frame, pad): a transition's input. */
const INPUT_SPAN = 2 ** 18;

/**
 * Transitions already computed, shared by the duplexes given it: (state, input bits) → next state. A call is a pure
 * function of the state before it and the bits it XORs in, so a sponge that walks a path walked before — the unwrap
 * of an event this emulator sealed a moment ago absorbs the same associated data and the same plaintext, then
 * squeezes the same tag — takes each next state from here instead of permuting (a host-side memo: the results are
 * the same, and the permutation count the crypto unit's cycle model charges still counts every call). States are
 * known by ids handed out once (never reused, so clearing the table when it is full forgets transitions, never
 * confuses two states); id 1 is the all-zero state a sponge starts from.
 */
export class DuplexMemo {
  /** By state id, then by input bits: the next state. Two levels of small-integer keys — one key of id · 2^18 +
   *  input passes 2^31 after a few thousand states, and Map hashes such keys as heap numbers (issue 18 "Simulation
   *  speed": the lookup cost a tenth of the crypto unit's time on the meter). */
  private readonly next = new Map<number, Map<number, { id: number; w: Uint32Array }>>();
  private size = 0;
  private ids = 1;

  constructor(private readonly max = 1 << 15) {}

  get(id: number, input: number): { id: number; w: Uint32Array } | undefined {
    return this.next.get(id)?.get(input);
  }

  /** Records the state `w` reached from state `id` by `input`; returns its id. */
  put(id: number, input: number, w: Uint32Array): number {
    if (input < 0 || input >= INPUT_SPAN) throw new RangeError(`duplex memo: input 0x${input.toString(16)} is wider than the rate`);
    if (this.size >= this.max) {
      this.next.clear();
      this.size = 0;
    }
    const to = ++this.ids;
    let from = this.next.get(id);
    if (from === undefined) this.next.set(id, (from = new Map()));
    from.set(input, { id: to, w: w.slice() });
    this.size++;
    return to;
  }
}

export class Duplex {
  /** Permutations computed on the host by every duplex (memo hits and restored states not included; benches). */
  static computed = 0;
  private readonly w = new Uint32Array(SPONGENT_WORDS);
  /** Permutations applied since construction (the hardware spends a fixed number of cycles on each). */
  permutations = 0;
  /** The state's id in `memo` (0: not known to it). */
  private id: number;

  constructor(private readonly memo?: DuplexMemo) {
    this.id = memo ? 1 : 0;
  }

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
    this.step((data & mask) | ((frame & 1) << nBits) | (1 << (nBits + 1)));
    return this.output;
  }

  /** The sponge state (six words, spongent.ts layout), copied out: what `restore` takes back. */
  snapshot(): Uint32Array {
    return this.w.slice();
  }

  /** The state's id in the memo (0: none): `restore` takes it back with the snapshot. */
  get memoId(): number {
    return this.id;
  }

  /**
   * Puts back a state `snapshot` took after `calls` permutations from the same starting state: the host skips
   * recomputing them (a memo), the count — which the unit's cycle model charges — still includes them.
   */
  restore(state: Uint32Array, calls: number, memoId = 0): void {
    this.w.set(state);
    this.permutations += calls;
    this.id = this.memo ? memoId : 0;
  }

  /** The "blank" call used to squeeze tag words: only the pad bit at bit 0. */
  blank(): number {
    this.step(1);
    return this.output;
  }

  /** XORs `input` into state bits 0..17 and permutes (or takes the known result from the memo). */
  private step(input: number): void {
    this.permutations++;
    const memo = this.memo;
    if (memo !== undefined && this.id !== 0) {
      const known = memo.get(this.id, input);
      if (known !== undefined) {
        this.w.set(known.w);
        this.id = known.id;
        return;
      }
    }
    this.w[0]! ^= input;
    permuteWords(this.w);
    Duplex.computed++;
    if (memo !== undefined && this.id !== 0) this.id = memo.put(this.id, input, this.w);
  }
}
