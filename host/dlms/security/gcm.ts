import { gcmOpen, gcmSeal } from './gcm-core.ts';
import { concat, constantTimeEqual, Reader, u32 } from '../bytes.ts';
import { DlmsDecodeError, DlmsSecurityError } from '../errors.ts';

// Cryptographic protection of APDUs with AES-GCM (IEC 62056-5-3 §9.2.7.2): IV = system title ‖ invocation counter,
// AAD = SC ‖ AK (‖ plaintext when only authenticated), tag truncated to 12 bytes.

export const TAG_BYTES = 12;

/** Security control byte: suite id in bits 0–3, A = bit 4, E = bit 5, broadcast key = bit 6, compression = bit 7. */
export interface SecurityControl {
  suite: number;
  authenticated: boolean;
  encrypted: boolean;
  broadcast?: boolean;
}

export function scByte(sc: SecurityControl): number {
  return (sc.suite & 0x0f) | (sc.authenticated ? 0x10 : 0) | (sc.encrypted ? 0x20 : 0) | (sc.broadcast ? 0x40 : 0);
}

export function parseSc(b: number): SecurityControl {
  if (b & 0x80) throw new DlmsDecodeError('compressed APDUs (security control bit 7) are not supported');
  return { suite: b & 0x0f, authenticated: (b & 0x10) !== 0, encrypted: (b & 0x20) !== 0, broadcast: (b & 0x40) !== 0 };
}

export interface GcmKeys {
  ek: Uint8Array;
  ak: Uint8Array;
}

const NO_BYTES = new Uint8Array(0);

function iv(systemTitle: Uint8Array, ic: number): Uint8Array {
  if (systemTitle.length !== 8) throw new DlmsSecurityError(`system title must be 8 bytes, got ${systemTitle.length}`, 'policy');
  const n = new Uint8Array(12);
  n.set(systemTitle);
  n[8] = ic >>> 24;
  n[9] = (ic >>> 16) & 0xff;
  n[10] = (ic >>> 8) & 0xff;
  n[11] = ic & 0xff;
  return n;
}

/** Ciphertext and the GCM tag truncated to 12 bytes (DLMS sends the first 12, Green Book §9.2.7.2.4.2). */
function tagOf(ek: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): { ct: Uint8Array; tag: Uint8Array } {
  const r = gcmSeal(ek, nonce, aad, plaintext);
  return { ct: r.ct, tag: r.tag.subarray(0, TAG_BYTES) };
}

/** Returns SC ‖ IC ‖ (ciphertext or plaintext) ‖ (tag if authenticated): the "security header + information" part. */
export function protect(sc: SecurityControl, keys: GcmKeys, systemTitle: Uint8Array, ic: number, plaintext: Uint8Array): Uint8Array {
  const s = scByte(sc);
  const nonce = iv(systemTitle, ic);
  const head = concat(Uint8Array.of(s), u32(ic));
  if (sc.authenticated && sc.encrypted) {
    const { ct, tag } = tagOf(keys.ek, nonce, concat(Uint8Array.of(s), keys.ak), plaintext);
    return concat(head, ct, tag);
  }
  if (sc.encrypted) {
    const { ct } = tagOf(keys.ek, nonce, new Uint8Array(0), plaintext);
    return concat(head, ct);
  }
  if (sc.authenticated) {
    const { tag } = tagOf(keys.ek, nonce, concat(Uint8Array.of(s), keys.ak, plaintext), new Uint8Array(0));
    return concat(head, plaintext, tag);
  }
  throw new DlmsSecurityError('security control byte asks for neither authentication nor encryption', 'policy');
}

export interface Unprotected {
  sc: SecurityControl;
  ic: number;
  plaintext: Uint8Array;
}

/** Inverse of protect(); a wrong key or altered byte is DlmsSecurityError('tag-mismatch'). */
export function unprotect(keys: GcmKeys, systemTitle: Uint8Array, body: Uint8Array): Unprotected {
  const r = new Reader(body, 'ciphered APDU');
  const s = r.u8();
  const sc = parseSc(s);
  const ic = r.u32();
  const nonce = iv(systemTitle, ic);
  const rest = r.rest();
  if (sc.authenticated) {
    if (rest.length < TAG_BYTES) throw new DlmsDecodeError('ciphered APDU shorter than its tag');
    const data = rest.subarray(0, rest.length - TAG_BYTES);
    const tag = rest.subarray(rest.length - TAG_BYTES);
    if (sc.encrypted) {
      // Decrypt (GCM's CTR keystream, NIST SP 800-38D), then recompute the tag over the plaintext and compare it
      // ourselves, in constant time: the one comparison of secrets and MACs in host/dlms (issue 16).
      const { plaintext, tag: full } = gcmOpen(keys.ek, nonce, concat(Uint8Array.of(s), keys.ak), data);
      const expect = full.subarray(0, TAG_BYTES);
      if (!constantTimeEqual(expect, tag)) throw new DlmsSecurityError('GCM tag mismatch (wrong key or altered APDU)', 'tag-mismatch');
      return { sc, ic, plaintext };
    }
    const expect = tagOf(keys.ek, nonce, concat(Uint8Array.of(s), keys.ak, data), new Uint8Array(0)).tag;
    if (!constantTimeEqual(expect, tag)) throw new DlmsSecurityError('GMAC tag mismatch (wrong key or altered APDU)', 'tag-mismatch');
    return { sc, ic, plaintext: data.slice() };
  }
  if (sc.encrypted) return { sc, ic, plaintext: gcmOpen(keys.ek, nonce, NO_BYTES, rest).plaintext };
  throw new DlmsSecurityError('security control byte asks for neither authentication nor encryption', 'policy');
}

/** GMAC of HLS mechanism 5 (Green Book): tag over SC ‖ AK ‖ data with IV = title ‖ IC, empty plaintext. */
export function gmac(keys: GcmKeys, systemTitle: Uint8Array, ic: number, sc: number, data: Uint8Array): Uint8Array {
  return tagOf(keys.ek, iv(systemTitle, ic), concat(Uint8Array.of(sc), keys.ak, data), new Uint8Array(0)).tag.slice();
}
