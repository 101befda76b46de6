import { aeskw } from '@noble/ciphers/aes.js';
import { DlmsSecurityError } from '../errors.ts';

// AES key wrap (RFC 3394), used by Security setup key_transfer (Blue Book class 64, method 2) with the KEK.

export function wrapKey(kek: Uint8Array, key: Uint8Array): Uint8Array {
  return aeskw(kek).encrypt(key);
}

export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  try {
    return aeskw(kek).decrypt(wrapped);
  } catch (e) {
    throw new DlmsSecurityError(`key unwrap failed: ${(e as Error).message}`, 'tag-mismatch');
  }
}
