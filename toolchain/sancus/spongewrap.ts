import { OperationError } from '../common/errors.ts';
import { FlatMemory, SancusCryptoUnit } from './crypto-unit.ts';
import { checkKey, checkTag, TAG_BYTES } from './params.ts';
import { libraryMac, libraryUnwrap, libraryWrap } from './spongewrap-library.ts';

// SpongeWrap as Sancus computes it. Default: the HARDWARE (the core's wrap/unwrap instructions, modelled in
// crypto-unit.ts); `semantics: 'library'` gives the C library (sancus-compiler src/crypto, libspongent,
// sancus-crypto). They agree whenever the associated data is non-empty and both lengths are even — the only inputs
// portable between a node and its tools (../shared/research/sancus.md §2.1 "Hardware granularity").
//
// In hardware semantics a range is whole 16-bit words, so for an odd length the byte after the range in memory
// takes part: give it as `followingAd` / `followingBody` (default 0x00); the cipher then has the rounded-up
// length, as the core writes whole words. With empty associated data the core writes no cipher (the returned
// cipher is empty) and its tag depends on the unit's data register — pass `unit` to carry that register over from
// earlier instructions, as an emulated node does.

export type Semantics = 'hardware' | 'library';

export interface WrapOptions {
  semantics?: Semantics;
  /** Hardware only: the memory byte after an odd-length AD range. */
  followingAd?: number;
  /** Hardware only: the memory byte after an odd-length body (or cipher) range. */
  followingBody?: number;
  /** Hardware only: the crypto unit to run on (its data register persists); a fresh one by default. */
  unit?: SancusCryptoUnit;
}

export interface Wrapped {
  cipher: Uint8Array;
  tag: Uint8Array;
}

const roundUp = (n: number) => (n + 1) & ~1;

/** Places AD and body in a scratch address space the way a program would hold them in memory. */
function layOut(ad: Uint8Array, body: Uint8Array, opts: WrapOptions) {
  const adAt = 0x0000;
  const bodyAt = roundUp(ad.length) + 2;
  const outAt = bodyAt + roundUp(body.length) + 2;
  const tagAt = outAt + roundUp(body.length) + 2;
  if (tagAt + TAG_BYTES > 0x10000) {
    throw new RangeError(`hardware SpongeWrap: ${ad.length} + ${body.length} bytes do not fit the 64 KiB address space`);
  }
  const mem = new FlatMemory(tagAt + TAG_BYTES);
  mem.load(adAt, ad);
  if (ad.length % 2) mem.bytes[adAt + ad.length] = (opts.followingAd ?? 0) & 0xff;
  mem.load(bodyAt, body);
  if (body.length % 2) mem.bytes[bodyAt + body.length] = (opts.followingBody ?? 0) & 0xff;
  return { mem, adAt, bodyAt, outAt, tagAt };
}

/** Authenticated encryption: the core's SM_AE_WRAP with `key` in memory (r9 ≠ 0). */
export function wrap(key: Uint8Array, ad: Uint8Array, body: Uint8Array, opts: WrapOptions = {}): Wrapped {
  checkKey(key);
  if (opts.semantics === 'library') return libraryWrap(key, ad, body);
  const { mem, adAt, bodyAt, outAt, tagAt } = layOut(ad, body, opts);
  const unit = opts.unit ?? new SancusCryptoUnit();
  const r = unit.wrap(mem, key, adAt, adAt + ad.length, bodyAt, bodyAt + body.length, outAt, tagAt);
  if (!r.ok) throw new OperationError(`crypto unit wrap failed unexpectedly${r.hang ? ' (never completes)' : ''}`);
  // The core writes cipher words only when the body went through the body phase (non-empty AD).
  const written = ad.length === 0 ? 0 : roundUp(body.length);
  return { cipher: mem.slice(outAt, written), tag: mem.slice(tagAt, TAG_BYTES) };
}

/**
 * Decrypts and checks the tag (all 8 bytes); null when the tag does not match. Throws OperationError when the
 * hardware would never complete (empty AD and empty cipher).
 */
export function unwrap(key: Uint8Array, ad: Uint8Array, cipher: Uint8Array, tag: Uint8Array,
  opts: WrapOptions = {}): Uint8Array | null {
  checkKey(key);
  checkTag(tag);
  if (opts.semantics === 'library') return libraryUnwrap(key, ad, cipher, tag);
  const { mem, adAt, bodyAt, outAt, tagAt } = layOut(ad, cipher, opts);
  mem.load(tagAt, tag);
  const unit = opts.unit ?? new SancusCryptoUnit();
  const r = unit.unwrap(mem, key, adAt, adAt + ad.length, bodyAt, bodyAt + cipher.length, outAt, tagAt);
  if (r.hang) {
    throw new OperationError('unwrap with empty associated data and an empty cipher never completes on the Sancus core (the crypto unit loops)');
  }
  if (!r.ok) return null;
  const written = ad.length === 0 ? 0 : roundUp(cipher.length);
  return mem.slice(outAt, written);
}

/** The tag of `msg` with an empty body: SM_AE_WRAP with r12 == r13, sancus_mac / sancus_tag. */
export function mac(key: Uint8Array, msg: Uint8Array, opts: WrapOptions = {}): Uint8Array {
  checkKey(key);
  if (opts.semantics === 'library') return libraryMac(key, msg);
  return wrap(key, msg, new Uint8Array(0), opts).tag;
}
