import { constantTimeEqual } from '../common/constant-time.ts';
import { Duplex } from './duplex.ts';
import { checkKey, checkTag, KEY_WORDS, TAG_BYTES, TAG_WORDS } from './params.ts';

// SpongeWrap with the byte-granular semantics of the C library (sancus-compiler src/crypto/spongent.cpp
// SpongentWrap/SpongentUnwrap, libspongent, `sancus-crypto --wrap`; ../shared/research/sancus.md §2.1):
//   1. key: 4 blocks of 2 bytes in memory order, frame bits 1, 1, 1, 0;
//   2. associated data: 2-byte blocks, frame 0 except the last (1); the last may be 1 byte; empty AD is one empty
//      block with frame 1;
//   3. body: each block's keystream is the previous call's output; the plaintext is absorbed; frame 1 except the
//      last (0); empty body is one empty block with frame 0;
//   4. tag: the output of the last body call, then 3 blank calls.
// The hardware agrees only for even-length, non-empty associated data and even-length bodies; spongewrap.ts
// chooses between this and the crypto-unit model (crypto-unit.ts).

function absorbKey(d: Duplex, key: Uint8Array): void {
  for (let i = 0; i < KEY_WORDS; i++) d.call(key[2 * i]! | (key[2 * i + 1]! << 8), 16, i < KEY_WORDS - 1 ? 1 : 0);
}

function absorbAd(d: Duplex, ad: Uint8Array): void {
  if (ad.length === 0) {
    d.call(0, 0, 1);
    return;
  }
  for (let i = 0; i < ad.length; i += 2) {
    const n = Math.min(2, ad.length - i);
    d.call(ad[i]! | (n === 2 ? ad[i + 1]! << 8 : 0), 8 * n, i + n >= ad.length ? 1 : 0);
  }
}

/** Runs the body; `decrypt` feeds the recovered plaintext back instead of the input. Returns the output bytes. */
function processBody(d: Duplex, input: Uint8Array, decrypt: boolean): Uint8Array {
  const out = new Uint8Array(input.length);
  if (input.length === 0) {
    d.call(0, 0, 0);
    return out;
  }
  for (let i = 0; i < input.length; i += 2) {
    const n = Math.min(2, input.length - i);
    const ks = d.output;
    const x = input[i]! | (n === 2 ? input[i + 1]! << 8 : 0);
    const y = (x ^ ks) & (n === 2 ? 0xffff : 0xff);
    out[i] = y & 0xff;
    if (n === 2) out[i + 1] = y >> 8;
    d.call(decrypt ? y : x, 8 * n, i + n >= input.length ? 0 : 1);
  }
  return out;
}

function squeezeTag(d: Duplex): Uint8Array {
  const tag = new Uint8Array(TAG_BYTES);
  for (let i = 0; i < TAG_WORDS; i++) {
    const w = i === 0 ? d.output : d.blank();
    tag[2 * i] = w & 0xff;
    tag[2 * i + 1] = w >> 8;
  }
  return tag;
}

export function libraryWrap(key: Uint8Array, ad: Uint8Array, body: Uint8Array): { cipher: Uint8Array; tag: Uint8Array } {
  checkKey(key);
  const d = new Duplex();
  absorbKey(d, key);
  absorbAd(d, ad);
  const cipher = processBody(d, body, false);
  return { cipher, tag: squeezeTag(d) };
}

/** Returns the plaintext, or null when the tag does not match (all 8 bytes are compared). */
export function libraryUnwrap(key: Uint8Array, ad: Uint8Array, cipher: Uint8Array, tag: Uint8Array): Uint8Array | null {
  checkKey(key);
  checkTag(tag);
  const d = new Duplex();
  absorbKey(d, key);
  absorbAd(d, ad);
  const body = processBody(d, cipher, true);
  return constantTimeEqual(squeezeTag(d), tag) ? body : null;
}

export function libraryMac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  return libraryWrap(key, msg, new Uint8Array(0)).tag;
}
