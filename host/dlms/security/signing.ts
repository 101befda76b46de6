import { axdrLength, concat, equalPublicBytes, Reader } from '../bytes.ts';
import { DlmsDecodeError, DlmsSecurityError } from '../errors.ts';
import { signEcdsa, verifyEcdsa, type EcKeyPair, type EcPublicKey } from './ecdsa.ts';

// general-signing (Green Book, xDLMS APDU tag 0xDF; suites 1 and 2): transaction-id, originator-system-title,
// recipient-system-title, date-time, other-information, content (the signed APDU, itself plain or ciphered) and
// signature, each an A-XDR octet string. We sign the APDU from its tag through the content field with ECDSA on
// the suite's curve (raw r ‖ s). Not yet checked against a second implementation: no open DLMS library we could
// build implements general-signing.

export const GENERAL_SIGNING = 0xdf;

export interface GeneralSigning {
  transactionId: Uint8Array;
  originator: Uint8Array;
  recipient: Uint8Array;
  dateTime: Uint8Array;
  otherInformation: Uint8Array;
  content: Uint8Array;
  signature: Uint8Array;
}

const os = (b: Uint8Array) => concat(axdrLength(b.length), b);

function signedPart(g: Omit<GeneralSigning, 'signature'>): Uint8Array {
  return concat(Uint8Array.of(GENERAL_SIGNING), os(g.transactionId), os(g.originator), os(g.recipient), os(g.dateTime), os(g.otherInformation), os(g.content));
}

export function sign(g: Omit<GeneralSigning, 'signature'>, key: EcKeyPair): Uint8Array {
  const body = signedPart(g);
  return concat(body, os(signEcdsa(key, body)));
}

export function decodeGeneralSigning(apdu: Uint8Array): GeneralSigning & { signed: Uint8Array } {
  const r = new Reader(apdu, 'general-signing');
  if (r.u8() !== GENERAL_SIGNING) r.fail('not a general-signing APDU');
  const f = () => r.bytes(r.axdrLength());
  const g = { transactionId: f(), originator: f(), recipient: f(), dateTime: f(), otherInformation: f(), content: f() };
  const signed = apdu.slice(0, r.pos);
  const signature = f();
  if (!r.atEnd()) r.fail(`${r.remaining} trailing byte(s)`);
  return { ...g, signature, signed };
}

/** Checks the signature and the two system titles; returns the content. */
export function openSigned(apdu: Uint8Array, from: Uint8Array, to: Uint8Array, key: EcPublicKey): GeneralSigning {
  const g = decodeGeneralSigning(apdu);
  if (!equalPublicBytes(g.originator, from) || (g.recipient.length && !equalPublicBytes(g.recipient, to))) {
    throw new DlmsSecurityError('general-signing between other system titles', 'policy');
  }
  if (g.content.length === 0) throw new DlmsDecodeError('general-signing without content');
  if (!verifyEcdsa(key, g.signed, g.signature)) throw new DlmsSecurityError('general-signing signature does not verify', 'signature');
  return g;
}
