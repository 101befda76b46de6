import { createCipheriv, type Cipher } from 'node:crypto';
import { DlmsSecurityError } from '../errors.ts';

// AES-GCM (NIST SP 800-38D) with 96-bit IVs, built from two parts kept per key: the platform's AES block cipher
// (an OpenSSL ECB context made once per key, AES-NI where the CPU has it) and a 4-bit GHASH table for H = E_K(0^128)
// (Shoup's method). A GCM context per APDU costs more than the APDU itself — the server's GET and association rates
// depend on this (issue 16). Checked against the Green Book and NIST vectors in test/dlms/vectors.test.ts.

interface KeyState {
  ecb: Cipher;
  /** M[i] = i·H for the nibble i (bit 3 of i is the first bit, SP 800-38D bit order), as 4 × 32-bit words. */
  m: Uint32Array;
}

// A key's state is kept as long as the key object lives (keys are never modified in place; a new key is a new array).
const states = new WeakMap<Uint8Array, KeyState>();

/** R4[r]: the reduction term when the 4 low bits r are shifted out (multiplication by x^4). Only word 0 is nonzero. */
const R4 = (() => {
  const r = new Uint32Array(16);
  for (let v = 0; v < 16; v++) {
    const w = Uint32Array.of(0, 0, 0, v);
    for (let k = 0; k < 4; k++) mulx(w, 0);
    r[v] = w[0]!;
  }
  return r;
})();

/** w (at offset o, 4 words) times x in GF(2^128): a right shift, reduced by R = 0xE1 ‖ 0^120 (SP 800-38D Alg. 1). */
function mulx(w: Uint32Array, o: number): void {
  const lsb = w[o + 3]! & 1;
  w[o + 3] = (w[o + 3]! >>> 1) | (w[o + 2]! << 31);
  w[o + 2] = (w[o + 2]! >>> 1) | (w[o + 1]! << 31);
  w[o + 1] = (w[o + 1]! >>> 1) | (w[o]! << 31);
  w[o] = (w[o]! >>> 1) ^ (lsb ? 0xe1000000 : 0);
}

function keyState(key: Uint8Array): KeyState {
  let st = states.get(key);
  if (st) return st;
  const alg = key.length === 16 ? 'aes-128-ecb' : key.length === 32 ? 'aes-256-ecb' : undefined;
  if (!alg) throw new DlmsSecurityError(`AES-GCM key of ${key.length} bytes (suites 0/1 take 16, suite 2 takes 32)`, 'unknown-key');
  const ecb = createCipheriv(alg, key, null).setAutoPadding(false);
  const h = ecb.update(new Uint8Array(16));
  const m = new Uint32Array(64);
  for (let i = 0; i < 4; i++) m[32 + i] = h.readUInt32BE(4 * i); // M[8] = H
  m.copyWithin(16, 32, 36); // M[4] = H·x
  mulx(m, 16);
  m.copyWithin(8, 16, 20); // M[2] = H·x²
  mulx(m, 8);
  m.copyWithin(4, 8, 12); // M[1] = H·x³
  mulx(m, 4);
  for (const i of [3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]) {
    const hi = i & 8 ? 8 : i & 4 ? 4 : i & 2 ? 2 : 1;
    for (let k = 0; k < 4; k++) m[4 * i + k] = m[4 * hi + k]! ^ m[4 * (i ^ hi) + k]!;
  }
  st = { ecb, m };
  states.set(key, st);
  return st;
}

/** y ← y·H, y as 4 words (Horner over the 32 nibbles, last first). */
function mulH(y: Uint32Array, m: Uint32Array): void {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  for (let k = 31; k >= 0; k--) {
    const word = y[k >>> 3]!;
    const nib = (word >>> (28 - 4 * (k & 7))) & 0xf;
    if (k !== 31) {
      const r = z3 & 0xf;
      z3 = (z3 >>> 4) | (z2 << 28);
      z2 = (z2 >>> 4) | (z1 << 28);
      z1 = (z1 >>> 4) | (z0 << 28);
      z0 = (z0 >>> 4) ^ R4[r]!;
    }
    const o = nib * 4;
    z0 ^= m[o]!;
    z1 ^= m[o + 1]!;
    z2 ^= m[o + 2]!;
    z3 ^= m[o + 3]!;
  }
  y[0] = z0;
  y[1] = z1;
  y[2] = z2;
  y[3] = z3;
}

/** Absorbs `data` (zero-padded to whole blocks) into the GHASH state y. */
function ghashAbsorb(y: Uint32Array, m: Uint32Array, data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 16) {
    for (let w = 0; w < 4; w++) {
      const p = i + 4 * w;
      const word = ((data[p] ?? 0) << 24) | ((data[p + 1] ?? 0) << 16) | ((data[p + 2] ?? 0) << 8) | (data[p + 3] ?? 0);
      y[w] = y[w]! ^ word;
    }
    mulH(y, m);
  }
}

/**
 * The keystream E(J0), E(J0+1), … for `n` data bytes in one call into the cipher: J0 = IV ‖ 00000001, counters
 * incremented in the last 32 bits (inc32). Returns E(J0) ‖ keystream.
 */
function keystream(st: KeyState, iv: Uint8Array, n: number): Uint8Array {
  const blocks = 1 + Math.ceil(n / 16);
  // From Node's Buffer pool: a small Uint8Array lives in V8's heap and is copied out of it when handed to OpenSSL.
  const ctr = Buffer.allocUnsafe(16 * blocks);
  for (let b = 0; b < blocks; b++) {
    const o = 16 * b;
    ctr.set(iv, o);
    const c = (1 + b) >>> 0;
    ctr[o + 12] = c >>> 24;
    ctr[o + 13] = (c >>> 16) & 0xff;
    ctr[o + 14] = (c >>> 8) & 0xff;
    ctr[o + 15] = c & 0xff;
  }
  const out = st.ecb.update(ctr);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function tag(st: KeyState, s0: Uint8Array, aad: Uint8Array, ct: Uint8Array): Uint8Array {
  const y = new Uint32Array(4);
  ghashAbsorb(y, st.m, aad);
  ghashAbsorb(y, st.m, ct);
  // len(A) ‖ len(C) in bits, 64 bits each (both far below 2^32 bits here).
  const aBits = aad.length * 8;
  const cBits = ct.length * 8;
  y[0] = y[0]! ^ Math.floor(aBits / 2 ** 32);
  y[1] = y[1]! ^ (aBits >>> 0);
  y[2] = y[2]! ^ Math.floor(cBits / 2 ** 32);
  y[3] = y[3]! ^ (cBits >>> 0);
  mulH(y, st.m);
  const t = new Uint8Array(16);
  for (let w = 0; w < 4; w++) {
    const v = y[w]!;
    t[4 * w] = (v >>> 24) ^ s0[4 * w]!;
    t[4 * w + 1] = ((v >>> 16) & 0xff) ^ s0[4 * w + 1]!;
    t[4 * w + 2] = ((v >>> 8) & 0xff) ^ s0[4 * w + 2]!;
    t[4 * w + 3] = (v & 0xff) ^ s0[4 * w + 3]!;
  }
  return t;
}

function xorInto(out: Uint8Array, a: Uint8Array, ks: Uint8Array): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ ks[16 + i]!;
}

/** Encrypts: ciphertext and the full 16-byte tag. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): { ct: Uint8Array; tag: Uint8Array } {
  const st = keyState(key);
  const ks = keystream(st, iv, plaintext.length);
  const ct = new Uint8Array(plaintext.length);
  xorInto(ct, plaintext, ks);
  return { ct, tag: tag(st, ks, aad, ct) };
}

/** Decrypts and returns the tag the ciphertext should carry; the caller compares it (constantTimeEqual). */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array): { plaintext: Uint8Array; tag: Uint8Array } {
  const st = keyState(key);
  const ks = keystream(st, iv, ct.length);
  const plaintext = new Uint8Array(ct.length);
  xorInto(plaintext, ct, ks);
  return { plaintext, tag: tag(st, ks, aad, ct) };
}
