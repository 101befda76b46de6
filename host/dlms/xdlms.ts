import { decodeData, encodeData, writeData, type CosemData } from './axdr.ts';
import { axdrLength, ByteWriter, concat, Reader, u16, u32 } from './bytes.ts';
import { DlmsDecodeError } from './errors.ts';

// xDLMS APDUs of the LN referencing (IEC 62056-5-3 §9.5, A-XDR): InitiateRequest/Response, GET/SET/ACTION
// in their normal, with-list and block forms, exception-response and confirmed-service-error.

export const APDU = {
  initiateRequest: 0x01,
  initiateResponse: 0x08,
  confirmedServiceError: 0x0e,
  getRequest: 0xc0,
  setRequest: 0xc1,
  actionRequest: 0xc3,
  getResponse: 0xc4,
  setResponse: 0xc5,
  actionResponse: 0xc7,
  exceptionResponse: 0xd8,
} as const;

/** Conformance block bits (Green Book, the 24-bit BIT STRING read as a big-endian number). */
export const CONFORMANCE = {
  generalProtection: 0x400000,
  generalBlockTransfer: 0x200000,
  attribute0WithSet: 0x008000,
  priorityMgmt: 0x004000,
  attribute0WithGet: 0x002000,
  blockTransferWithGet: 0x001000,
  blockTransferWithSet: 0x000800,
  blockTransferWithAction: 0x000400,
  multipleReferences: 0x000200,
  dataNotification: 0x000080,
  access: 0x000040,
  get: 0x000010,
  set: 0x000008,
  selectiveAccess: 0x000004,
  eventNotification: 0x000002,
  action: 0x000001,
} as const;

/** The services this library implements, both sides: what the client proposes and the server grants. */
export const SUPPORTED_CONFORMANCE =
  CONFORMANCE.generalProtection |
  CONFORMANCE.blockTransferWithGet |
  CONFORMANCE.blockTransferWithSet |
  CONFORMANCE.blockTransferWithAction |
  CONFORMANCE.multipleReferences |
  CONFORMANCE.get |
  CONFORMANCE.set |
  CONFORMANCE.selectiveAccess |
  CONFORMANCE.action;

/** Data-access-result (Green Book). */
export const DAR = {
  success: 0,
  hardwareFault: 1,
  temporaryFailure: 2,
  readWriteDenied: 3,
  objectUndefined: 4,
  objectClassInconsistent: 9,
  objectUnavailable: 11,
  typeUnmatched: 12,
  scopeOfAccessViolated: 13,
  dataBlockUnavailable: 14,
  longGetAborted: 15,
  noLongGetInProgress: 16,
  longSetAborted: 17,
  noLongSetInProgress: 18,
  dataBlockNumberInvalid: 19,
  otherReason: 250,
} as const;

export const DAR_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(DAR).map(([k, v]) => [v, k.replace(/[A-Z0-9]/g, (c) => '-' + c.toLowerCase())]),
);

export interface InitiateRequest {
  dedicatedKey?: Uint8Array;
  conformance: number;
  maxPduSize: number;
  dlmsVersion: number;
}

export interface InitiateResponse {
  conformance: number;
  maxPduSize: number;
  dlmsVersion: number;
  vaaName: number;
}

export function encodeInitiateRequest(r: InitiateRequest): Uint8Array {
  const dk = r.dedicatedKey ? concat(Uint8Array.of(1, r.dedicatedKey.length), r.dedicatedKey) : Uint8Array.of(0);
  return concat(Uint8Array.of(APDU.initiateRequest), dk, Uint8Array.of(0, 0, r.dlmsVersion), conformanceBytes(r.conformance), u16(r.maxPduSize));
}

export function decodeInitiateRequest(b: Uint8Array): InitiateRequest {
  const r = new Reader(b, 'InitiateRequest');
  if (r.u8() !== APDU.initiateRequest) r.fail('not an InitiateRequest');
  let dedicatedKey: Uint8Array | undefined;
  if (r.u8()) dedicatedKey = r.bytes(r.u8());
  if (r.u8()) r.u8(); // response-allowed: present means FALSE/TRUE explicitly; we always answer
  if (r.u8()) r.u8(); // proposed-quality-of-service
  const dlmsVersion = r.u8();
  const conformance = readConformance(r);
  const maxPduSize = r.u16();
  return { dedicatedKey, conformance, maxPduSize, dlmsVersion };
}

export function encodeInitiateResponse(r: InitiateResponse): Uint8Array {
  return concat(Uint8Array.of(APDU.initiateResponse, 0, r.dlmsVersion), conformanceBytes(r.conformance), u16(r.maxPduSize), u16(r.vaaName));
}

export function decodeInitiateResponse(b: Uint8Array): InitiateResponse {
  const r = new Reader(b, 'InitiateResponse');
  if (r.u8() !== APDU.initiateResponse) r.fail('not an InitiateResponse');
  if (r.u8()) r.u8(); // negotiated-quality-of-service
  const dlmsVersion = r.u8();
  const conformance = readConformance(r);
  const maxPduSize = r.u16();
  const vaaName = r.u16();
  return { conformance, maxPduSize, dlmsVersion, vaaName };
}

function conformanceBytes(c: number): Uint8Array {
  // [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24)): 5F 1F, length 4, 0 unused bits, three bytes.
  return Uint8Array.of(0x5f, 0x1f, 0x04, 0x00, (c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff);
}

function readConformance(r: Reader): number {
  if (r.u8() !== 0x5f || r.u8() !== 0x1f || r.u8() !== 0x04) r.fail('bad conformance block header');
  r.u8(); // unused bits
  return (r.u8() << 16) | (r.u8() << 8) | r.u8();
}

/** ConfirmedServiceError: which service ([1] initiate, [5] read, …) and the ServiceError choice + value. */
export interface ConfirmedServiceError {
  service: number;
  errorKind: number; // ServiceError choice: 6 = initiate
  value: number; // for initiate: 1 dlms-version-too-low, 2 incompatible-conformance, 3 pdu-size-too-short, 4 refused-by-the-VDE-handler
}

export function encodeConfirmedServiceError(e: ConfirmedServiceError): Uint8Array {
  return Uint8Array.of(APDU.confirmedServiceError, e.service, e.errorKind, e.value);
}

export function decodeConfirmedServiceError(b: Uint8Array): ConfirmedServiceError {
  const r = new Reader(b, 'ConfirmedServiceError');
  if (r.u8() !== APDU.confirmedServiceError) r.fail('not a ConfirmedServiceError');
  return { service: r.u8(), errorKind: r.u8(), value: r.u8() };
}

// ---- COSEM service APDUs ----

export interface AttributeDescriptor {
  classId: number;
  ln: Uint8Array;
  attr: number;
}
export interface MethodDescriptor {
  classId: number;
  ln: Uint8Array;
  method: number;
}
export interface AccessSelection {
  selector: number;
  params: CosemData;
}
export interface AttributeRef {
  descriptor: AttributeDescriptor;
  access?: AccessSelection;
}
/** Get-Data-Result: data, or a data-access-result. */
export type DataResult = { data: CosemData } | { dar: number };
export interface DataBlock {
  last: boolean;
  block: number;
  raw: Uint8Array;
}

export type Request =
  | { kind: 'get'; invokeId: number; ref: AttributeRef }
  | { kind: 'get-next'; invokeId: number; block: number }
  | { kind: 'get-list'; invokeId: number; refs: AttributeRef[] }
  | { kind: 'set'; invokeId: number; ref: AttributeRef; value: CosemData }
  | { kind: 'set-first-block'; invokeId: number; ref: AttributeRef; data: DataBlock }
  | { kind: 'set-block'; invokeId: number; data: DataBlock }
  | { kind: 'set-list'; invokeId: number; refs: AttributeRef[]; values: CosemData[] }
  | { kind: 'action'; invokeId: number; method: MethodDescriptor; params?: CosemData }
  | { kind: 'action-next'; invokeId: number; block: number }
  | { kind: 'action-list'; invokeId: number; methods: MethodDescriptor[]; params: CosemData[] }
  | { kind: 'action-first-block'; invokeId: number; method: MethodDescriptor; data: DataBlock }
  | { kind: 'action-block'; invokeId: number; data: DataBlock };

export interface ActionResult {
  result: number;
  data?: DataResult;
}

export type Response =
  | { kind: 'get'; invokeId: number; result: DataResult }
  | { kind: 'get-block'; invokeId: number; last: boolean; block: number; raw?: Uint8Array; dar?: number }
  | { kind: 'get-list'; invokeId: number; results: DataResult[] }
  | { kind: 'set'; invokeId: number; dar: number }
  | { kind: 'set-block-ack'; invokeId: number; block: number }
  | { kind: 'set-last-block'; invokeId: number; dar: number; block: number }
  | { kind: 'set-list'; invokeId: number; dars: number[] }
  | { kind: 'action'; invokeId: number; result: ActionResult }
  | { kind: 'action-block'; invokeId: number; data: DataBlock }
  | { kind: 'action-list'; invokeId: number; results: ActionResult[] }
  | { kind: 'action-next-pblock'; invokeId: number; block: number }
  | { kind: 'exception'; stateError: number; serviceError: number; invocationCounter?: number };

const attrDesc = (d: AttributeDescriptor) => concat(u16(d.classId), d.ln, Uint8Array.of(d.attr & 0xff));
const methodDesc = (d: MethodDescriptor) => concat(u16(d.classId), d.ln, Uint8Array.of(d.method & 0xff));
const access = (a?: AccessSelection) => (a ? concat(Uint8Array.of(1, a.selector), encodeData(a.params)) : Uint8Array.of(0));
const ref = (x: AttributeRef) => concat(attrDesc(x.descriptor), access(x.access));
const block = (b: DataBlock) => concat(Uint8Array.of(b.last ? 1 : 0), u32(b.block), axdrLength(b.raw.length), b.raw);
const dataResult = (d: DataResult) => ('data' in d ? concat(Uint8Array.of(0), encodeData(d.data)) : Uint8Array.of(1, d.dar));
const actionResult = (a: ActionResult) => concat(Uint8Array.of(a.result), a.data ? concat(Uint8Array.of(1), dataResult(a.data)) : Uint8Array.of(0));
const list = <T>(xs: T[], f: (x: T) => Uint8Array) => concat(axdrLength(xs.length), ...xs.map(f));

export function encodeRequest(q: Request): Uint8Array {
  const iid = Uint8Array.of(q.invokeId);
  switch (q.kind) {
    case 'get':
      return concat(Uint8Array.of(APDU.getRequest, 1), iid, ref(q.ref));
    case 'get-next':
      return concat(Uint8Array.of(APDU.getRequest, 2), iid, u32(q.block));
    case 'get-list':
      return concat(Uint8Array.of(APDU.getRequest, 3), iid, list(q.refs, ref));
    case 'set':
      return concat(Uint8Array.of(APDU.setRequest, 1), iid, ref(q.ref), encodeData(q.value));
    case 'set-first-block':
      return concat(Uint8Array.of(APDU.setRequest, 2), iid, ref(q.ref), block(q.data));
    case 'set-block':
      return concat(Uint8Array.of(APDU.setRequest, 3), iid, block(q.data));
    case 'set-list':
      return concat(Uint8Array.of(APDU.setRequest, 4), iid, list(q.refs, ref), list(q.values, encodeData));
    case 'action':
      return concat(
        Uint8Array.of(APDU.actionRequest, 1),
        iid,
        methodDesc(q.method),
        q.params ? concat(Uint8Array.of(1), encodeData(q.params)) : Uint8Array.of(0),
      );
    case 'action-next':
      return concat(Uint8Array.of(APDU.actionRequest, 2), iid, u32(q.block));
    case 'action-list':
      return concat(Uint8Array.of(APDU.actionRequest, 3), iid, list(q.methods, methodDesc), list(q.params, encodeData));
    case 'action-first-block':
      return concat(Uint8Array.of(APDU.actionRequest, 4), iid, methodDesc(q.method), block(q.data));
    case 'action-block':
      return concat(Uint8Array.of(APDU.actionRequest, 6), iid, block(q.data));
  }
}

export function encodeResponse(s: Response): Uint8Array {
  if (s.kind === 'get') {
    // The answer to nearly every request (issue 16): written in one buffer.
    const w = new ByteWriter(32).u8(APDU.getResponse).u8(1).u8(s.invokeId);
    if ('data' in s.result) writeData(w.u8(0), s.result.data);
    else w.u8(1).u8(s.result.dar);
    return w.finish();
  }
  if (s.kind === 'exception') {
    const base = Uint8Array.of(APDU.exceptionResponse, s.stateError, s.serviceError);
    return s.invocationCounter === undefined ? base : concat(base, u32(s.invocationCounter));
  }
  const iid = Uint8Array.of(s.invokeId);
  switch (s.kind) {
    case 'get-block': {
      const res = s.raw ? concat(Uint8Array.of(0), axdrLength(s.raw.length), s.raw) : Uint8Array.of(1, s.dar ?? DAR.otherReason);
      return concat(Uint8Array.of(APDU.getResponse, 2), iid, Uint8Array.of(s.last ? 1 : 0), u32(s.block), res);
    }
    case 'get-list':
      return concat(Uint8Array.of(APDU.getResponse, 3), iid, list(s.results, dataResult));
    case 'set':
      return concat(Uint8Array.of(APDU.setResponse, 1), iid, Uint8Array.of(s.dar));
    case 'set-block-ack':
      return concat(Uint8Array.of(APDU.setResponse, 2), iid, u32(s.block));
    case 'set-last-block':
      return concat(Uint8Array.of(APDU.setResponse, 3), iid, Uint8Array.of(s.dar), u32(s.block));
    case 'set-list':
      return concat(Uint8Array.of(APDU.setResponse, 5), iid, list(s.dars, (d) => Uint8Array.of(d)));
    case 'action':
      return concat(Uint8Array.of(APDU.actionResponse, 1), iid, actionResult(s.result));
    case 'action-block':
      return concat(Uint8Array.of(APDU.actionResponse, 2), iid, block(s.data));
    case 'action-list':
      return concat(Uint8Array.of(APDU.actionResponse, 3), iid, list(s.results, actionResult));
    case 'action-next-pblock':
      return concat(Uint8Array.of(APDU.actionResponse, 4), iid, u32(s.block));
  }
}

const rAttr = (r: Reader): AttributeDescriptor => ({ classId: r.u16(), ln: r.bytes(6), attr: (r.u8() << 24) >> 24 });
const rMethod = (r: Reader): MethodDescriptor => ({ classId: r.u16(), ln: r.bytes(6), method: (r.u8() << 24) >> 24 });
const rAccess = (r: Reader): AccessSelection | undefined => (r.u8() ? { selector: r.u8(), params: decodeData(r) } : undefined);
const rRef = (r: Reader): AttributeRef => {
  const descriptor = rAttr(r);
  const a = rAccess(r);
  return a ? { descriptor, access: a } : { descriptor };
};
const rBlock = (r: Reader): DataBlock => ({ last: r.u8() !== 0, block: r.u32(), raw: r.bytes(r.axdrLength()) });
const rDataResult = (r: Reader): DataResult => {
  const c = r.u8();
  if (c === 0) return { data: decodeData(r) };
  if (c === 1) return { dar: r.u8() };
  return r.fail(`bad Get-Data-Result choice ${c}`);
};
const rActionResult = (r: Reader): ActionResult => {
  const result = r.u8();
  return r.u8() ? { result, data: rDataResult(r) } : { result };
};
const rList = <T>(r: Reader, f: (r: Reader) => T): T[] => {
  const n = r.axdrLength();
  if (n > r.remaining) r.fail(`list of ${n} elements longer than the APDU`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(f(r));
  return out;
};

function finishStrict<T>(r: Reader, v: T): T {
  if (!r.atEnd()) r.fail(`${r.remaining} trailing byte(s)`);
  return v;
}
const finish = finishStrict;

export function decodeRequest(b: Uint8Array): Request {
  const r = new Reader(b, 'xDLMS request');
  const tag = r.u8();
  const choice = r.u8();
  const invokeId = r.u8();
  if (tag === APDU.getRequest) {
    if (choice === 1) return finish(r, { kind: 'get', invokeId, ref: rRef(r) });
    if (choice === 2) return finish(r, { kind: 'get-next', invokeId, block: r.u32() });
    if (choice === 3) return finish(r, { kind: 'get-list', invokeId, refs: rList(r, rRef) });
  } else if (tag === APDU.setRequest) {
    if (choice === 1) return finish(r, { kind: 'set', invokeId, ref: rRef(r), value: decodeData(r) });
    if (choice === 2) return finish(r, { kind: 'set-first-block', invokeId, ref: rRef(r), data: rBlock(r) });
    if (choice === 3) return finish(r, { kind: 'set-block', invokeId, data: rBlock(r) });
    if (choice === 4) return finish(r, { kind: 'set-list', invokeId, refs: rList(r, rRef), values: rList(r, (x) => decodeData(x)) });
  } else if (tag === APDU.actionRequest) {
    if (choice === 1) {
      const method = rMethod(r);
      return finish(r, r.u8() ? { kind: 'action', invokeId, method, params: decodeData(r) } : { kind: 'action', invokeId, method });
    }
    if (choice === 2) return finish(r, { kind: 'action-next', invokeId, block: r.u32() });
    if (choice === 3) return finish(r, { kind: 'action-list', invokeId, methods: rList(r, rMethod), params: rList(r, (x) => decodeData(x)) });
    if (choice === 4) return finish(r, { kind: 'action-first-block', invokeId, method: rMethod(r), data: rBlock(r) });
    if (choice === 6) return finish(r, { kind: 'action-block', invokeId, data: rBlock(r) });
  } else {
    throw new DlmsDecodeError(`not a GET/SET/ACTION request: tag 0x${tag.toString(16)}`, 0);
  }
  throw new DlmsDecodeError(`unsupported request choice ${choice} of tag 0x${tag.toString(16)}`, 1);
}

/**
 * `lenient`: ignore bytes after a complete response. Some deployed servers append stale buffer content (the
 * Gurux C server example does after a Clock time value); a client that must read real meters tolerates it.
 */
export function decodeResponse(b: Uint8Array, lenient = false): Response {
  const r = new Reader(b, 'xDLMS response');
  const finish = <T>(rd: Reader, v: T): T => (lenient ? v : finishStrict(rd, v));
  const tag = r.u8();
  if (tag === APDU.exceptionResponse) {
    const stateError = r.u8();
    const serviceError = r.u8();
    if (serviceError === 6 && r.remaining >= 4) return finish(r, { kind: 'exception', stateError, serviceError, invocationCounter: r.u32() });
    return finish(r, { kind: 'exception', stateError, serviceError });
  }
  const choice = r.u8();
  const invokeId = r.u8();
  if (tag === APDU.getResponse) {
    if (choice === 1) return finish(r, { kind: 'get', invokeId, result: rDataResult(r) });
    if (choice === 2) {
      const last = r.u8() !== 0;
      const blockNo = r.u32();
      const c = r.u8();
      if (c === 0) return finish(r, { kind: 'get-block', invokeId, last, block: blockNo, raw: r.bytes(r.axdrLength()) });
      if (c === 1) return finish(r, { kind: 'get-block', invokeId, last, block: blockNo, dar: r.u8() });
      r.fail(`bad DataBlock-G result choice ${c}`);
    }
    if (choice === 3) return finish(r, { kind: 'get-list', invokeId, results: rList(r, rDataResult) });
  } else if (tag === APDU.setResponse) {
    if (choice === 1) return finish(r, { kind: 'set', invokeId, dar: r.u8() });
    if (choice === 2) return finish(r, { kind: 'set-block-ack', invokeId, block: r.u32() });
    if (choice === 3) return finish(r, { kind: 'set-last-block', invokeId, dar: r.u8(), block: r.u32() });
    if (choice === 5) return finish(r, { kind: 'set-list', invokeId, dars: rList(r, (x) => x.u8()) });
  } else if (tag === APDU.actionResponse) {
    if (choice === 1) return finish(r, { kind: 'action', invokeId, result: rActionResult(r) });
    if (choice === 2) return finish(r, { kind: 'action-block', invokeId, data: rBlock(r) });
    if (choice === 3) return finish(r, { kind: 'action-list', invokeId, results: rList(r, rActionResult) });
    if (choice === 4) return finish(r, { kind: 'action-next-pblock', invokeId, block: r.u32() });
  } else {
    throw new DlmsDecodeError(`not a GET/SET/ACTION response: tag 0x${tag.toString(16)}`, 0);
  }
  throw new DlmsDecodeError(`unsupported response choice ${choice} of tag 0x${tag.toString(16)}`, 1);
}

/** Exception-response codes (Green Book): state-error and service-error. */
export const EXCEPTION = {
  stateServiceNotAllowed: 1,
  stateServiceUnknown: 2,
  operationNotPossible: 1,
  serviceNotSupported: 2,
  otherReason: 3,
  pduTooLong: 4,
  decipheringError: 5,
  invocationCounterError: 6,
} as const;
