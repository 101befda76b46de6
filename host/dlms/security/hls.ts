import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';
import { concat, constantTimeEqual, readU32, u32 } from '../bytes.ts';
import { DlmsSecurityError } from '../errors.ts';
import { signEcdsa, verifyEcdsa, type EcKeyPair, type EcPublicKey } from './ecdsa.ts';
import { gmac, type GcmKeys } from './gcm.ts';

// HLS pass 3/4 responses (seed Table 3.1; Green Book §9.2.7.4) and the seed's hardening (Table 3.2):
//  standard: mech 5 f(X) = SC ‖ IC ‖ GMAC(SC ‖ AK ‖ X); mech 6 SHA-256(secret ‖ ST-own ‖ ST-peer ‖ X ‖ Y);
//            mech 7 ECDSA(ST-own ‖ ST-peer ‖ X ‖ Y).
//  hardened: each challenge ends with the sender's 4-byte invocation counter (Table 3.2), and mech 5 binds both
//            challenges, reversed per direction (seed §3.4.2, "f(StoC‖CtoS) … f(CtoS‖StoC)"), which the
//            standard GMAC response does not.

export type Mechanism = 'none' | 'lls' | 'hls-md5' | 'hls-sha1' | 'hls-gmac' | 'hls-sha256' | 'hls-ecdsa';
export type Profile = 'hardened' | 'standard';

export const MECHANISM_ID: Record<Mechanism, number> = {
  none: 0,
  lls: 1,
  'hls-md5': 3,
  'hls-sha1': 4,
  'hls-gmac': 5,
  'hls-sha256': 6,
  'hls-ecdsa': 7,
};
export const MECHANISM_BY_ID = new Map<number, Mechanism>(Object.entries(MECHANISM_ID).map(([k, v]) => [v, k as Mechanism]));

export const isHls = (m: Mechanism) => m.startsWith('hls-');

/** Bytes of randomness in a challenge: 16 (Green Book allows 8–64), 32 for ECDSA (32–64). */
export const challengeRandomBytes = (m: Mechanism) => (m === 'hls-ecdsa' ? 32 : 16);

/** A fresh challenge from the CSPRNG; hardened challenges carry the sender's counter in their last 4 bytes. */
export function makeChallenge(m: Mechanism, counter?: number): Uint8Array {
  const r = new Uint8Array(randomBytes(challengeRandomBytes(m)));
  return counter === undefined ? r : concat(r, u32(counter));
}

/** The counter a hardened challenge carries, or undefined when it is too short to carry one. */
export function challengeCounter(m: Mechanism, challenge: Uint8Array): number | undefined {
  if (challenge.length !== challengeRandomBytes(m) + 4) return undefined;
  return readU32(challenge, challenge.length - 4);
}

export function challengeLengthOk(m: Mechanism, c: Uint8Array): boolean {
  return m === 'hls-ecdsa' ? c.length >= 32 && c.length <= 68 : c.length >= 8 && c.length <= 68;
}

export interface HlsParties {
  mechanism: Mechanism;
  profile: Profile;
  suite: number;
  clientTitle: Uint8Array;
  serverTitle: Uint8Array;
  ctos: Uint8Array;
  stoc: Uint8Array;
  keys?: GcmKeys; // mech 5
  secret?: Uint8Array; // mech 3, 4, 6
  clientKey?: EcKeyPair | EcPublicKey; // mech 7
  serverKey?: EcKeyPair | EcPublicKey;
}

type Side = 'client' | 'server';

/** What side `by` signs/MACs: the peer's challenge, then (hardened, mech 5) its own. */
function macInput(p: HlsParties, by: Side): Uint8Array {
  const [peer, own] = by === 'client' ? [p.stoc, p.ctos] : [p.ctos, p.stoc];
  return p.profile === 'hardened' ? concat(peer, own) : peer;
}

function titles(p: HlsParties, by: Side): Uint8Array {
  return by === 'client' ? concat(p.clientTitle, p.serverTitle) : concat(p.serverTitle, p.clientTitle);
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new DlmsSecurityError(`HLS: ${what} is not configured`, 'unknown-key');
  return v;
}

/** Mechanism 7 needs suite 1 (P-256) or 2 (P-384) and a key on that suite's curve. */
function checkCurve(p: HlsParties, curve: string): void {
  const want = p.suite === 1 ? 'p256' : p.suite === 2 ? 'p384' : undefined;
  if (curve !== want) throw new DlmsSecurityError(`HLS-ECDSA needs suite 1 or 2 with a matching key (suite ${p.suite}, key on ${curve})`, 'policy');
}

/** Computes f(StoC) (by = client) or f(CtoS) (by = server). `ic` is the sender's invocation counter (mech 5). */
export function hlsResponse(p: HlsParties, by: Side, ic: number): Uint8Array {
  const [peer, own] = by === 'client' ? [p.stoc, p.ctos] : [p.ctos, p.stoc];
  const title = by === 'client' ? p.clientTitle : p.serverTitle;
  switch (p.mechanism) {
    case 'hls-gmac': {
      const sc = 0x10 | p.suite;
      return concat(Uint8Array.of(sc), u32(ic), gmac(need(p.keys, 'GMAC keys'), title, ic, sc, macInput(p, by)));
    }
    case 'hls-sha256':
      return sha256(concat(need(p.secret, 'HLS secret'), titles(p, by), peer, own));
    case 'hls-ecdsa': {
      const key = need(by === 'client' ? p.clientKey : p.serverKey, `${by} ECDSA key`);
      checkCurve(p, key.curve);
      if (!('secretKey' in key)) throw new DlmsSecurityError(`HLS: no private ${by} ECDSA key`, 'unknown-key');
      return signEcdsa(key as EcKeyPair, concat(titles(p, by), peer, own));
    }
    case 'hls-md5':
      return md5(concat(peer, need(p.secret, 'HLS secret')));
    case 'hls-sha1':
      return sha1(concat(peer, need(p.secret, 'HLS secret')));
    default:
      throw new DlmsSecurityError(`HLS response asked for non-HLS mechanism ${p.mechanism}`, 'policy');
  }
}

/** Checks the peer's response; returns the invocation counter it carried (mech 5) so the caller can apply the IC rule. */
export function verifyHlsResponse(p: HlsParties, by: Side, response: Uint8Array): { ic?: number } {
  const fail = (): never => {
    throw new DlmsSecurityError(`HLS: wrong ${by === 'client' ? 'f(StoC)' : 'f(CtoS)'} from the ${by}`, 'wrong-response');
  };
  if (p.mechanism === 'hls-gmac') {
    if (response.length !== 17 || response[0] !== (0x10 | p.suite)) fail();
    const ic = readU32(response, 1);
    if (!constantTimeEqual(hlsResponse(p, by, ic), response)) fail();
    return { ic };
  }
  if (p.mechanism === 'hls-ecdsa') {
    const key = need(by === 'client' ? p.clientKey : p.serverKey, `${by} ECDSA public key`);
    checkCurve(p, key.curve);
    const [peer, own] = by === 'client' ? [p.stoc, p.ctos] : [p.ctos, p.stoc];
    if (!verifyEcdsa(key, concat(titles(p, by), peer, own), response)) fail();
    return {};
  }
  if (!constantTimeEqual(hlsResponse(p, by, 0), response)) fail();
  return {};
}
