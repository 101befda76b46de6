import { ecb } from '@noble/ciphers/aes.js';
import { aeskw } from '@noble/ciphers/aes.js';
import { constantTimeEqual } from '../bytes.ts';
import { DlmsSecurityError } from '../errors.ts';

// AES key wrap (RFC 3394), used by Security setup key_transfer (Blue Book class 64, method 2) with the KEK.
// Unwrapping is done here (RFC 3394 §2.2.2, index-based form) rather than by the library, so that the integrity
// check — the recovered A against the default IV A6A6A6A6A6A6A6A6 (§2.2.3.1) — is our constantTimeEqual, the one
// constant-time comparison every secret and MAC check of host/dlms goes through (issue 16).

const DEFAULT_IV = new Uint8Array(8).fill(0xa6);

export function wrapKey(kek: Uint8Array, key: Uint8Array): Uint8Array {
  return aeskw(kek).encrypt(key);
}

export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) throw new DlmsSecurityError(`key unwrap: KEK of ${kek.length} bytes`, 'unknown-key');
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) throw new DlmsSecurityError(`key unwrap: ${wrapped.length} bytes is not a wrapped key`, 'tag-mismatch');
  const n = wrapped.length / 8 - 1;
  const a = wrapped.slice(0, 8);
  const r = wrapped.slice(8);
  const aes = ecb(kek, { disablePadding: true });
  const block = new Uint8Array(16);
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      // B = AES-1(K, (A ^ t) | R[i]) where t = n*j + i, big-endian over 64 bits.
      let t = n * j + i;
      for (let k = 7; k >= 0 && t > 0; k--) {
        a[k]! ^= t & 0xff;
        t = Math.floor(t / 256);
      }
      block.set(a, 0);
      block.set(r.subarray((i - 1) * 8, i * 8), 8);
      const b = aes.decrypt(block);
      a.set(b.subarray(0, 8));
      r.set(b.subarray(8, 16), (i - 1) * 8);
    }
  }
  if (!constantTimeEqual(a, DEFAULT_IV)) throw new DlmsSecurityError('key unwrap failed: integrity check (wrong KEK or altered key)', 'tag-mismatch');
  return r;
}
