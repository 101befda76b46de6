import { CONTEXT, decodeAarq, decodeRlrq, DIAGNOSTIC, encodeAare, encodeRlre, RESULT, type Aarq } from '../acse.ts';
import { concat, constantTimeEqual, equalPublicBytes, hex, u32 } from '../bytes.ts';
import { DlmsCounterError, DlmsDecodeError, DlmsNotImplementedError, DlmsRejectedError, DlmsSecurityError } from '../errors.ts';
import { envelope, isCiphered, openEnvelope, type CipherStyle } from '../security/apdu-cipher.ts';
import { checkCounter } from '../security/counters.ts';
import { GENERAL_SIGNING, openSigned, sign } from '../security/signing.ts';
import { protect, unprotect, type GcmKeys } from '../security/gcm.ts';
import {
  challengeCounter,
  challengeLengthOk,
  hlsResponse,
  isHls,
  makeChallenge,
  MECHANISM_ID,
  verifyHlsResponse,
  type HlsParties,
} from '../security/hls.ts';
import {
  APDU,
  CONFORMANCE,
  decodeInitiateRequest,
  decodeRequest,
  encodeConfirmedServiceError,
  encodeInitiateResponse,
  encodeResponse,
  EXCEPTION,
  type Request,
  type Response,
} from '../xdlms.ts';
import type { EcKeyPair } from '../security/ecdsa.ts';
import { AccessFault } from './object.ts';
import { AssociationLnObject } from './association-ln.ts';
import type { AssociationConfig } from './config.ts';
import type { DlmsServer } from './server.ts';
import { serveRequest, type ServiceState } from './services.ts';

// One transport connection of the reference server: its associations (one per client SAP, as the wrapper's
// wPorts and HDLC addresses allow several), establishment (AARQ → AARE, HLS passes 3/4), ciphering, invocation
// counters and release. Every malformed or refused input becomes an exception-response or a rejecting AARE plus
// a typed error in `lastError`; nothing here throws to the transport except a bug.

export interface PeerAddress {
  clientSap: number;
  serverSap: number;
}

export interface Association extends ServiceState {
  cfg: AssociationConfig;
  phase: 'pending-hls' | 'associated' | 'failed';
  ciphered: boolean;
  contextId: number;
  clientTitle?: Uint8Array;
  who: string;
  ctos?: Uint8Array;
  stoc?: Uint8Array;
  dedicatedKey?: Uint8Array;
  peer: PeerAddress;
}

export const CURRENT_ASSOCIATION_LN = Uint8Array.of(0, 0, 40, 0, 0, 255);

export class ServerSession {
  private readonly assocs = new Map<number, Association>();
  /** The typed error behind the last refusal, for tests and logs. */
  lastError: Error | undefined;

  constructor(private readonly server: DlmsServer) {}

  association(clientSap: number): Association | undefined {
    return this.assocs.get(clientSap);
  }

  /** Handles one APDU from `peer`; returns the APDU to send back (undefined: nothing to send). */
  handle(peer: PeerAddress, apdu: Uint8Array): Uint8Array | undefined {
    this.lastError = undefined;
    try {
      return this.dispatch(peer, apdu);
    } catch (e) {
      if (e instanceof DlmsDecodeError || e instanceof DlmsSecurityError || e instanceof DlmsRejectedError || e instanceof DlmsNotImplementedError) {
        this.lastError = e;
        return exceptionFor(e);
      }
      throw e;
    }
  }

  /** The transport closed or was reset (HDLC DISC): every association of this connection ends. */
  closeAll(): void {
    // Counters of the closed associations are already queued for the lazy write (state.ts); an fsync here would
    // stall every other connection for each one that closes.
    this.assocs.clear();
  }

  private dispatch(peer: PeerAddress, input: Uint8Array): Uint8Array | undefined {
    let apdu = input;
    if (apdu.length === 0) throw new DlmsDecodeError('empty APDU');
    const tag = apdu[0]!;
    if (tag === 0x60) return this.establish(peer, apdu);
    if (tag === 0x62) return this.release(peer, apdu);
    const a = this.assocs.get(peer.clientSap);
    if (!a) throw new DlmsRejectedError(`no association for client SAP ${peer.clientSap}`, { exception: EXCEPTION.operationNotPossible });
    let signedBy: Uint8Array | undefined;
    if (tag === GENERAL_SIGNING) {
      // Suites 1/2: a signed request (its content plain or ciphered) gets a signed response.
      const k = this.server.keys;
      if (this.server.cfg.suite === 0 || !k.clientKey || !k.serverKey || !('secretKey' in k.serverKey) || !a.clientTitle) {
        throw new DlmsSecurityError('general-signing needs suite 1 or 2 with both ECDSA keys', 'policy');
      }
      const g = openSigned(apdu, a.clientTitle, k.serverSystemTitle, k.clientKey);
      signedBy = g.transactionId;
      apdu = g.content;
    }
    let plain = apdu;
    let style: CipherStyle | undefined;
    if (isCiphered(apdu[0]!)) {
      ({ plain, style } = this.decipher(a, apdu));
    } else if (a.ciphered) {
      throw new DlmsSecurityError('this association accepts only ciphered requests', 'policy');
    }
    const req = decodeRequest(plain);
    if (a.phase !== 'associated' && !isReplyToHls(req)) {
      throw new DlmsSecurityError('association not established: only reply_to_HLS_authentication is allowed', 'policy');
    }
    const resp: Response = serveRequest(this.server, a, req, {
      association: { clientSap: a.cfg.clientSap, name: a.cfg.name },
      now: () => this.server.now(),
    });
    let out = encodeResponse(resp);
    if (style) out = this.encipher(a, style, out);
    if (signedBy) {
      const k = this.server.keys;
      out = sign({ transactionId: signedBy, originator: k.serverSystemTitle, recipient: a.clientTitle!, dateTime: new Uint8Array(0), otherInformation: new Uint8Array(0), content: out }, k.serverKey as EcKeyPair);
    }
    this.server.applyScheduledKeyChanges();
    if (a.phase === 'failed') this.assocs.delete(peer.clientSap);
    return out;
  }

  private gcmKeys(a: Association, style: CipherStyle): GcmKeys {
    const k = this.server.keys;
    if (style === 'ded' || style === 'general-ded') {
      if (!a.dedicatedKey) throw new DlmsSecurityError('dedicated ciphering without a dedicated key', 'unknown-key');
      return { ek: a.dedicatedKey, ak: k.gak };
    }
    return { ek: k.guek, ak: k.gak };
  }

  private decipher(a: Association, apdu: Uint8Array): { plain: Uint8Array; style: CipherStyle } {
    if (!a.ciphered || !a.clientTitle) throw new DlmsSecurityError('ciphered request in an association without ciphering', 'policy');
    const env = openEnvelope(apdu);
    if (env.systemTitle && !equalPublicBytes(env.systemTitle, a.clientTitle)) {
      throw new DlmsSecurityError('general-ciphering system title is not the associated client', 'policy');
    }
    const u = unprotect(this.gcmKeys(a, env.style), a.clientTitle, env.body);
    if (!u.sc.authenticated || !u.sc.encrypted || u.sc.suite !== this.server.cfg.suite) {
      throw new DlmsSecurityError(`security control 0x${(u.sc.suite | 0x30).toString(16)} below the association's policy (authenticated and encrypted, suite ${this.server.cfg.suite})`, 'policy');
    }
    this.acceptCounter(a.who, u.ic, 'APDU', false);
    if (env.plainTag !== undefined && u.plaintext[0] !== env.plainTag) throw new DlmsDecodeError('deciphered APDU does not match its envelope tag');
    return { plain: u.plaintext, style: env.style };
  }

  private encipher(a: Association, style: CipherStyle, plain: Uint8Array): Uint8Array {
    const ic = this.server.state.nextServerIc();
    const body = protect({ suite: this.server.cfg.suite, authenticated: true, encrypted: true }, this.gcmKeys(a, style), this.server.keys.serverSystemTitle, ic, plain);
    return envelope(style, plain[0]!, body, this.server.keys.serverSystemTitle);
  }

  /** The invocation-counter rule; a refused counter is recorded as a security event (issue 12). */
  private acceptCounter(who: string, ic: number, what: string, durable = true): void {
    const st = this.server.state;
    const last = st.clientCounter(who);
    const threshold = this.server.cfg.profile === 'hardened' ? this.server.cfg.counterJumpThreshold : undefined;
    const v = checkCounter(last, ic, threshold);
    if (!v.ok) {
      st.record({ kind: v.reason === 'replay' ? 'counter-replay' : 'counter-jump', client: who, detail: what, received: ic, last });
      throw new DlmsCounterError(
        v.reason === 'replay' ? `${what} invocation counter ${ic} not above the last accepted ${last}` : `${what} invocation counter ${ic} jumps more than ${threshold} above ${last}`,
        v.reason === 'replay' ? 'invocation-counter' : 'counter-jump',
        last,
      );
    }
    st.setClientCounter(who, ic, durable);
  }

  private establish(peer: PeerAddress, apdu: Uint8Array): Uint8Array {
    const srv = this.server;
    const keys = srv.keys;
    this.assocs.delete(peer.clientSap); // a new AARQ replaces what this SAP had
    let aarq: Aarq;
    try {
      aarq = decodeAarq(apdu);
    } catch (e) {
      if (!(e instanceof DlmsDecodeError)) throw e;
      this.lastError = e;
      return encodeAare({ context: CONTEXT.ln, result: RESULT.rejectedPermanent, diagnostic: DIAGNOSTIC.noReasonGiven, diagnosticSource: 1 });
    }
    const reject = (diagnostic: number, why: Error, userInformation?: Uint8Array) => {
      this.lastError = why;
      return encodeAare({ context: aarq.context, result: RESULT.rejectedPermanent, diagnostic, diagnosticSource: 1, userInformation });
    };
    const cfg = srv.cfg.associations.find((c) => c.clientSap === peer.clientSap);
    if (!cfg) return reject(DIAGNOSTIC.noReasonGiven, new DlmsRejectedError(`unknown client SAP ${peer.clientSap}`, {}));
    if (aarq.context !== CONTEXT.ln && aarq.context !== CONTEXT.lnCiphered) {
      return reject(DIAGNOSTIC.applicationContextNotSupported, new DlmsNotImplementedError('short-name (SN) referencing'));
    }
    const ciphered = aarq.context === CONTEXT.lnCiphered;
    if (cfg.ciphered !== ciphered && (cfg.ciphered || !isHls(cfg.mechanism))) {
      return reject(DIAGNOSTIC.applicationContextNotSupported, new DlmsSecurityError(`association ${cfg.name} requires ${cfg.ciphered ? 'the ciphered' : 'the plain'} context`, 'policy'));
    }
    const mechId = aarq.mechanism ?? 0;
    if (mechId !== MECHANISM_ID[cfg.mechanism]) {
      return reject(DIAGNOSTIC.authenticationMechanismNotRecognised, new DlmsSecurityError(`association ${cfg.name} uses ${cfg.mechanism}, not mechanism ${mechId}`, 'policy'));
    }
    if ((cfg.mechanism === 'hls-md5' || cfg.mechanism === 'hls-sha1') && !srv.cfg.legacyMechanisms) {
      return reject(DIAGNOSTIC.authenticationMechanismNotRecognised, new DlmsSecurityError(`${cfg.mechanism} is legacy and not enabled`, 'policy'));
    }
    const hls = isHls(cfg.mechanism);
    const title = aarq.callingApTitle;
    if ((ciphered || hls) && (!title || title.length !== 8)) {
      return reject(DIAGNOSTIC.callingApTitleNotRecognized, new DlmsSecurityError('ciphering and HLS need an 8-byte calling-AP-title', 'policy'));
    }
    if (title && equalPublicBytes(title, keys.serverSystemTitle)) {
      srv.state.record({ kind: 'reflection', client: hex(title), detail: 'calling-AP-title equals the server system title' });
      return reject(DIAGNOSTIC.callingApTitleNotRecognized, new DlmsSecurityError('calling-AP-title is our own system title (reflection)', 'reflection'));
    }
    const who = title ? hex(title) : `sap:${peer.clientSap}`;
    if (!aarq.userInformation) return reject(DIAGNOSTIC.noReasonGiven, new DlmsDecodeError('AARQ without user-information (xDLMS InitiateRequest)'));

    // xDLMS InitiateRequest, ciphered in a ciphered context (glo-initiate-request).
    let initBytes = aarq.userInformation;
    let initStyle: CipherStyle = 'glo';
    if (ciphered) {
      try {
        const env = openEnvelope(aarq.userInformation);
        if (env.plainTag !== undefined && env.plainTag !== APDU.initiateRequest) throw new DlmsDecodeError('user-information is not a glo-initiate-request');
        if (env.style === 'ded' || env.style === 'general-ded') throw new DlmsDecodeError('InitiateRequest cannot be dedicated-ciphered');
        initStyle = env.style;
        // The security control byte is in clear: a suite mismatch is named as such, not as a failed decipherment.
        const clientSuite = (env.body[0] ?? 0) & 0x0f;
        if (env.body.length && clientSuite !== srv.cfg.suite) {
          throw new DlmsSecurityError(`refused by this server: the AARQ is protected with security suite ${clientSuite}, this server runs suite ${srv.cfg.suite}`, 'policy');
        }
        let u;
        try {
          u = unprotect({ ek: keys.guek, ak: keys.gak }, title!, env.body);
        } catch (e) {
          if (e instanceof DlmsSecurityError && e.reason === 'tag-mismatch') {
            throw new DlmsSecurityError(`refused by this server: the AARQ's GCM tag does not verify — the client's GUEK/GAK differ from this server's (suite ${srv.cfg.suite} both)`, 'tag-mismatch');
          }
          throw e;
        }
        if (!u.sc.authenticated || !u.sc.encrypted) throw new DlmsSecurityError('refused by this server: the AARQ is not authenticated and encrypted (this association requires both)', 'policy');
        this.acceptCounter(who, u.ic, 'AARQ', false);
        initBytes = u.plaintext;
      } catch (e) {
        if (e instanceof DlmsSecurityError) {
          const code = e.reason === 'invocation-counter' || e.reason === 'counter-jump' ? 6 : 5;
          const ex = concat(Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, code), code === 6 ? u32(srv.state.clientCounter(who)) : new Uint8Array(0));
          if (code === 5) srv.state.record({ kind: 'deciphering-failure', client: who, detail: e.message });
          return reject(DIAGNOSTIC.noReasonGiven, e, ex);
        }
        if (e instanceof DlmsDecodeError) return reject(DIAGNOSTIC.noReasonGiven, e);
        throw e;
      }
    }
    let init;
    try {
      init = decodeInitiateRequest(initBytes);
    } catch (e) {
      if (e instanceof DlmsDecodeError) return reject(DIAGNOSTIC.noReasonGiven, e);
      throw e;
    }
    const initError = (value: number, why: string) => reject(DIAGNOSTIC.noReasonGiven, new DlmsRejectedError(why, { initiateError: value }), encodeConfirmedServiceError({ service: 1, errorKind: 6, value }));
    if (init.dlmsVersion < 6) return initError(1, `DLMS version ${init.dlmsVersion} too low`);
    const conformance = init.conformance & srv.cfg.conformance;
    if ((conformance & (CONFORMANCE.get | CONFORMANCE.set | CONFORMANCE.action)) === 0) return initError(2, 'no common conformance');
    if (init.maxPduSize !== 0 && init.maxPduSize < 64) return initError(3, `client max PDU ${init.maxPduSize} too small`);
    if (init.dedicatedKey && (!ciphered || init.dedicatedKey.length !== srv.suite.keyBytes)) return initError(4, 'dedicated key without ciphering or of the wrong size');

    // Authentication.
    let stoc: Uint8Array | undefined;
    const ctos = aarq.callingAuthValue;
    if (cfg.mechanism === 'lls') {
      const pw = new TextEncoder().encode(keys.password);
      // The password is a secret: compared in constant time (issue 16), its length included.
      if (!ctos || !constantTimeEqual(ctos, pw)) {
        srv.state.record({ kind: 'auth-failure', client: who, detail: 'LLS password' });
        return reject(DIAGNOSTIC.authenticationFailure, new DlmsSecurityError('refused by this server: wrong LLS password', 'wrong-response'));
      }
    } else if (hls) {
      if (!ctos || !challengeLengthOk(cfg.mechanism, ctos)) {
        return reject(DIAGNOSTIC.authenticationFailure, new DlmsSecurityError('CtoS missing or of a bad length', 'wrong-response'));
      }
      if (srv.isOutstandingChallenge(ctos)) {
        srv.state.record({ kind: 'reflection', client: who, detail: 'CtoS equals a challenge this server issued' });
        return reject(DIAGNOSTIC.authenticationFailure, new DlmsSecurityError('CtoS is one of our own challenges (reflection)', 'reflection'));
      }
      let counter: number | undefined;
      if (srv.cfg.profile === 'hardened') {
        // seed Table 3.2 / §3.4.2: the challenge carries the client's counter; accept only a greater one,
        // within the jump threshold; answer with our counter one above it.
        const c = challengeCounter(cfg.mechanism, ctos);
        if (c === undefined) return reject(DIAGNOSTIC.authenticationFailure, new DlmsSecurityError(`refused by this server: it runs the hardened profile and the client's challenge (CtoS, ${ctos.length} bytes) carries no invocation counter — the client speaks the standard profile (seed Table 3.2)`, 'invocation-counter'));
        try {
          this.acceptCounter(who, c, 'CtoS', false);
        } catch (e) {
          if (!(e instanceof DlmsSecurityError)) throw e;
          const ex = concat(Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, 6), u32(srv.state.clientCounter(who)));
          return reject(DIAGNOSTIC.authenticationFailure, e, ex);
        }
        counter = srv.state.clientCounter(who) + 1;
        srv.state.setClientCounter(who, counter, false); // written below, before the challenge leaves
      }
      do stoc = makeChallenge(cfg.mechanism, counter);
      while (equalPublicBytes(stoc, ctos));
      srv.addOutstandingChallenge(stoc);
    }

    const a: Association = {
      cfg,
      phase: hls ? 'pending-hls' : 'associated',
      ciphered,
      contextId: aarq.context,
      clientTitle: title,
      who,
      ctos: hls ? ctos : undefined,
      stoc,
      dedicatedKey: init.dedicatedKey,
      peer,
      conformance,
      clientMaxPdu: init.maxPduSize === 0 ? 0xffff : init.maxPduSize,
    };
    a.lnObject = new AssociationLnObject(CURRENT_ASSOCIATION_LN, {
      clientSap: peer.clientSap,
      serverSap: peer.serverSap,
      mechanismId: mechId,
      contextId: aarq.context,
      conformance,
      maxReceivePdu: srv.cfg.maxPduSize,
      maxSendPdu: a.clientMaxPdu,
      status: () => (a.phase === 'associated' ? 2 : a.phase === 'pending-hls' ? 1 : 0),
      visibleObjects: () => srv.visibleObjects(a),
      replyToHls: (resp) => this.replyToHls(a, resp),
    });
    this.assocs.set(peer.clientSap, a);

    // The counters that establish an association (AARQ IC, CtoS, our StoC counter) must be durable before the AARE
    // leaves only when the AARQ alone establishes the association (a ciphered context without HLS): replayed after a
    // restart that lost them, it would open an association for the recorded requests that follow. With HLS, the
    // association exists only once pass 3 answers our fresh random StoC (Green Book §9.2.7.4), which a replayed
    // recording cannot do, so they are written lazily with the rest — no fsync per association (issue 16). The
    // server's own counters are covered by the reservation on disk either way (state.ts).
    if (ciphered && !hls) srv.state.flush();
    let ui = encodeInitiateResponse({ conformance, maxPduSize: srv.cfg.maxPduSize, dlmsVersion: 6, vaaName: 0x0007 });
    if (ciphered) {
      const ic = srv.state.nextServerIc();
      ui = envelope(initStyle, APDU.initiateResponse, protect({ suite: srv.cfg.suite, authenticated: true, encrypted: true }, { ek: keys.guek, ak: keys.gak }, keys.serverSystemTitle, ic, ui), keys.serverSystemTitle);
    }
    return encodeAare({
      context: aarq.context,
      result: RESULT.accepted,
      diagnostic: hls ? DIAGNOSTIC.authenticationRequired : DIAGNOSTIC.null,
      diagnosticSource: 1,
      respondingApTitle: ciphered || hls ? keys.serverSystemTitle : undefined,
      mechanism: hls ? mechId : undefined,
      respondingAuthValue: stoc,
      userInformation: ui,
    });
  }

  /** HLS pass 3 (f(StoC) from the client) and pass 4 (our f(CtoS)). */
  private replyToHls(a: Association, response: Uint8Array): Uint8Array | AccessFault {
    const srv = this.server;
    if (a.phase !== 'pending-hls' || !a.ctos || !a.stoc || !a.clientTitle) return new AccessFault(3, 'no HLS authentication pending');
    const k = srv.keys;
    const p: HlsParties = {
      mechanism: a.cfg.mechanism,
      profile: srv.cfg.profile,
      suite: srv.cfg.suite,
      clientTitle: a.clientTitle,
      serverTitle: k.serverSystemTitle,
      ctos: a.ctos,
      stoc: a.stoc,
      keys: { ek: k.guek, ak: k.gak },
      secret: k.hlsSecret,
      clientKey: k.clientKey,
      serverKey: k.serverKey,
    };
    srv.removeOutstandingChallenge(a.stoc);
    try {
      verifyHlsResponse(p, 'client', response);
    } catch (e) {
      if (!(e instanceof DlmsSecurityError)) throw e;
      srv.state.record({ kind: 'auth-failure', client: a.who, detail: `${a.cfg.mechanism}: ${e.message}` });
      a.phase = 'failed';
      this.lastError = e;
      return new AccessFault(3, e.message);
    }
    const ic = a.cfg.mechanism === 'hls-gmac' ? srv.state.nextServerIc() : 0;
    a.phase = 'associated';
    return hlsResponse(p, 'server', ic);
  }

  private release(peer: PeerAddress, apdu: Uint8Array): Uint8Array {
    const rlrq = decodeRlrq(apdu);
    const a = this.assocs.get(peer.clientSap);
    this.assocs.delete(peer.clientSap);
    if (a && a.ciphered && a.clientTitle && rlrq.userInformation) {
      // A ciphered association releases with a ciphered InitiateRequest in user-information (Green Book);
      // answer in kind so clients that check it are satisfied.
      const env = openEnvelope(rlrq.userInformation);
      const u = unprotect({ ek: this.server.keys.guek, ak: this.server.keys.gak }, a.clientTitle, env.body);
      this.acceptCounter(a.who, u.ic, 'RLRQ', false);
      const init = encodeInitiateResponse({ conformance: a.conformance, maxPduSize: this.server.cfg.maxPduSize, dlmsVersion: 6, vaaName: 0x0007 });
      const ic = this.server.state.nextServerIc();
      const k = this.server.keys;
      const ui = envelope(env.style, APDU.initiateResponse, protect({ suite: this.server.cfg.suite, authenticated: true, encrypted: true }, { ek: k.guek, ak: k.gak }, k.serverSystemTitle, ic, init), k.serverSystemTitle);
      return encodeRlre({ reason: 0, userInformation: ui });
    }
    return encodeRlre({ reason: 0 });
  }
}

function isReplyToHls(req: Request): boolean {
  return req.kind === 'action' && req.method.classId === 15 && req.method.method === 1 && equalPublicBytes(req.method.ln, CURRENT_ASSOCIATION_LN);
}

/** exception-response for a refused APDU (Green Book state-error / service-error). */
function exceptionFor(e: Error): Uint8Array {
  if (e instanceof DlmsSecurityError) {
    if (e.reason === 'invocation-counter' || e.reason === 'counter-jump') {
      // invocation-counter-error carries the counter the server holds, so the client can continue above it.
      const last = e instanceof DlmsCounterError ? e.last : 0;
      return concat(Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, EXCEPTION.invocationCounterError), u32(last));
    }
    if (e.reason === 'tag-mismatch' || e.reason === 'unknown-key') return Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, EXCEPTION.decipheringError);
    return Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, EXCEPTION.operationNotPossible);
  }
  if (e instanceof DlmsRejectedError) return Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceNotAllowed, EXCEPTION.operationNotPossible);
  if (e instanceof DlmsNotImplementedError) return Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceUnknown, EXCEPTION.serviceNotSupported);
  return Uint8Array.of(APDU.exceptionResponse, EXCEPTION.stateServiceUnknown, EXCEPTION.otherReason);
}
