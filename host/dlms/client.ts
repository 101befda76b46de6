import { CONTEXT, DIAGNOSTIC, decodeAare, decodeRlre, encodeAarq, encodeRlrq } from './acse.ts';
import { decodeData, decodeDataBytes, encodeData, type CosemData } from './axdr.ts';
import { concat, equalPublicBytes, hex, Reader, readU32, u32 } from './bytes.ts';
import { MemoryCounterStore, ownCounterKey, serverCounterKey, type ClientCounterStore } from './counter-store.ts';
import { DlmsDecodeError, DlmsRejectedError, DlmsSecurityError } from './errors.ts';
import type { DlmsKeys } from './keys.ts';
import { formatObis, parseObis } from './obis.ts';
import { envelope, isCiphered, openEnvelope, type CipherStyle } from './security/apdu-cipher.ts';
import { checkCounter } from './security/counters.ts';
import { GENERAL_SIGNING, openSigned, sign } from './security/signing.ts';
import { protect, unprotect } from './security/gcm.ts';
import {
  challengeCounter,
  challengeLengthOk,
  hlsResponse,
  isHls,
  makeChallenge,
  MECHANISM_ID,
  verifyHlsResponse,
  type HlsParties,
  type Mechanism,
  type Profile,
} from './security/hls.ts';
import type { SuiteId } from './security/suites.ts';
import type { ApduChannel } from './transport.ts';
import {
  APDU,
  CONFORMANCE,
  SUPPORTED_CONFORMANCE,
  DAR_NAME,
  decodeConfirmedServiceError,
  decodeInitiateResponse,
  decodeResponse,
  encodeInitiateRequest,
  encodeRequest,
  type AccessSelection,
  type ActionResult,
  type AttributeRef,
  type DataResult,
  type InitiateResponse,
  type Request,
  type Response,
} from './xdlms.ts';

// The DLMS/COSEM client: association with every mechanism and both profiles, ciphered or plain GET/SET/ACTION
// with block transfer, release. One DlmsClient is one association over one channel.

export interface ClientOptions {
  mechanism: Mechanism;
  profile: Profile;
  keys: DlmsKeys;
  suite?: SuiteId;
  /** Default: HLS-GMAC and ECDSA always; HLS-SHA256 in the hardened profile; never for none/LLS. */
  ciphered?: boolean;
  counters?: ClientCounterStore;
  maxPduSize?: number;
  conformance?: number;
  dedicatedKey?: Uint8Array;
  /** Hardened: largest accepted jump of the server's challenge counter. */
  counterJumpThreshold?: number;
  /** Refuse a responding-AP-title other than keys.serverSystemTitle. Default: on in hardened, off in standard. */
  pinServerTitle?: boolean;
  /** Mechanisms 3/4 (MD5/SHA-1) are refused unless this is set. */
  legacy?: boolean;
  /** The Association LN object that carries reply_to_HLS_authentication (companion specifications differ). */
  associationLn?: Uint8Array;
  /** Suites 1/2: wrap every request in general-signing (and require signed responses). */
  sign?: boolean;
  /** Demonstration of seed Fig 3.6 only: accept StoC = CtoS, which the Green Book forbids. */
  unsafeAcceptEqualChallenges?: boolean;
}

export interface AssociationInfo {
  serverTitle?: Uint8Array;
  conformance: number;
  serverMaxPdu: number;
  ciphered: boolean;
}

export const DEFAULT_CLIENT_CONFORMANCE = SUPPORTED_CONFORMANCE;

const ASSOCIATION_LN = Uint8Array.of(0, 0, 40, 0, 0, 255);
const MAX_BLOCKS = 100_000;

export class DlmsClient {
  private readonly store: ClientCounterStore;
  /** Where the client's own counter is kept: its nonces are client title ‖ counter under the GUEK (counter-store.ts). */
  private readonly ownKey: string;
  private readonly ciphered: boolean;
  private readonly suite: SuiteId;
  private serverTitle?: Uint8Array;
  private lastServerIc = -1; // servers may start at 0 (the Gurux server does)
  private invokeId = 0;
  private info?: AssociationInfo;
  private established = false;
  private transaction = 0;

  constructor(
    readonly channel: ApduChannel,
    readonly opts: ClientOptions,
  ) {
    this.store = opts.counters ?? new MemoryCounterStore();
    this.ownKey = ownCounterKey(opts.keys);
    this.suite = opts.suite ?? 0;
    const m = opts.mechanism;
    this.ciphered = opts.ciphered ?? (m === 'hls-gmac' || m === 'hls-ecdsa' || (m === 'hls-sha256' && opts.profile === 'hardened'));
    if ((m === 'hls-md5' || m === 'hls-sha1') && !opts.legacy) {
      throw new DlmsSecurityError(`${m} is a legacy mechanism (broken hash): enable it explicitly`, 'policy');
    }
  }

  get association(): AssociationInfo | undefined {
    return this.info;
  }

  /** Where the last counter of the server is kept: its nonces are its title (learned, else the keys file's) ‖ counter. */
  private serverKey(): string {
    return serverCounterKey(this.serverTitle ?? this.opts.keys.serverSystemTitle, this.opts.keys);
  }

  /** The next own invocation counter, persisted before it is used. */
  private nextIc(): number {
    const c = this.store.get(this.ownKey);
    c.own += 1;
    if (c.own > 0xffffffff) throw new DlmsSecurityError('client invocation counter exhausted: change the keys', 'invocation-counter');
    this.store.set(this.ownKey, c);
    return c.own;
  }

  /** Server invocation counters must rise: within an association always, across associations when hardened. */
  private acceptServerIc(ic: number, what: string): void {
    const hardened = this.opts.profile === 'hardened';
    const stored = this.store.get(this.serverKey()).server;
    const last = hardened && stored > 0 ? Math.max(this.lastServerIc, stored) : this.lastServerIc;
    if (ic <= last) throw new DlmsSecurityError(`server ${what} invocation counter ${ic} not above ${last} (replay)`, 'invocation-counter');
    this.lastServerIc = ic;
    if (hardened) {
      const key = this.serverKey();
      this.store.set(key, { ...this.store.get(key), server: ic });
    }
  }

  private gcmKeys(style: CipherStyle) {
    const k = this.opts.keys;
    if (style === 'ded' || style === 'general-ded') {
      if (!this.opts.dedicatedKey) throw new DlmsSecurityError('no dedicated key', 'unknown-key');
      return { ek: this.opts.dedicatedKey, ak: k.gak };
    }
    return { ek: k.guek, ak: k.gak };
  }

  async associate(): Promise<AssociationInfo> {
    const o = this.opts;
    const k = o.keys;
    const mech = o.mechanism;
    const hls = isHls(mech);
    const init = encodeInitiateRequest({
      conformance: o.conformance ?? DEFAULT_CLIENT_CONFORMANCE,
      maxPduSize: o.maxPduSize ?? 0xffff,
      dlmsVersion: 6,
      dedicatedKey: o.dedicatedKey,
    });
    let ui = init;
    if (this.ciphered) {
      const body = protect({ suite: this.suite, authenticated: true, encrypted: true }, this.gcmKeys('glo'), k.clientSystemTitle, this.nextIc(), init);
      ui = envelope('glo', APDU.initiateRequest, body);
    }
    // Hardened: the challenge carries our counter (seed Table 3.2), taken after the AARQ's own GCM counter.
    const ctos = hls ? makeChallenge(mech, o.profile === 'hardened' ? this.nextIc() : undefined) : undefined;
    const aarq = encodeAarq({
      context: this.ciphered ? CONTEXT.lnCiphered : CONTEXT.ln,
      callingApTitle: this.ciphered || hls ? k.clientSystemTitle : undefined,
      mechanism: MECHANISM_ID[mech],
      callingAuthValue: mech === 'lls' ? new TextEncoder().encode(k.password) : ctos,
      userInformation: ui,
    });
    const resp = await this.channel.request(aarq);
    if (resp[0] === APDU.exceptionResponse) throw exceptionError(decodeResponse(resp), 'AARQ');
    const aare = decodeAare(resp);
    if (aare.result !== 0) throw rejection(aare.result, aare.diagnostic, aare.userInformation, { mechanism: mech, profile: o.profile, suite: this.suite });

    // Server system title: learned from the AARE; pinned to the keys file in the hardened profile.
    const st = aare.respondingApTitle;
    if (this.ciphered || hls) {
      if (!st || st.length !== 8) throw new DlmsSecurityError('AARE without the server system title', 'policy');
      const pin = o.pinServerTitle ?? o.profile === 'hardened';
      if (pin && !equalPublicBytes(st, k.serverSystemTitle)) throw new DlmsSecurityError(`server system title ${hex(st)} is not the expected ${hex(k.serverSystemTitle)}`, 'policy');
      this.serverTitle = st;
    }
    if (!aare.userInformation) throw new DlmsDecodeError('AARE accepted without an InitiateResponse');
    let initResp: InitiateResponse;
    if (this.ciphered) {
      const env = openEnvelope(aare.userInformation);
      const u = unprotect(this.gcmKeys(env.style), this.serverTitle!, env.body);
      this.acceptServerIc(u.ic, 'AARE');
      initResp = decodeInitiateResponse(u.plaintext);
    } else {
      initResp = decodeInitiateResponse(aare.userInformation);
    }
    if (initResp.dlmsVersion !== 6) throw new DlmsRejectedError(`server speaks DLMS version ${initResp.dlmsVersion}, not 6`, {});
    this.info = { serverTitle: this.serverTitle, conformance: initResp.conformance, serverMaxPdu: initResp.maxPduSize || 0xffff, ciphered: this.ciphered };

    if (hls) {
      const stoc = aare.respondingAuthValue;
      if (!stoc || !challengeLengthOk(mech, stoc)) throw new DlmsSecurityError('AARE without a usable StoC', 'wrong-response');
      // Green Book: a StoC equal to our CtoS is a reflection (seed Fig 3.6).
      if (!o.unsafeAcceptEqualChallenges && equalPublicBytes(stoc, ctos!)) throw new DlmsSecurityError('StoC equals CtoS: reflection', 'reflection');
      if (o.profile === 'hardened') {
        // seed §3.4.2: the counter of a received challenge must exceed every counter we sent or received.
        const sc = challengeCounter(mech, stoc);
        const c = this.store.get(this.ownKey);
        if (sc === undefined) throw new DlmsSecurityError(`refused by this client: the server's challenge (StoC, ${stoc.length} bytes) carries no invocation counter — the server runs the standard profile, this client hardened (seed Table 3.2); use --profile standard`, 'invocation-counter');
        const v = checkCounter(c.own, sc, o.counterJumpThreshold ?? 1_000_000);
        if (!v.ok) throw new DlmsSecurityError(`StoC counter ${sc} ${v.reason === 'replay' ? 'not above' : 'jumps too far above'} ${c.own}`, v.reason === 'replay' ? 'invocation-counter' : 'counter-jump');
        c.own = sc;
        this.store.set(this.ownKey, c);
      }
      const p: HlsParties = {
        mechanism: mech,
        profile: o.profile,
        suite: this.suite,
        clientTitle: k.clientSystemTitle,
        serverTitle: this.serverTitle!,
        ctos: ctos!,
        stoc,
        keys: { ek: k.guek, ak: k.gak },
        secret: k.hlsSecret,
        clientKey: k.clientKey,
        serverKey: k.serverKey,
      };
      const f = hlsResponse(p, 'client', mech === 'hls-gmac' ? this.nextIc() : 0);
      // Pass 3 goes service-specific (not general) ciphering: the association is not yet established.
      const r = await this.exchange({ kind: 'action', invokeId: this.nextInvokeId(), method: { classId: 15, ln: o.associationLn ?? ASSOCIATION_LN, method: 1 }, params: { type: 'octet-string', value: f } }, 'glo');
      if (r.kind !== 'action') throw new DlmsDecodeError(`expected an action-response to reply_to_HLS_authentication, got ${r.kind}`);
      if (r.result.result !== 0) throw new DlmsSecurityError(`server refused our f(StoC): ${DAR_NAME[r.result.result] ?? r.result.result}`, 'wrong-response');
      const d = r.result.data;
      if (!d || !('data' in d) || d.data.type !== 'octet-string') throw new DlmsSecurityError('server sent no f(CtoS)', 'wrong-response');
      // The IC inside f(CtoS) is not checked for order: the server takes it before the IC of the APDU that carries
      // it, and the GMAC over our fresh CtoS already rules out a replay.
      verifyHlsResponse(p, 'server', d.data.value);
    }
    this.established = true;
    return this.info;
  }

  private nextInvokeId(): number {
    this.invokeId = (this.invokeId + 1) & 0x0f;
    return 0xc0 | this.invokeId; // high priority, confirmed (Green Book invoke-id-and-priority)
  }

  private style(): CipherStyle {
    const general = this.established && (this.info!.conformance & CONFORMANCE.generalProtection) !== 0;
    const ded = this.opts.dedicatedKey !== undefined;
    return general ? (ded ? 'general-ded' : 'general-glo') : ded ? 'ded' : 'glo';
  }

  /** Sends one request (ciphered as the association requires) and returns the decoded response. */
  async exchange(req: Request, style?: CipherStyle): Promise<Response> {
    let apdu = encodeRequest(req);
    if (this.ciphered) {
      const s = style ?? this.style();
      const body = protect({ suite: this.suite, authenticated: true, encrypted: true }, this.gcmKeys(s), this.opts.keys.clientSystemTitle, this.nextIc(), apdu);
      apdu = envelope(s, apdu[0]!, body, this.opts.keys.clientSystemTitle);
    }
    const k = this.opts.keys;
    const signing = this.opts.sign && this.established;
    if (signing) {
      if (!k.clientKey || !('secretKey' in k.clientKey)) throw new DlmsSecurityError('general-signing needs the client private key', 'unknown-key');
      apdu = sign({ transactionId: u32(++this.transaction), originator: k.clientSystemTitle, recipient: this.serverTitle ?? k.serverSystemTitle, dateTime: new Uint8Array(0), otherInformation: new Uint8Array(0), content: apdu }, k.clientKey);
    }
    let resp = await this.channel.request(apdu);
    if (resp.length === 0) throw new DlmsDecodeError('empty response');
    if (signing) {
      if (resp[0] !== GENERAL_SIGNING) {
        if (resp[0] === APDU.exceptionResponse) throw exceptionError(decodeResponse(resp), 'signed request');
        throw new DlmsSecurityError('unsigned response to a signed request', 'signature');
      }
      if (!k.serverKey) throw new DlmsSecurityError('general-signing needs the server public key', 'unknown-key');
      const g = openSigned(resp, this.serverTitle ?? k.serverSystemTitle, k.clientSystemTitle, k.serverKey);
      if (!equalPublicBytes(g.transactionId, u32(this.transaction))) throw new DlmsSecurityError('signed response to another transaction', 'signature');
      resp = g.content;
    }
    if (isCiphered(resp[0]!)) {
      if (!this.ciphered) throw new DlmsSecurityError('ciphered response in a plain association', 'policy');
      const env = openEnvelope(resp);
      if (env.systemTitle && !equalPublicBytes(env.systemTitle, this.serverTitle!)) throw new DlmsSecurityError('response from another system title', 'policy');
      const u = unprotect(this.gcmKeys(env.style), this.serverTitle!, env.body);
      this.acceptServerIc(u.ic, 'response');
      resp = u.plaintext;
    } else if (this.ciphered && resp[0] !== APDU.exceptionResponse) {
      throw new DlmsSecurityError('plain response in a ciphered association', 'policy');
    }
    const r = decodeResponse(resp, true);
    if (r.kind === 'exception') throw exceptionError(r, 'request');
    if ((r.invokeId & 0x0f) !== (req.invokeId & 0x0f)) throw new DlmsDecodeError(`response invoke-id ${r.invokeId & 0x0f} does not match ${req.invokeId & 0x0f}`);
    return r;
  }

  private async readBlocks(first: Response): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let r = first;
    for (let expect = 1; expect < MAX_BLOCKS; expect++) {
      if (r.kind !== 'get-block') throw new DlmsDecodeError(`expected get-response-with-datablock, got ${r.kind}`);
      if (r.dar !== undefined) throw new DlmsRejectedError(`block transfer failed: ${DAR_NAME[r.dar] ?? r.dar}`, { dar: r.dar });
      if (r.block !== expect) throw new DlmsDecodeError(`block ${r.block} where ${expect} was expected`);
      parts.push(r.raw!);
      if (r.last) return concat(...parts);
      r = await this.exchange({ kind: 'get-next', invokeId: r.invokeId, block: r.block });
    }
    throw new DlmsDecodeError('block transfer did not end');
  }

  async get(classId: number, obis: string | Uint8Array, attr: number, access?: AccessSelection): Promise<CosemData> {
    const ln = typeof obis === 'string' ? parseObis(obis) : obis;
    const ref: AttributeRef = access ? { descriptor: { classId, ln, attr }, access } : { descriptor: { classId, ln, attr } };
    const r = await this.exchange({ kind: 'get', invokeId: this.nextInvokeId(), ref });
    if (r.kind === 'get') return unwrapResult(r.result, `${typeof obis === 'string' ? obis : formatObis(obis)}:${attr}`);
    return decodeDataBytes(await this.readBlocks(r));
  }

  async getList(refs: AttributeRef[]): Promise<DataResult[]> {
    const r = await this.exchange({ kind: 'get-list', invokeId: this.nextInvokeId(), refs });
    if (r.kind === 'get-list') return r.results;
    const raw = new Reader(await this.readBlocks(r), 'get-list blocks');
    const n = raw.axdrLength();
    const out: DataResult[] = [];
    for (let i = 0; i < n; i++) out.push(raw.u8() === 0 ? { data: decodeData(raw) } : { dar: raw.u8() });
    return out;
  }

  private blockSize(): number {
    return Math.max(16, (this.info?.serverMaxPdu ?? 0xffff) - 48);
  }

  async set(classId: number, obis: string | Uint8Array, attr: number, value: CosemData): Promise<void> {
    const ln = typeof obis === 'string' ? parseObis(obis) : obis;
    const ref: AttributeRef = { descriptor: { classId, ln, attr } };
    const raw = encodeData(value);
    const size = this.blockSize();
    let dar: number;
    if (raw.length <= size) {
      const r = await this.exchange({ kind: 'set', invokeId: this.nextInvokeId(), ref, value });
      if (r.kind !== 'set') throw new DlmsDecodeError(`expected set-response, got ${r.kind}`);
      dar = r.dar;
    } else {
      const id = this.nextInvokeId();
      let r: Response | undefined;
      for (let i = 0, block = 1; i < raw.length; i += size, block++) {
        const data = { last: i + size >= raw.length, block, raw: raw.subarray(i, i + size) };
        r = await this.exchange(block === 1 ? { kind: 'set-first-block', invokeId: id, ref, data } : { kind: 'set-block', invokeId: id, data });
        if (!data.last && (r.kind !== 'set-block-ack' || r.block !== block)) {
          if (r.kind === 'set-last-block') throw new DlmsRejectedError(`set block ${block} refused: ${DAR_NAME[r.dar] ?? r.dar}`, { dar: r.dar });
          throw new DlmsDecodeError(`expected set-response-datablock ${block}, got ${r.kind}`);
        }
      }
      if (r?.kind !== 'set-last-block') throw new DlmsDecodeError(`expected set-response-last-datablock, got ${r?.kind}`);
      dar = r.dar;
    }
    if (dar !== 0) throw new DlmsRejectedError(`set ${typeof obis === 'string' ? obis : formatObis(obis)}:${attr} refused: ${DAR_NAME[dar] ?? dar}`, { dar });
  }

  async setList(refs: AttributeRef[], values: CosemData[]): Promise<number[]> {
    const r = await this.exchange({ kind: 'set-list', invokeId: this.nextInvokeId(), refs, values });
    if (r.kind !== 'set-list') throw new DlmsDecodeError(`expected set-response-with-list, got ${r.kind}`);
    return r.dars;
  }

  async action(classId: number, obis: string | Uint8Array, method: number, params?: CosemData): Promise<CosemData | undefined> {
    const ln = typeof obis === 'string' ? parseObis(obis) : obis;
    const m = { classId, ln, method };
    const id = this.nextInvokeId();
    const raw = params ? encodeData(params) : undefined;
    const size = this.blockSize();
    let r: Response;
    if (!raw || raw.length <= size) {
      r = await this.exchange(params ? { kind: 'action', invokeId: id, method: m, params } : { kind: 'action', invokeId: id, method: m });
    } else {
      r = undefined as unknown as Response;
      for (let i = 0, block = 1; i < raw.length; i += size, block++) {
        const data = { last: i + size >= raw.length, block, raw: raw.subarray(i, i + size) };
        r = await this.exchange(block === 1 ? { kind: 'action-first-block', invokeId: id, method: m, data } : { kind: 'action-block', invokeId: id, data });
        if (!data.last && (r.kind !== 'action-next-pblock' || r.block !== block)) {
          if (r.kind === 'action') throw new DlmsRejectedError(`action block ${block} refused: ${DAR_NAME[r.result.result] ?? r.result.result}`, { result: r.result.result });
          throw new DlmsDecodeError(`expected action-response-next-pblock ${block}, got ${r.kind}`);
        }
      }
    }
    if (r.kind === 'action-block') {
      const parts: Uint8Array[] = [];
      for (let expect = 1; ; expect++) {
        if (r.kind !== 'action-block' || r.data.block !== expect) throw new DlmsDecodeError('bad action-response-with-pblock sequence');
        parts.push(r.data.raw);
        if (r.data.last) break;
        r = await this.exchange({ kind: 'action-next', invokeId: id, block: expect });
      }
      return decodeDataBytes(concat(...parts));
    }
    if (r.kind !== 'action') throw new DlmsDecodeError(`expected action-response, got ${r.kind}`);
    return unwrapAction(r.result, `${typeof obis === 'string' ? obis : formatObis(obis)} method ${method}`);
  }

  async actionList(methods: { classId: number; ln: Uint8Array; method: number }[], params: CosemData[]): Promise<ActionResult[]> {
    const r = await this.exchange({ kind: 'action-list', invokeId: this.nextInvokeId(), methods, params });
    if (r.kind !== 'action-list') throw new DlmsDecodeError(`expected action-response-with-list, got ${r.kind}`);
    return r.results;
  }

  /** RLRQ/RLRE. A server that does not answer a release properly does not fail the session (real meters). */
  async release(): Promise<void> {
    let ui: Uint8Array | undefined;
    if (this.ciphered && this.established) {
      const init = encodeInitiateRequest({ conformance: this.opts.conformance ?? DEFAULT_CLIENT_CONFORMANCE, maxPduSize: this.opts.maxPduSize ?? 0xffff, dlmsVersion: 6 });
      ui = envelope('glo', APDU.initiateRequest, protect({ suite: this.suite, authenticated: true, encrypted: true }, this.gcmKeys('glo'), this.opts.keys.clientSystemTitle, this.nextIc(), init));
    }
    this.established = false;
    const resp = await this.channel.request(encodeRlrq({ reason: 0, userInformation: ui }));
    try {
      if (resp[0] === 0x63) decodeRlre(resp);
    } catch (e) {
      // Deployed servers send RLREs with trailing bytes (the Gurux C server does); the association is over
      // either way, so a malformed RLRE is not a failure of the session.
      if (!(e instanceof DlmsDecodeError)) throw e;
    }
  }
}

function unwrapResult(r: DataResult, what: string): CosemData {
  if ('data' in r) return r.data;
  throw new DlmsRejectedError(`read ${what} failed: ${DAR_NAME[r.dar] ?? r.dar}`, { dar: r.dar });
}

function unwrapAction(r: ActionResult, what: string): CosemData | undefined {
  if (r.result !== 0) throw new DlmsRejectedError(`action ${what} failed: ${DAR_NAME[r.result] ?? r.result}`, { result: r.result });
  if (!r.data) return undefined;
  return unwrapResult(r.data, what);
}

const DIAGNOSTIC_NAME: Record<number, string> = Object.fromEntries(Object.entries(DIAGNOSTIC).map(([k, v]) => [v, k]));

/** A rejecting AARE as a typed error; an invocation-counter refusal carries the server's counter for recovery. */
function rejection(result: number, diagnostic: number, ui: Uint8Array | undefined, me: { mechanism: Mechanism; profile: Profile; suite: number }): Error {
  const details: Record<string, unknown> = { result, diagnostic };
  let extra = '';
  if (ui && ui[0] === APDU.exceptionResponse && ui.length >= 3) {
    details.exception = ui[2];
    if (ui[2] === 6) {
      if (ui.length >= 7) details.serverCounter = readU32(ui, 3);
      return new DlmsSecurityErrorWithCounter(`association refused: invocation counter (server has ${details.serverCounter ?? '?'})`, details.serverCounter as number | undefined);
    }
    if (ui[2] === 5) {
      // connect.ts asks the server which suite it runs and names the difference; this is what is known without asking.
      return new DlmsSecurityError(`association refused by the server: it would not decipher our AARQ (this client: security suite ${me.suite}) — the server runs another suite, or its GUEK/GAK differ from ours`, 'tag-mismatch');
    }
  } else if (ui && ui[0] === APDU.confirmedServiceError) {
    const e = decodeConfirmedServiceError(ui);
    details.initiateError = e.value;
    extra = `, initiate error ${e.value}`;
  }
  if (diagnostic === DIAGNOSTIC.authenticationFailure) {
    const hint =
      me.mechanism === 'lls'
        ? 'the password differs from the server\'s'
        : me.profile === 'standard'
          ? 'a server running the hardened profile refuses challenges without counters (seed Table 3.2): if it is hardened, use --profile hardened; otherwise the HLS secret or keys differ'
          : 'the HLS secret or keys differ, or the server does not take this mechanism on this client SAP';
    return new DlmsSecurityError(`association refused by the server: authentication failure (this client: ${me.mechanism}, ${me.profile} profile, suite ${me.suite}) — ${hint}${extra}`, 'wrong-response');
  }
  return new DlmsRejectedError(`association refused: result ${result}, diagnostic ${DIAGNOSTIC_NAME[diagnostic] ?? diagnostic}${extra}`, details);
}

export class DlmsSecurityErrorWithCounter extends DlmsSecurityError {
  constructor(message: string, readonly serverCounter: number | undefined) {
    super(message, 'invocation-counter');
  }
}

function exceptionError(r: Response, what: string): Error {
  if (r.kind !== 'exception') return new DlmsDecodeError('not an exception');
  if (r.serviceError === 5) return new DlmsSecurityError(`${what} refused by the server: it could not decipher it (its GUEK/GAK or dedicated key differ from ours)`, 'tag-mismatch');
  if (r.serviceError === 6) return new DlmsSecurityErrorWithCounter(`${what}: server refused our invocation counter`, r.invocationCounter);
  return new DlmsRejectedError(`${what}: exception-response state-error ${r.stateError}, service-error ${r.serviceError}`, { stateError: r.stateError, serviceError: r.serviceError });
}
