import { axdrLength, concat, Reader } from './bytes.ts';
import { DlmsDecodeError } from './errors.ts';

// ACSE APDUs (IEC 62056-5-3 §9.3 / ISO 8650 in BER): AARQ, AARE, RLRQ, RLRE. Only the fields DLMS uses.

export const CONTEXT = { ln: 1, sn: 2, lnCiphered: 3, snCiphered: 4 } as const;
/** Mechanism ids (Green Book): 0 none, 1 LLS, 2 HLS manufacturer, 3 MD5, 4 SHA-1, 5 GMAC, 6 SHA-256, 7 ECDSA. */
export const MECHANISM = { none: 0, lls: 1, hls: 2, md5: 3, sha1: 4, gmac: 5, sha256: 6, ecdsa: 7 } as const;

// joint-iso-ctt(2) country(16) country-name(756) identified-organization(5) DLMS-UA(8) …: 60 85 74 05 08
const OID_PREFIX = [0x60, 0x85, 0x74, 0x05, 0x08];
const contextOid = (ctx: number) => Uint8Array.of(...OID_PREFIX, 1, ctx);
const mechanismOid = (m: number) => Uint8Array.of(...OID_PREFIX, 2, m);

/** AARE result (ACSE): 0 accepted, 1 rejected-permanent, 2 rejected-transient. */
export const RESULT = { accepted: 0, rejectedPermanent: 1, rejectedTransient: 2 } as const;
/** acse-service-user diagnostics. */
export const DIAGNOSTIC = {
  null: 0,
  noReasonGiven: 1,
  applicationContextNotSupported: 2,
  callingApTitleNotRecognized: 3,
  authenticationMechanismNotRecognised: 11,
  authenticationMechanismRequired: 12,
  authenticationFailure: 13,
  authenticationRequired: 14,
} as const;

export interface Aarq {
  context: number;
  callingApTitle?: Uint8Array;
  callingAeQualifier?: Uint8Array;
  mechanism?: number;
  callingAuthValue?: Uint8Array;
  userInformation?: Uint8Array;
}

export interface Aare {
  context: number;
  result: number;
  diagnostic: number;
  /** acse-service-user (1) or acse-service-provider (2) */
  diagnosticSource: number;
  respondingApTitle?: Uint8Array;
  respondingAeQualifier?: Uint8Array;
  mechanism?: number;
  respondingAuthValue?: Uint8Array;
  userInformation?: Uint8Array;
}

export interface Release {
  reason?: number;
  userInformation?: Uint8Array;
}

const tlv = (tag: number, body: Uint8Array) => concat(Uint8Array.of(tag), axdrLength(body.length), body);
const octets = (tag: number, v: Uint8Array) => tlv(tag, tlv(0x04, v));
const ACSE_REQUIREMENTS = Uint8Array.of(0x07, 0x80); // BIT STRING, authentication bit set

export function encodeAarq(a: Aarq): Uint8Array {
  const parts = [tlv(0xa1, tlv(0x06, contextOid(a.context)))];
  if (a.callingApTitle) parts.push(octets(0xa6, a.callingApTitle));
  if (a.callingAeQualifier) parts.push(octets(0xa7, a.callingAeQualifier));
  if (a.mechanism !== undefined && a.mechanism !== MECHANISM.none) {
    parts.push(tlv(0x8a, ACSE_REQUIREMENTS), tlv(0x8b, mechanismOid(a.mechanism)));
    if (a.callingAuthValue) parts.push(tlv(0xac, tlv(0x80, a.callingAuthValue)));
  }
  if (a.userInformation) parts.push(octets(0xbe, a.userInformation));
  return tlv(0x60, concat(...parts));
}

export function encodeAare(a: Aare): Uint8Array {
  const parts = [
    tlv(0xa1, tlv(0x06, contextOid(a.context))),
    tlv(0xa2, tlv(0x02, Uint8Array.of(a.result))),
    tlv(0xa3, tlv(0xa0 | a.diagnosticSource, tlv(0x02, Uint8Array.of(a.diagnostic)))),
  ];
  if (a.respondingApTitle) parts.push(octets(0xa4, a.respondingApTitle));
  if (a.respondingAeQualifier) parts.push(octets(0xa5, a.respondingAeQualifier));
  if (a.mechanism !== undefined && a.mechanism !== MECHANISM.none) {
    parts.push(tlv(0x88, ACSE_REQUIREMENTS), tlv(0x89, mechanismOid(a.mechanism)));
    if (a.respondingAuthValue) parts.push(tlv(0xaa, tlv(0x80, a.respondingAuthValue)));
  }
  if (a.userInformation) parts.push(octets(0xbe, a.userInformation));
  return tlv(0x61, concat(...parts));
}

export function encodeRlrq(r: Release): Uint8Array {
  const parts = [tlv(0x80, Uint8Array.of(r.reason ?? 0))];
  if (r.userInformation) parts.push(octets(0xbe, r.userInformation));
  return tlv(0x62, concat(...parts));
}

export function encodeRlre(r: Release): Uint8Array {
  const parts = [tlv(0x80, Uint8Array.of(r.reason ?? 0))];
  if (r.userInformation) parts.push(octets(0xbe, r.userInformation));
  return tlv(0x63, concat(...parts));
}

/** Splits a BER constructed body into (tag, value) pairs. */
function fields(body: Uint8Array, what: string): Map<number, Uint8Array> {
  const r = new Reader(body, what);
  const out = new Map<number, Uint8Array>();
  while (!r.atEnd()) {
    const tag = r.u8();
    if ((tag & 0x1f) === 0x1f) r.fail('multi-byte BER tags are not used by ACSE');
    const v = r.bytes(r.axdrLength());
    if (out.has(tag)) r.fail(`duplicate field 0x${tag.toString(16)}`);
    out.set(tag, v);
  }
  return out;
}

function outer(b: Uint8Array, tag: number, what: string): Map<number, Uint8Array> {
  const r = new Reader(b, what);
  if (r.u8() !== tag) r.fail(`not an ${what}`);
  const body = r.bytes(r.axdrLength());
  if (!r.atEnd()) r.fail(`${r.remaining} trailing byte(s)`);
  return fields(body, what);
}

function inner(v: Uint8Array, tag: number, what: string): Uint8Array {
  const r = new Reader(v, what);
  if (r.u8() !== tag) r.fail(`expected tag 0x${tag.toString(16)}`);
  const x = r.bytes(r.axdrLength());
  if (!r.atEnd()) r.fail('trailing bytes');
  return x;
}

function oidLast(v: Uint8Array, arc: number, what: string): number {
  const oid = inner(v, 0x06, what);
  if (oid.length !== 7 || OID_PREFIX.some((x, i) => oid[i] !== x) || oid[5] !== arc) {
    throw new DlmsDecodeError(`${what}: unknown object identifier`);
  }
  return oid[6]!;
}

const mechanismOf = (v: Uint8Array | undefined, what: string) => {
  if (!v) return undefined;
  // mechanism-name is [11] IMPLICIT OBJECT IDENTIFIER: the value is the bare OID content
  if (v.length !== 7 || OID_PREFIX.some((x, i) => v[i] !== x) || v[5] !== 2) throw new DlmsDecodeError(`${what}: bad mechanism name`);
  return v[6]!;
};

export function decodeAarq(b: Uint8Array): Aarq {
  const f = outer(b, 0x60, 'AARQ');
  const ctx = f.get(0xa1);
  if (!ctx) throw new DlmsDecodeError('AARQ without application-context-name');
  const a: Aarq = { context: oidLast(ctx, 1, 'AARQ application-context-name') };
  const t = f.get(0xa6);
  if (t) a.callingApTitle = inner(t, 0x04, 'calling-AP-title');
  const q = f.get(0xa7);
  if (q) a.callingAeQualifier = inner(q, 0x04, 'calling-AE-qualifier');
  a.mechanism = mechanismOf(f.get(0x8b), 'AARQ');
  const av = f.get(0xac);
  if (av) a.callingAuthValue = inner(av, 0x80, 'calling-authentication-value');
  const ui = f.get(0xbe);
  if (ui) a.userInformation = inner(ui, 0x04, 'user-information');
  return a;
}

export function decodeAare(b: Uint8Array): Aare {
  const f = outer(b, 0x61, 'AARE');
  const ctx = f.get(0xa1);
  const res = f.get(0xa2);
  const diag = f.get(0xa3);
  if (!ctx || !res || !diag) throw new DlmsDecodeError('AARE without context, result or diagnostic');
  const result = inner(res, 0x02, 'result');
  const dr = new Reader(diag, 'result-source-diagnostic');
  const srcTag = dr.u8();
  const dv = dr.bytes(dr.axdrLength());
  const dval = inner(dv, 0x02, 'diagnostic');
  const a: Aare = {
    context: oidLast(ctx, 1, 'AARE application-context-name'),
    result: result[0] ?? 0,
    diagnosticSource: srcTag & 0x1f,
    diagnostic: dval[0] ?? 0,
  };
  const t = f.get(0xa4);
  if (t) a.respondingApTitle = inner(t, 0x04, 'responding-AP-title');
  const q = f.get(0xa5);
  if (q) a.respondingAeQualifier = inner(q, 0x04, 'responding-AE-qualifier');
  a.mechanism = mechanismOf(f.get(0x89), 'AARE');
  const av = f.get(0xaa);
  if (av) a.respondingAuthValue = inner(av, 0x80, 'responding-authentication-value');
  const ui = f.get(0xbe);
  if (ui) a.userInformation = inner(ui, 0x04, 'user-information');
  return a;
}

function decodeRelease(b: Uint8Array, tag: number, what: string): Release {
  const f = outer(b, tag, what);
  const out: Release = {};
  const reason = f.get(0x80);
  if (reason) out.reason = reason[0] ?? 0;
  const ui = f.get(0xbe);
  if (ui) out.userInformation = inner(ui, 0x04, 'user-information');
  return out;
}

export const decodeRlrq = (b: Uint8Array) => decodeRelease(b, 0x62, 'RLRQ');
export const decodeRlre = (b: Uint8Array) => decodeRelease(b, 0x63, 'RLRE');
