import { Duplex, DuplexMemo } from './duplex.ts';
import { checkKey, KEY_BYTES, KEY_WORDS, TAG_BYTES, TAG_WORDS } from './params.ts';

// A transaction-level model of the Sancus crypto unit: sancus-core core/rtl/verilog/crypto/sponge_wrap.v (the
// SpongeWrap sequencer) driven by crypto_control.v (the per-instruction state machine), commit b6b53bb.
// It is what makes our wrap/unwrap/MAC bit-exact with the hardware rather than with the C library
// (spongewrap-library.ts). Where the two differ:
//   * ranges are walked as whole 16-bit words: a counter starts at the range start, reads a word, adds 2 and stops
//     when counter ≥ end (crypto_control.v `mem_done`), so an odd length also takes the next byte in memory, and the
//     body's last cipher word overwrites it;
//   * the sponge is started by the first word actually absorbed, not by the instruction, so an EMPTY associated-data
//     range (r10 ≥ r11) makes the body words be absorbed as associated data: no cipher is written, and the tag words
//     are extra body calls on the unit's data register (see `dataIn`) — success is still reported;
//   * a wrap with both ranges empty (a MAC of nothing) starts the sponge with "empty" blocks, which replace the
//     key blocks too: that tag does not depend on the key at all;
//   * unwrap with an empty body (r12 == r13) skips the empty body block the library absorbs, so its tag check is
//     against a different value than the MAC of the same data (wrap with r12 == r13 does take the MAC path);
//   * unwrap with both ranges empty never finishes: the tag loop waits for an output that the sponge, stuck
//     absorbing associated data, never produces — the core stalls (without the atomicity monitor, no interrupt
//     ends it). The model reports `hang`.
// Every such case was checked against a simulation of that RTL (test/sancus/rtl-vectors.json).

/** The bus as the crypto unit sees it: 16-bit words at even addresses (bit 0 of the address is ignored). */
export interface WordMemory {
  readWord(addr: number): number;
  writeWord(addr: number, value: number): void;
}

/** Module layout registers: text [textStart, textEnd), data [dataStart, dataEnd) (public/secret start/end). */
export interface ModuleLayout {
  textStart: number;
  textEnd: number;
  dataStart: number;
  dataEnd: number;
}

/** Controls crypto_control.v presents while a sponge_wrap call runs (wrap_last_block, wrap_data_empty, unwrap). */
interface CallControls {
  last: boolean;
  empty: boolean;
  unwrap: boolean;
}

/** sponge_wrap.v's idle states: which kind of call the next start_continue makes. */
type Phase = 'reset' | 'ad' | 'body' | 'tag';

/** Thrown inside a sequence when the hardware would loop forever; turned into `{ hang: true }`. */
class Hang extends Error {}

/** A range walk longer than the address space means the 16-bit counter wrapped: the hardware would not stop. */
const MAX_WORDS = 0x8000;

/** Sponge states after the KEY states, by key (see SpongeWrapSequencer.absorbKey), with their memo ids. */
const KEY_STATES = new Map<string, { w: Uint32Array; id: number }>();
/** Every sequencer's transitions (duplex.ts DuplexMemo): an unwrap retraces the wrap of the same event. */
const MEMO = new DuplexMemo();
const KEY_STATES_MAX = 1024;

function keyId(key: Uint8Array): string {
  let id = '';
  for (let i = 0; i < KEY_BYTES; i++) id += String.fromCharCode(key[i]!);
  return id;
}

/** Model of sponge_wrap.v: key absorption on the first start, then AD, body and tag calls as the controls say. */
class SpongeWrapSequencer {
  private phase: Phase = 'reset';
  private duplex = new Duplex(MEMO);
  private earlier = 0;

  /** Permutations since this sequencer was made (across resets). */
  get permutations(): number {
    return this.earlier + this.duplex.permutations;
  }

  reset(): void {
    this.phase = 'reset';
    this.earlier += this.duplex.permutations;
    this.duplex = new Duplex(MEMO);
  }

  /** One start_continue. Returns the output word and whether the unit presents it (data_out_ready). */
  start(key: Uint8Array, dataIn: number, c: CallControls): { out: number; ready: boolean } {
    const d = this.duplex;
    switch (this.phase) {
      case 'reset':
        // KEY states: the key in 16-bit blocks, memory order, frame 1 except the last; then straight into AD.
        // wrap_data_empty overrides the block in every state, KEY included: a sequence started by an empty call
        // (a MAC with empty AD, MAC_INIT) absorbs four empty blocks instead of the key — its tag ignores the key.
        this.absorbKey(key, c.empty);
        this.phase = 'ad';
        return this.start(key, dataIn, c);
      case 'ad':
        // AD: frame bit = last_block; not presented as output.
        this.absorb(dataIn, c.empty, c.last ? 1 : 0);
        if (c.last) this.phase = 'body';
        return { out: 0, ready: false };
      case 'body': {
        // BODY: output = keystream ⊕ data_in; absorbs data_in (wrap) or that output (unwrap); frame = ¬last_block.
        const out = (d.output ^ dataIn) & 0xffff;
        this.absorb(c.unwrap ? out : dataIn, c.empty, c.last ? 0 : 1);
        if (c.last) this.phase = 'tag';
        return { out, ready: true };
      }
      case 'tag': {
        // TAG: presents the current output, then a blank call.
        const out = d.output;
        d.blank();
        return { out, ready: true };
      }
    }
  }

  /**
   * The KEY states from a fresh sponge: four blocks, so the state after them depends on the key alone (or on
   * nothing, for empty blocks). Every event a node seals or opens starts so under one of a few connection keys;
   * the state is remembered per key (a host-side memo: the permutation count, which the cycle model charges,
   * still counts the four calls).
   */
  private absorbKey(key: Uint8Array, empty: boolean): void {
    const d = this.duplex;
    const id = empty ? 'empty' : keyId(key);
    const known = KEY_STATES.get(id);
    if (known) {
      d.restore(known.w, KEY_WORDS, known.id);
      return;
    }
    for (let i = 0; i < KEY_WORDS; i++) {
      const frame = i < KEY_WORDS - 1 ? 1 : 0;
      if (empty) d.call(0, 0, frame);
      else d.call(key[2 * i]! | (key[2 * i + 1]! << 8), 16, frame);
    }
    if (KEY_STATES.size >= KEY_STATES_MAX) KEY_STATES.clear(); // bounded: a tool that wraps under many keys
    KEY_STATES.set(id, { w: d.snapshot(), id: d.memoId });
  }

  /** The current output word without starting a call (what the key-writing states read). */
  get output(): number {
    return this.duplex.output;
  }

  private absorb(word: number, empty: boolean, frame: number): void {
    if (empty) this.duplex.call(0, 0, frame);
    else this.duplex.call(word, 16, frame);
  }
}

export interface CryptoResult {
  /** r15 = 1 (or the module id) on success; false → r15 = 0. */
  ok: boolean;
  /** The instruction never completes on the hardware (the core stalls). */
  hang: boolean;
  /** sponge_wrap calls made (each is one 90-round permutation). */
  permutations: number;
}

/**
 * The crypto unit of one Sancus core. Keep one per emulated node: `dataIn` (crypto_control.v `wrap_data_in`) is a
 * register no reset clears, and the empty-range cases above read it.
 */
export class SancusCryptoUnit {
  /** Last word latched for the sponge. Undefined (x) after power-up in the RTL; the model starts at 0. */
  dataIn = 0;
  private readonly sw = new SpongeWrapSequencer();

  /** SM_AE_WRAP (0x1384): AD [adStart, adEnd), body [bodyStart, bodyEnd) → cipher at cipherOut, tag at tagOut. */
  wrap(mem: WordMemory, key: Uint8Array, adStart: number, adEnd: number, bodyStart: number, bodyEnd: number,
    cipherOut: number, tagOut: number): CryptoResult {
    return this.run(() => {
      this.sequenceAeadBody(mem, key, adStart, adEnd, bodyStart, bodyEnd, cipherOut, false);
      this.writeTag(mem, key, tagOut, false);
      return true;
    });
  }

  /** SM_AE_UNWRAP (0x1385): plaintext is written to plainOut before the tag check; ok = all tag words match. */
  unwrap(mem: WordMemory, key: Uint8Array, adStart: number, adEnd: number, cipherStart: number, cipherEnd: number,
    plainOut: number, tagPtr: number): CryptoResult {
    return this.run(() => {
      this.sequenceAeadBody(mem, key, adStart, adEnd, cipherStart, cipherEnd, plainOut, true);
      return this.checkTag(mem, key, tagPtr, true);
    });
  }

  /**
   * SM_ENABLE's key derivation (0x1381, crypto_control.v GEN_VKEY_INIT … WRITE_SMKEY_WAIT): vendor key from
   * the node key and r11; with a nonzero nonce (r10), first unwraps the text in place under the vendor key with the
   * tag at tagPtr (r9, DEC_* states); then the module key over text words and the four layout words.
   * `key` is null when the confidential load fails (tag mismatch: the text is already overwritten).
   */
  enable(mem: WordMemory, nodeKey: Uint8Array, vendorId: number, layout: ModuleLayout,
    confidential?: { nonce: number; tagPtr: number }): CryptoResult & { vendorKey: Uint8Array | null; key: Uint8Array | null } {
    checkKey(nodeKey, 'node key');
    let vendorKey: Uint8Array | null = null;
    let key: Uint8Array | null = null;
    const r = this.run(() => {
      // GEN_VKEY_INIT / WRAP_VID: the vendor id as the only AD word (last), then an empty body block.
      this.dataIn = vendorId & 0xffff;
      this.sw.start(nodeKey, this.dataIn, { last: true, empty: false, unwrap: false });
      this.sw.start(nodeKey, this.dataIn, { last: true, empty: true, unwrap: false });
      vendorKey = this.readKeyWords(nodeKey);
      if (confidential && (confidential.nonce & 0xffff) !== 0) {
        this.sw.reset(); // DEC_INIT
        this.dataIn = confidential.nonce & 0xffff; // DEC_NONCE
        this.sw.start(vendorKey, this.dataIn, { last: true, empty: false, unwrap: true });
        this.walk(layout.textStart, layout.textEnd, (addr, last, i) => {
          this.dataIn = mem.readWord(addr);
          const o = this.sw.start(vendorKey!, this.dataIn, { last, empty: false, unwrap: true });
          if (o.ready) mem.writeWord((layout.textStart + 2 * i) & 0xffff, o.out);
        });
        if (!this.checkTag(mem, vendorKey, confidential.tagPtr, true)) return false;
      }
      key = this.identityMac(mem, vendorKey, layout);
      return true;
    });
    return { ...r, vendorKey, key };
  }

  /**
   * SM_VERIFY_ADDR / SM_VERIFY_PREV (0x1382/0x1383, VERIFY_INIT_PS): the identity MAC under the all-zero key,
   * compared with the 8 bytes at tagPtr.
   */
  verify(mem: WordMemory, layout: ModuleLayout, tagPtr: number): CryptoResult {
    const zero = new Uint8Array(KEY_BYTES);
    return this.run(() => {
      this.absorbIdentity(mem, zero, layout);
      this.sw.start(zero, this.dataIn, { last: true, empty: true, unwrap: false }); // MAC_INIT
      return this.checkTag(mem, zero, tagPtr, false);
    });
  }

  /**
   * The module-key half of SM_ENABLE on its own (GEN_SMKEY_INIT_PS … WRITE_SMKEY_WAIT), from a vendor key: what
   * `sancus-crypto --gen-sm-key` computes. With the all-zero key it is the identity MAC SM_VERIFY checks.
   */
  moduleKey(mem: WordMemory, vendorKey: Uint8Array, layout: ModuleLayout): CryptoResult & { key: Uint8Array } {
    checkKey(vendorKey, 'vendor key');
    let key: Uint8Array = new Uint8Array(0);
    const r = this.run(() => {
      key = this.identityMac(mem, vendorKey, layout);
      return true;
    });
    return { ...r, key };
  }

  /**
   * SM_DISABLE's clearing (CLEAR_CODE_INIT1 … CLEAR_DATA): zero the text words then the data words. Each loop writes
   * a word before it first compares the counter with the end, so even an empty range loses the word at its start.
   */
  disable(mem: WordMemory, layout: ModuleLayout): void {
    for (const [start, end] of [[layout.textStart, layout.textEnd], [layout.dataStart, layout.dataEnd]] as const) {
      let ctr = start & 0xffff;
      for (let i = 0; i < MAX_WORDS; i++) {
        mem.writeWord(ctr, 0);
        ctr = (ctr + 2) & 0xffff;
        if (ctr >= (end & 0xffff)) break;
      }
    }
  }

  private identityMac(mem: WordMemory, key: Uint8Array, layout: ModuleLayout): Uint8Array {
    this.sw.reset(); // GEN_SMKEY_INIT_PS
    this.absorbIdentity(mem, key, layout);
    this.sw.start(key, this.dataIn, { last: true, empty: true, unwrap: false }); // WRITE_SMKEY_INIT
    return this.readKeyWords(key);
  }

  /** WRAP_TEXT … WRAP_SE: text words (never last), then the four layout registers, the last one closing the AD. */
  private absorbIdentity(mem: WordMemory, key: Uint8Array, layout: ModuleLayout): void {
    this.walk(layout.textStart, layout.textEnd, (addr) => {
      this.dataIn = mem.readWord(addr);
      this.sw.start(key, this.dataIn, { last: false, empty: false, unwrap: false });
    });
    const regs = [layout.textStart, layout.textEnd, layout.dataStart, layout.dataEnd];
    regs.forEach((v, i) => {
      this.dataIn = v & 0xffff;
      this.sw.start(key, this.dataIn, { last: i === 3, empty: false, unwrap: false });
    });
  }

  /** WRITE_VKEY / WRITE_SMKEY: the output word, byte-swapped into the big-endian slot = memory order; then a blank. */
  private readKeyWords(key: Uint8Array): Uint8Array {
    const out = new Uint8Array(KEY_BYTES);
    for (let i = 0; i < KEY_WORDS; i++) {
      const w = this.sw.output;
      out[2 * i] = w & 0xff;
      out[2 * i + 1] = w >> 8;
      this.sw.start(key, this.dataIn, { last: true, empty: true, unwrap: false });
    }
    return out;
  }

  /** WRAP_AD_INIT … WRAP_BODY_WAIT, and MAC_INIT when a wrap has an empty body (`only_tag`). */
  private sequenceAeadBody(mem: WordMemory, key: Uint8Array, adStart: number, adEnd: number, bodyStart: number,
    bodyEnd: number, out: number, unwrap: boolean): void {
    checkKey(key);
    this.walk(adStart, adEnd, (addr, last) => {
      this.dataIn = mem.readWord(addr);
      this.sw.start(key, this.dataIn, { last, empty: false, unwrap });
    });
    if (!unwrap && (bodyStart & 0xffff) === (bodyEnd & 0xffff)) {
      this.sw.start(key, this.dataIn, { last: true, empty: true, unwrap }); // MAC_INIT
      return;
    }
    let outAddr = out & 0xffff;
    this.walk(bodyStart, bodyEnd, (addr, last) => {
      this.dataIn = mem.readWord(addr);
      const o = this.sw.start(key, this.dataIn, { last, empty: false, unwrap });
      if (o.ready) {
        mem.writeWord(outAddr, o.out);
        outAddr = (outAddr + 2) & 0xffff;
      }
    });
  }

  /** TAG_INIT / WRITE_TAG: four presented words written to tagOut. A call that presents nothing loops forever. */
  private writeTag(mem: WordMemory, key: Uint8Array, tagOut: number, unwrap: boolean): void {
    for (let i = 0; i < TAG_WORDS; i++) {
      const o = this.sw.start(key, this.dataIn, { last: false, empty: false, unwrap });
      if (!o.ready) throw new Hang();
      mem.writeWord((tagOut + 2 * i) & 0xffff, o.out);
    }
  }

  /** VERIFY_TAG / DEC_TAG: compares each presented word with memory; all four are always computed. */
  private checkTag(mem: WordMemory, key: Uint8Array, tagPtr: number, unwrap: boolean): boolean {
    let ok = true;
    for (let i = 0; i < TAG_WORDS; i++) {
      const o = this.sw.start(key, this.dataIn, { last: false, empty: false, unwrap });
      if (!o.ready) throw new Hang();
      if (o.out !== mem.readWord((tagPtr + 2 * i) & 0xffff)) ok = false;
    }
    return ok;
  }

  /** Walks [start, end) word by word as mab_ctr does: stop when counter ≥ end (unsigned 16-bit). */
  private walk(start: number, end: number, visit: (addr: number, last: boolean, index: number) => void): void {
    let ctr = start & 0xffff;
    const limit = end & 0xffff;
    for (let i = 0; ctr < limit; i++) {
      if (i >= MAX_WORDS) throw new Hang();
      const addr = ctr;
      ctr = (ctr + 2) & 0xffff;
      visit(addr, ctr >= limit, i);
    }
  }

  private run(body: () => boolean): CryptoResult {
    this.sw.reset(); // crypto_control.v IDLE asserts wrap_reset
    const before = this.sw.permutations;
    try {
      const ok = body();
      return { ok, hang: false, permutations: this.sw.permutations - before };
    } catch (e) {
      if (e instanceof Hang) return { ok: false, hang: true, permutations: this.sw.permutations - before };
      throw e;
    }
  }
}

/** Key loaded from memory for r9 ≠ 0 (LOAD_KEY: words byte-swapped into the big-endian register = memory order). */
export function readKeyFromMemory(mem: WordMemory, addr: number): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_WORDS; i++) {
    const w = mem.readWord((addr + 2 * i) & 0xffff);
    key[2 * i] = w & 0xff;
    key[2 * i + 1] = w >> 8;
  }
  return key;
}

/** Byte memory with the word view the unit uses (little-endian, even addresses); reads past the end give 0. */
export class FlatMemory implements WordMemory {
  readonly bytes: Uint8Array;
  /** `size` bytes from address 0 (the whole 64 KiB by default; a smaller scratch space when that is enough). */
  constructor(size = 0x10000) {
    this.bytes = new Uint8Array(size + 1);
  }
  readWord(addr: number): number {
    const a = addr & 0xfffe;
    return (this.bytes[a] ?? 0) | ((this.bytes[a + 1] ?? 0) << 8);
  }
  writeWord(addr: number, value: number): void {
    const a = addr & 0xfffe;
    if (a + 1 >= this.bytes.length) throw new RangeError(`FlatMemory: write at 0x${a.toString(16)} beyond its ${this.bytes.length - 1} bytes`);
    this.bytes[a] = value & 0xff;
    this.bytes[a + 1] = (value >> 8) & 0xff;
  }
  load(addr: number, data: Uint8Array): void {
    this.bytes.set(data, addr);
  }
  slice(addr: number, length: number): Uint8Array {
    return this.bytes.slice(addr, addr + length);
  }
}

export { TAG_BYTES };
