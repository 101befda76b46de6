import { axdrLength, concat, Reader } from '../bytes.ts';
import { DlmsDecodeError } from '../errors.ts';

// The ciphered APDU envelopes (IEC 62056-5-3 §9.5, tags of the xDLMS APDU CHOICE): service-specific glo-/ded-
// ciphering (one tag per service, the plain tag + 8 for glo / + 16 for ded of the GET/SET/ACTION family),
// and general-glo-/general-ded-ciphering (0xDB / 0xDC) that carry the sender's system title.

export type CipherStyle = 'glo' | 'ded' | 'general-glo' | 'general-ded';

const GLO: Record<number, number> = { 0x01: 0x21, 0x08: 0x28, 0xc0: 0xc8, 0xc1: 0xc9, 0xc3: 0xcb, 0xc4: 0xcc, 0xc5: 0xcd, 0xc7: 0xcf };
const DED: Record<number, number> = { 0xc0: 0xd0, 0xc1: 0xd1, 0xc3: 0xd3, 0xc4: 0xd4, 0xc5: 0xd5, 0xc7: 0xd7 };
const PLAIN_OF = new Map<number, [number, CipherStyle]>([
  ...Object.entries(GLO).map(([p, c]) => [c, [Number(p), 'glo']] as [number, [number, CipherStyle]]),
  ...Object.entries(DED).map(([p, c]) => [c, [Number(p), 'ded']] as [number, [number, CipherStyle]]),
]);
export const GENERAL_GLO = 0xdb;
export const GENERAL_DED = 0xdc;

export function isCiphered(tag: number): boolean {
  return PLAIN_OF.has(tag) || tag === GENERAL_GLO || tag === GENERAL_DED;
}

/** Wraps `body` (security header ‖ information) for the plain APDU tag `plainTag`. */
export function envelope(style: CipherStyle, plainTag: number, body: Uint8Array, systemTitle?: Uint8Array): Uint8Array {
  if (style === 'general-glo' || style === 'general-ded') {
    if (!systemTitle) throw new DlmsDecodeError('general ciphering needs the sender system title');
    return concat(Uint8Array.of(style === 'general-glo' ? GENERAL_GLO : GENERAL_DED, systemTitle.length), systemTitle, axdrLength(body.length), body);
  }
  const tag = (style === 'glo' ? GLO : DED)[plainTag];
  if (tag === undefined) throw new DlmsDecodeError(`no ${style}-ciphered form of APDU 0x${plainTag.toString(16)}`);
  return concat(Uint8Array.of(tag), axdrLength(body.length), body);
}

export interface Envelope {
  style: CipherStyle;
  /** The plain tag the content must have once deciphered (undefined for general ciphering: any). */
  plainTag?: number;
  systemTitle?: Uint8Array;
  body: Uint8Array;
}

export function openEnvelope(apdu: Uint8Array): Envelope {
  const r = new Reader(apdu, 'ciphered APDU');
  const tag = r.u8();
  let style: CipherStyle;
  let plainTag: number | undefined;
  let systemTitle: Uint8Array | undefined;
  if (tag === GENERAL_GLO || tag === GENERAL_DED) {
    style = tag === GENERAL_GLO ? 'general-glo' : 'general-ded';
    systemTitle = r.bytes(r.axdrLength());
  } else {
    const p = PLAIN_OF.get(tag);
    if (!p) return r.fail(`tag 0x${tag.toString(16)} is not a ciphered APDU`);
    [plainTag, style] = p;
  }
  const body = r.bytes(r.axdrLength());
  if (!r.atEnd()) r.fail(`${r.remaining} trailing byte(s)`);
  return { style, plainTag, systemTitle, body };
}
