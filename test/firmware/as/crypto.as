// Test harness: the meter's AES-128 and GCM/GMAC (firmware/lib/crypto).
export { aes_key, aes_encrypt } from '../../../firmware/lib/crypto/aes';
export { gcm_key, gcm_seal, gcm_open, gmac, ct_equal } from '../../../firmware/lib/crypto/gcm';
import { AES_STATE } from '../../../firmware/lib/crypto/aes';

/** Scratch for the test's inputs and outputs (key, IV, AAD, data, tag). */
const IO: usize = memory.data(1024);
export function io(): usize { return IO; }
export function state(): usize { return AES_STATE; }
