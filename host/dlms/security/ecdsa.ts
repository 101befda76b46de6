import { p256, p384 } from '@noble/curves/nist.js';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DlmsSecurityError } from '../errors.ts';

// ECDSA for suites 1 (P-256, SHA-256) and 2 (P-384, SHA-384): HLS mechanism 7 and general-signing. Signatures are
// the raw r ‖ s form DLMS carries (Green Book §9.2.3.4.4), not DER.

export type Curve = 'p256' | 'p384';
export interface EcPublicKey {
  curve: Curve;
  publicKey: Uint8Array;
}
export interface EcKeyPair extends EcPublicKey {
  secretKey: Uint8Array;
}

const CURVES = { p256, p384 };
const JWK_CURVE: Record<string, Curve> = { 'P-256': 'p256', 'P-384': 'p384' };

const b64u = (s: string | undefined, what: string) => {
  if (!s) throw new DlmsSecurityError(`PEM key has no ${what}`, 'unknown-key');
  return new Uint8Array(Buffer.from(s, 'base64url'));
};

/** Reads a PEM EC key; a private key gives the pair, a public key (or certificate) only the public half. */
export function loadPemKey(path: string): EcKeyPair | EcPublicKey {
  const pem = readFileSync(path, 'utf8');
  if (pem.includes('PRIVATE KEY')) {
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    const curve = JWK_CURVE[jwk.crv ?? ''];
    if (!curve) throw new DlmsSecurityError(`${path}: curve ${jwk.crv} is not P-256 or P-384`, 'unknown-key');
    const d = b64u(jwk.d, 'd');
    return { curve, secretKey: d, publicKey: CURVES[curve].getPublicKey(d, false) };
  }
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  const curve = JWK_CURVE[jwk.crv ?? ''];
  if (!curve) throw new DlmsSecurityError(`${path}: curve ${jwk.crv} is not P-256 or P-384`, 'unknown-key');
  return { curve, publicKey: Uint8Array.of(4, ...b64u(jwk.x, 'x'), ...b64u(jwk.y, 'y')) };
}

export function generateKeyPair(curve: Curve, seed?: Uint8Array): EcKeyPair {
  const { secretKey, publicKey } = CURVES[curve].keygen(seed);
  return { curve, secretKey, publicKey: CURVES[curve].getPublicKey(secretKey, false) };
}

export function signEcdsa(key: EcKeyPair, message: Uint8Array): Uint8Array {
  return CURVES[key.curve].sign(message, key.secretKey); // prehash with the curve's hash (SHA-256 / SHA-384)
}

export function verifyEcdsa(key: EcPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return CURVES[key.curve].verify(signature, message, key.publicKey, { lowS: false });
  } catch (e) {
    // noble throws on malformed signature encodings; for a verifier that is simply "not valid"
    if (e instanceof Error) return false;
    throw e;
  }
}

/** ECDH shared secret (x coordinate), for key agreement in suites 1/2. */
export function ecdh(own: EcKeyPair, peer: EcPublicKey): Uint8Array {
  return CURVES[own.curve].getSharedSecret(own.secretKey, peer.publicKey).slice(1);
}
