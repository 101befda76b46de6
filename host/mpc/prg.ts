import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { P } from './field.ts';

// A seeded stream of field elements: AES-128 in counter mode over zeros (node:crypto, AES-NI).
// Used three ways: a party's private randomness, the pairwise keys of pseudo-random secret sharing (prss.ts), and
// the permutations a pair of evaluators applies in the shuffle (shuffle.ts). An element is the low 31 bits of a
// 32-bit word; the word 2^31-1 maps to 0, a bias of 2^-31 per element, negligible next to the protocol's security.

const CHUNK = 1 << 16;

export class Prg {
  private cipher: Cipher;
  private buf = new Uint32Array(0);
  private pos = 0;

  constructor(readonly key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`prg: key must be 16 bytes, got ${key.length}`);
    this.cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  }

  static random(): Prg {
    return new Prg(randomBytes(16));
  }

  private refill(): void {
    const bytes = this.cipher.update(Buffer.alloc(CHUNK * 4));
    this.buf = new Uint32Array(bytes.buffer, bytes.byteOffset, CHUNK);
    this.pos = 0;
  }

  /** One field element, uniform up to the 2^-31 bias noted above. */
  next(): number {
    if (this.pos >= this.buf.length) this.refill();
    const w = this.buf[this.pos++]! & 0x7fffffff;
    return w === P ? 0 : w;
  }

  /** n field elements (block copy from the key stream; same values as n calls to next()). */
  fill(n: number): Uint32Array {
    const out = new Uint32Array(n);
    let o = 0;
    while (o < n) {
      if (this.pos >= this.buf.length) this.refill();
      const take = Math.min(n - o, this.buf.length - this.pos);
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < take; i++) {
        const w = buf[pos + i]! & 0x7fffffff;
        out[o + i] = w === P ? 0 : w;
      }
      this.pos += take;
      o += take;
    }
    return out;
  }

  /** A uniform integer in [0, bound), by rejection (bound ≤ 2^31). */
  below(bound: number): number {
    const limit = Math.floor(0x80000000 / bound) * bound;
    for (;;) {
      if (this.pos >= this.buf.length) this.refill();
      const w = this.buf[this.pos++]! & 0x7fffffff;
      if (w < limit) return w % bound;
    }
  }

  /** A uniform permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const pi = new Uint32Array(n);
    for (let i = 0; i < n; i++) pi[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = pi[i]!;
      pi[i] = pi[j]!;
      pi[j] = t;
    }
    return pi;
  }
}
