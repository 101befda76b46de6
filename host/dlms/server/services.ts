import { decodeData, encodeData, type CosemData } from '../axdr.ts';
import { axdrLength, concat, equalPublicBytes, Reader } from '../bytes.ts';
import {
  DAR,
  type ActionResult,
  type AttributeRef,
  type DataResult,
  type MethodDescriptor,
  type Request,
  type Response,
} from '../xdlms.ts';
import { canInvoke, canRead, canWrite, denialReason, rightsFor } from './access.ts';
import { formatObis } from '../obis.ts';
import type { AssociationLnObject } from './association-ln.ts';
import { AccessFault, type CosemContext, type CosemObject } from './object.ts';
import type { DlmsServer } from './server.ts';

// GET / SET / ACTION against the object model, with access rights and block transfer both ways
// (Green Book §9.3: get-next, set-with-datablock, action-with-pblock).

export interface ServiceState {
  lnObject?: AssociationLnObject;
  conformance: number;
  clientMaxPdu: number;
  cfg: import('./config.ts').AssociationConfig;
  ciphered: boolean;
  phase: 'pending-hls' | 'associated' | 'failed';
  getOut?: { invokeId: number; raw: Uint8Array; sent: number; blockSize: number };
  setIn?: { invokeId: number; ref: AttributeRef; parts: Uint8Array[]; block: number };
  actionIn?: { invokeId: number; method: MethodDescriptor; parts: Uint8Array[]; block: number };
  actionOut?: { invokeId: number; raw: Uint8Array; sent: number; blockSize: number };
}

/** Bytes the ciphering envelope and the block headers may add to a response. */
const OVERHEAD = 48;

function limit(srv: DlmsServer, a: ServiceState): number {
  // Send no more than the client can take, nor more than we announced: some clients size their receive
  // buffer from our max PDU (../shared/research/dlms-interop.md).
  return Math.max(64, Math.min(a.clientMaxPdu, srv.cfg.maxPduSize));
}

function resolve(srv: DlmsServer, a: ServiceState, ln: Uint8Array): CosemObject | undefined {
  if (a.lnObject && equalPublicBytes(ln, a.lnObject.ln)) return a.lnObject;
  return srv.object(ln);
}

/** A refusal goes to the server's log with the rule or capability behind it (issue 16). */
function refuse(srv: DlmsServer, why: string): void {
  srv.onRefusal?.(why);
}

function read(srv: DlmsServer, a: ServiceState, ref: AttributeRef, ctx: CosemContext): DataResult {
  const obj = resolve(srv, a, ref.descriptor.ln);
  const rights = obj && rightsFor(a.cfg, obj);
  if (!obj || !rights) return { dar: DAR.objectUndefined };
  if (obj.classId !== ref.descriptor.classId) return { dar: DAR.objectClassInconsistent };
  if (!canRead(rights, ref.descriptor.attr)) {
    if (srv.onRefusal) refuse(srv, denialReason(a.cfg, rights, 'read', ref.descriptor.attr));
    return { dar: DAR.readWriteDenied };
  }
  const v = obj.get(ref.descriptor.attr, ctx, ref.access);
  return v instanceof AccessFault ? { dar: v.code } : { data: v };
}

function write(srv: DlmsServer, a: ServiceState, ref: AttributeRef, value: CosemData, ctx: CosemContext): number {
  const obj = resolve(srv, a, ref.descriptor.ln);
  const rights = obj && rightsFor(a.cfg, obj);
  if (!obj || !rights) return DAR.objectUndefined;
  if (obj.classId !== ref.descriptor.classId) return DAR.objectClassInconsistent;
  if (!canWrite(rights, ref.descriptor.attr)) {
    if (srv.onRefusal) refuse(srv, `SET refused: ${denialReason(a.cfg, rights, 'write', ref.descriptor.attr)}`);
    return DAR.readWriteDenied;
  }
  if (ref.access) return DAR.scopeOfAccessViolated;
  const f = obj.set(ref.descriptor.attr, value, ctx);
  if (f && srv.onRefusal) refuse(srv, `SET of ${formatObis(obj.ln)} attribute ${ref.descriptor.attr} refused by the object: ${f.why}`);
  return f ? f.code : DAR.success;
}

function invoke(srv: DlmsServer, a: ServiceState, m: MethodDescriptor, params: CosemData | undefined, ctx: CosemContext): ActionResult {
  const obj = resolve(srv, a, m.ln);
  const rights = obj && rightsFor(a.cfg, obj);
  if (!obj || !rights) return { result: DAR.objectUndefined };
  if (obj.classId !== m.classId) return { result: DAR.objectClassInconsistent };
  // reply_to_HLS_authentication is what establishes the association: always reachable while pending.
  const hlsReply = a.phase === 'pending-hls' && obj === a.lnObject && m.method === 1;
  if (!hlsReply && !canInvoke(rights, m.method)) {
    if (srv.onRefusal) refuse(srv, `ACTION refused: ${denialReason(a.cfg, rights, 'method', m.method)}`);
    return { result: DAR.readWriteDenied };
  }
  const r = obj.action(m.method, params, ctx);
  if (r instanceof AccessFault) return { result: r.code };
  return r.data ? { result: DAR.success, data: { data: r.data } } : { result: DAR.success };
}

function nextGetBlock(a: ServiceState): Response {
  const g = a.getOut!;
  const start = g.sent * g.blockSize;
  const raw = g.raw.subarray(start, start + g.blockSize);
  g.sent++;
  const last = start + g.blockSize >= g.raw.length;
  if (last) a.getOut = undefined;
  return { kind: 'get-block', invokeId: g.invokeId, last, block: g.sent, raw };
}

function nextActionBlock(a: ServiceState): Response {
  const g = a.actionOut!;
  const start = g.sent * g.blockSize;
  const raw = g.raw.subarray(start, start + g.blockSize);
  g.sent++;
  const last = start + g.blockSize >= g.raw.length;
  if (last) a.actionOut = undefined;
  return { kind: 'action-block', invokeId: g.invokeId, data: { last, block: g.sent, raw } };
}

export function serveRequest(srv: DlmsServer, a: ServiceState, req: Request, ctx: CosemContext): Response {
  const max = limit(srv, a);
  const blockSize = max - OVERHEAD;
  switch (req.kind) {
    case 'get': {
      a.getOut = undefined;
      const r = read(srv, a, req.ref, ctx);
      if ('dar' in r) return { kind: 'get', invokeId: req.invokeId, result: r };
      const raw = encodeData(r.data);
      if (raw.length + OVERHEAD <= max) return { kind: 'get', invokeId: req.invokeId, result: r };
      a.getOut = { invokeId: req.invokeId, raw, sent: 0, blockSize };
      return nextGetBlock(a);
    }
    case 'get-list': {
      a.getOut = undefined;
      const results = req.refs.map((ref) => read(srv, a, ref, ctx));
      const raw = concat(axdrLength(results.length), ...results.map((r) => ('data' in r ? concat(Uint8Array.of(0), encodeData(r.data)) : Uint8Array.of(1, r.dar))));
      if (raw.length + OVERHEAD <= max) return { kind: 'get-list', invokeId: req.invokeId, results };
      a.getOut = { invokeId: req.invokeId, raw, sent: 0, blockSize };
      return nextGetBlock(a);
    }
    case 'get-next': {
      const g = a.getOut;
      if (!g) return { kind: 'get-block', invokeId: req.invokeId, last: true, block: req.block, dar: DAR.noLongGetInProgress };
      if (req.block !== g.sent) {
        a.getOut = undefined;
        return { kind: 'get-block', invokeId: req.invokeId, last: true, block: req.block, dar: DAR.dataBlockNumberInvalid };
      }
      return nextGetBlock(a);
    }
    case 'set':
      return { kind: 'set', invokeId: req.invokeId, dar: write(srv, a, req.ref, req.value, ctx) };
    case 'set-list':
      if (req.refs.length !== req.values.length) return { kind: 'set-list', invokeId: req.invokeId, dars: req.refs.map(() => DAR.typeUnmatched) };
      return { kind: 'set-list', invokeId: req.invokeId, dars: req.refs.map((ref, i) => write(srv, a, ref, req.values[i]!, ctx)) };
    case 'set-first-block':
    case 'set-block': {
      if (req.kind === 'set-first-block') {
        if (req.data.block !== 1) return { kind: 'set-last-block', invokeId: req.invokeId, dar: DAR.dataBlockNumberInvalid, block: req.data.block };
        a.setIn = { invokeId: req.invokeId, ref: req.ref, parts: [], block: 0 };
      }
      const s = a.setIn;
      if (!s) return { kind: 'set-last-block', invokeId: req.invokeId, dar: DAR.noLongSetInProgress, block: req.data.block };
      if (req.data.block !== s.block + 1) {
        a.setIn = undefined;
        return { kind: 'set-last-block', invokeId: req.invokeId, dar: DAR.dataBlockNumberInvalid, block: req.data.block };
      }
      s.parts.push(req.data.raw);
      s.block = req.data.block;
      if (s.parts.reduce((n, p) => n + p.length, 0) > 1 << 20) {
        a.setIn = undefined;
        return { kind: 'set-last-block', invokeId: req.invokeId, dar: DAR.longSetAborted, block: s.block };
      }
      if (!req.data.last) return { kind: 'set-block-ack', invokeId: req.invokeId, block: s.block };
      a.setIn = undefined;
      const value = decodeAll(concat(...s.parts));
      const dar = value ? write(srv, a, s.ref, value, ctx) : DAR.typeUnmatched;
      return { kind: 'set-last-block', invokeId: req.invokeId, dar, block: s.block };
    }
    case 'action': {
      a.actionOut = undefined;
      return actionOut(a, req.invokeId, invoke(srv, a, req.method, req.params, ctx), max, blockSize);
    }
    case 'action-list': {
      if (req.methods.length !== req.params.length) return { kind: 'action-list', invokeId: req.invokeId, results: req.methods.map(() => ({ result: DAR.typeUnmatched })) };
      return { kind: 'action-list', invokeId: req.invokeId, results: req.methods.map((m, i) => invoke(srv, a, m, req.params[i], ctx)) };
    }
    case 'action-first-block':
    case 'action-block': {
      if (req.kind === 'action-first-block') {
        if (req.data.block !== 1) return { kind: 'action', invokeId: req.invokeId, result: { result: DAR.dataBlockNumberInvalid } };
        a.actionIn = { invokeId: req.invokeId, method: req.method, parts: [], block: 0 };
      }
      const s = a.actionIn;
      if (!s || req.data.block !== s.block + 1) {
        a.actionIn = undefined;
        return { kind: 'action', invokeId: req.invokeId, result: { result: DAR.dataBlockNumberInvalid } };
      }
      s.parts.push(req.data.raw);
      s.block = req.data.block;
      if (!req.data.last) return { kind: 'action-next-pblock', invokeId: req.invokeId, block: s.block };
      a.actionIn = undefined;
      const params = decodeAll(concat(...s.parts));
      if (!params) return { kind: 'action', invokeId: req.invokeId, result: { result: DAR.typeUnmatched } };
      return actionOut(a, req.invokeId, invoke(srv, a, s.method, params, ctx), max, blockSize);
    }
    case 'action-next': {
      const g = a.actionOut;
      if (!g || req.block !== g.sent) {
        a.actionOut = undefined;
        return { kind: 'action', invokeId: req.invokeId, result: { result: DAR.dataBlockNumberInvalid } };
      }
      return nextActionBlock(a);
    }
  }
}

function actionOut(a: ServiceState, invokeId: number, r: ActionResult, max: number, blockSize: number): Response {
  const single: Response = { kind: 'action', invokeId, result: r };
  if (!r.data || !('data' in r.data)) return single;
  // With-pblock responses carry the encoded return parameters (Get-Data-Result's data) in pieces.
  const raw = encodeData(r.data.data);
  if (raw.length + OVERHEAD <= max) return single;
  a.actionOut = { invokeId, raw, sent: 0, blockSize };
  return nextActionBlock(a);
}

function decodeAll(raw: Uint8Array): CosemData | undefined {
  const r = new Reader(raw, 'block-transferred data');
  try {
    const d = decodeData(r);
    return r.atEnd() ? d : undefined;
  } catch (e) {
    if (e instanceof Error && e.name === 'DlmsDecodeError') return undefined;
    throw e;
  }
}
