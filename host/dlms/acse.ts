import { ByteWriter, Reader } from './bytes.ts';
import { DlmsDecodeError } from './errors.ts';

// ACSE APDUs (IEC 62056-5-3 §9.3 / ISO 8650 in BER): AARQ, AARE, RLRQ, RLRE. Only the fields DLMS uses.

export const CONTEXT = { ln: 1, sn: 2, lnCiphered: 3, snCiphered: 4 } as const;
/** Mechanism ids (Green Book): 0 none, 1 LLS, 2 HLS manufacturer, 3 MD5, 4 SHA-1, 5 GMAC, 6 SHA-256, 7 ECDSA. */
export const MECHANISM = { none: 0, lls: 1, hls: 2, md5: 3, sha1: 4, gmac: 5, sha256: 6, ecdsa: 7 } as const;

// joint-iso-ctt(2) country(16) country-name(756) identified-organization(5) DLMS-UA(8) …: 60 85 74 05 08
const OID_PREFIX = Uint8Array.of(0x60, 0x85, 0x74, 0x05, 0x08);

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

const ACSE_REQUIREMENTS = 0x80; // BIT STRING (07 = unused bits), authentication bit set

// Encoders write into one ByteWriter (bytes.ts): an AARE or RLRE is sent for every association (issue 16).
function octets(w: ByteWriter, tag: number, v: Uint8Array): void {
  const outer = w.open(tag);
  w.u8(0x04).axdrLength(v.length).bytes(v);
  w.close(outer);
}

function oid(w: ByteWriter, tag: number, arc: number, value: number): void {
  w.u8(tag).u8(9).u8(0x06).u8(7).bytes(OID_PREFIX).u8(arc).u8(value);
}

function requirementsAndMechanism(w: ByteWriter, requirementsTag: number, mechanismTag: number, authTag: number, mechanism: number | undefined, auth: Uint8Array | undefined): void {
  if (mechanism === undefined || mechanism === MECHANISM.none) return;
  w.u8(requirementsTag).u8(2).u8(0x07).u8(ACSE_REQUIREMENTS);
  w.u8(mechanismTag).u8(7).bytes(OID_PREFIX).u8(2).u8(mechanism);
  if (auth) {
    const m = w.open(authTag);
    w.u8(0x80).axdrLength(auth.length).bytes(auth);
    w.close(m);
  }
}

export function encodeAarq(a: Aarq): Uint8Array {
  const w = new ByteWriter();
  const top = w.open(0x60);
  oid(w, 0xa1, 1, a.context);
  if (a.callingApTitle) octets(w, 0xa6, a.callingApTitle);
  if (a.callingAeQualifier) octets(w, 0xa7, a.callingAeQualifier);
  requirementsAndMechanism(w, 0x8a, 0x8b, 0xac, a.mechanism, a.callingAuthValue);
  if (a.userInformation) octets(w, 0xbe, a.userInformation);
  return w.close(top).finish();
}

export function encodeAare(a: Aare): Uint8Array {
  const w = new ByteWriter();
  const top = w.open(0x61);
  oid(w, 0xa1, 1, a.context);
  w.u8(0xa2).u8(3).u8(0x02).u8(1).u8(a.result);
  w.u8(0xa3).u8(5).u8(0xa0 | a.diagnosticSource).u8(3).u8(0x02).u8(1).u8(a.diagnostic);
  if (a.respondingApTitle) octets(w, 0xa4, a.respondingApTitle);
  if (a.respondingAeQualifier) octets(w, 0xa5, a.respondingAeQualifier);
  requirementsAndMechanism(w, 0x88, 0x89, 0xaa, a.mechanism, a.respondingAuthValue);
  if (a.userInformation) octets(w, 0xbe, a.userInformation);
  return w.close(top).finish();
}

function release(tag: number, r: Release): Uint8Array {
  const w = new ByteWriter();
  const top = w.open(tag);
  w.u8(0x80).u8(1).u8(r.reason ?? 0);
  if (r.userInformation) octets(w, 0xbe, r.userInformation);
  return w.close(top).finish();
}

export const encodeRlrq = (r: Release): Uint8Array => release(0x62, r);
export const encodeRlre = (r: Release): Uint8Array => release(0x63, r);

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
