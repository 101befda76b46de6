// The same attacks on the meter's DLMS server and on host/dlms's reference server, with the same verdicts (issue 19
// item 4; seed §3.4.2, Table 3.2, Figs 3.6–3.8; test/dlms/counters.test.ts and attacks.test.ts): a replayed ciphered
// request, a counter jump above the threshold, a reflected challenge (CtoS = the StoC just issued), the server's own
// system title as the caller, a wrong key, a man in the middle relaying the genuine client's f(StoC) for its own
// challenge. Each scenario runs against the reference server, the server alone on the emulated MSP430
// (./dlms-meter.ts EmulatedMeter) and the whole meter deployed, over TCP through its WAN UART (DeployedMeter: one
// per profile for the file, its counters carried from scenario to scenario); the verdicts are compared field by field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeAare, decodeAarq, encodeAarq } from '../../host/dlms/acse.ts';
import { concat, readU32, u32 } from '../../host/dlms/bytes.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore, ownCounterKey } from '../../host/dlms/counter-store.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';
import { envelope } from '../../host/dlms/security/apdu-cipher.ts';
import { protect } from '../../host/dlms/security/gcm.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { encodeInitiateRequest, SUPPORTED_CONFORMANCE } from '../../host/dlms/xdlms.ts';
import { channelTo, makeServer } from '../dlms/helpers.ts';
import { demoKeys, DeployedMeter, EmulatedMeter } from './dlms-meter.ts';

interface Target {
  channel(sap: number): Promise<ApduChannel>;
  /** The last invocation counter the server accepted from the head-end (opens no association on a fresh target;
   *  on the deployed meter it reads the frame-counter object in a public association). */
  held(): Promise<number>;
  /** The head-end's counters at this server: fresh with a fresh server, carried across scenarios on a shared one. */
  counters: MemoryCounterStore;
}

const TITLE = Buffer.from(demoKeys.clientSystemTitle).toString('hex');
const OWN = ownCounterKey(demoKeys);

async function meter(profile: Profile, threshold?: number): Promise<Target> {
  const m = await EmulatedMeter.start(profile, { threshold });
  return {
    channel: async (sap) => new WrapperChannel(m.stream(), { clientSap: sap, serverSap: 1 }, 5000),
    held: async () => m.m.call('dlms_peer_ic', 0) >>> 0,
    counters: new MemoryCounterStore(),
  };
}
async function reference(profile: Profile, threshold?: number): Promise<Target> {
  const { server } = makeServer(profile, threshold === undefined ? {} : { counterJumpThreshold: threshold });
  return {
    channel: (sap) => channelTo(server, 'wrapper', { clientSap: sap, serverSap: 1 }),
    held: async () => server.state.clientCounter(TITLE),
    counters: new MemoryCounterStore(),
  };
}
function deployed(m: DeployedMeter, counters: MemoryCounterStore): Target {
  return { channel: (sap) => m.channel(sap), held: () => m.held(), counters };
}

class Recorder implements ApduChannel {
  last?: Uint8Array;
  constructor(private readonly inner: ApduChannel) {}
  get address() {
    return this.inner.address;
  }
  async request(apdu: Uint8Array) {
    this.last = apdu;
    return this.inner.request(apdu);
  }
  close() {
    return this.inner.close();
  }
}

const reason = (e: unknown) => (e instanceof DlmsSecurityError ? e.reason : e instanceof Error ? e.constructor.name : 'ok');

async function replay(t: Target, profile: Profile) {
  const rec = new Recorder(await t.channel(1));
  const c = new DlmsClient(rec, { mechanism: 'hls-gmac', profile, keys: demoKeys, counters: t.counters });
  await c.associate();
  const first = await c.get(3, '1.0.1.8.0.255', 2);
  const captured = rec.last!; // the last request the server accepted: glo-get-request C8 LL SC IC …, or (where the
  // server grants general-protection) general-glo-ciphering DB 08 title LL SC IC …
  const icAt = captured[0] === 0xdb ? 12 : 3;
  const answer = await rec.request(captured);
  const after = await c.get(3, '1.0.1.8.0.255', 2).then((v) => v.type, (e: Error) => e);
  await c.release();
  await rec.close();
  // the exception carries the counter the server holds: the captured request's
  return { first: first.type, answer: Array.from(answer.subarray(0, 3)), counter: readU32(answer, 3) === readU32(captured, icAt), after };
}

async function jump(t: Target, profile: Profile) {
  const before = await t.held();
  const own = t.counters.get(OWN);
  t.counters.set(OWN, { ...own, own: own.own + 5000 });
  const ch = await t.channel(1);
  const c = new DlmsClient(ch, { mechanism: 'hls-gmac', profile, keys: demoKeys, counters: t.counters });
  const e = await c.associate().then(() => undefined, (x: Error) => x);
  const read = e ? undefined : (await c.get(3, '1.0.1.8.0.255', 2)).type;
  if (!e) await c.release();
  await ch.close();
  // refused: the server accepted nothing, and the head-end continues from where it was (as a head-end resynchronises
  // on the counter an invocation-counter refusal names)
  if (e) t.counters.set(OWN, own);
  return { refused: reason(e), read, moved: (await t.held()) - before };
}

/** A glo-ciphered AARQ for HLS-GMAC with the given CtoS and invocation counter (as host/dlms's client builds it). */
function aarq(ctos: Uint8Array, ic: number, title = demoKeys.clientSystemTitle, keys = { ek: demoKeys.guek, ak: demoKeys.gak }) {
  const init = encodeInitiateRequest({ conformance: SUPPORTED_CONFORMANCE, maxPduSize: 0xffff, dlmsVersion: 6 });
  const ui = envelope('glo', 0x01, protect({ suite: 0, authenticated: true, encrypted: true }, keys, title, ic, init));
  return encodeAarq({ context: 3, callingApTitle: title, mechanism: 5, callingAuthValue: ctos, userInformation: ui });
}

async function reflection(t: Target, profile: Profile) {
  const ch = await t.channel(1);
  const base = t.counters.get(OWN).own; // above every counter this server has accepted from us
  const ctos = (c: number) => (profile === 'hardened' ? Uint8Array.of(...new Uint8Array(16).fill(7), ...u32(base + c)) : new Uint8Array(16).fill(7));
  const a1 = decodeAare(await ch.request(aarq(ctos(2), base + 1)));
  // The attacker sends the meter's own challenge back as its CtoS (seed Figs 3.6–3.7), with fresh counters.
  const stoc = a1.respondingAuthValue!;
  const a2 = decodeAare(await ch.request(aarq(stoc, base + 10)));
  // The server's own system title as the calling title.
  const a3 = decodeAare(await ch.request(aarq(ctos(21), base + 20, demoKeys.serverSystemTitle)));
  // A wrong key: the AARQ's tag does not verify (exception deciphering-error in user-information).
  const a4 = decodeAare(await ch.request(aarq(ctos(31), base + 30, demoKeys.clientSystemTitle, { ek: new Uint8Array(16), ak: demoKeys.gak })));
  await ch.close();
  t.counters.set(OWN, { ...t.counters.get(OWN), own: base + 40 });
  return {
    first: [a1.result, a1.diagnostic, stoc.length],
    reflected: [a2.result, a2.diagnostic],
    ownTitle: [a3.result, a3.diagnostic],
    wrongKey: [a4.result, a4.diagnostic, Array.from(a4.userInformation ?? [])],
  };
}

/**
 * Seed Fig 3.8: the attacker poses as the client with its own CtoS (hardened: carrying the client's counter, which
 * the server accepts), relays the server's StoC to the genuine client, and presents the client's f(StoC) as its own
 * pass 3. The standard flow's f(StoC) covers the StoC only, so the server accepts it (the client, checking pass 4
 * over its own CtoS, notices too late); the hardened f(StoC ‖ CtoS) binds the client's challenge: refused. The
 * associations here are ciphered (SAP 1 requires it), so the attacker gains an authenticated association it cannot
 * use without the keys — what is compared is the server's verdict on the relayed pass 3, as the client reports it.
 */
async function manInTheMiddle(t: Target, profile: Profile) {
  const meterSide = await t.channel(1);
  let step = 0;
  const relay: ApduChannel = {
    address: meterSide.address,
    request: async (apdu) => {
      if (step++ > 0) return meterSide.request(apdu); // pass 3 (the client's f(StoC)), relayed unchanged
      const a = decodeAarq(apdu);
      const mine = new Uint8Array(randomBytes(16));
      const ctos = profile === 'hardened' ? concat(mine, a.callingAuthValue!.slice(-4)) : mine;
      return meterSide.request(encodeAarq({ ...a, callingAuthValue: ctos }));
    },
    close: () => meterSide.close(),
  };
  const c = new DlmsClient(relay, { mechanism: 'hls-gmac', profile, keys: demoKeys, counters: t.counters });
  const e = await c.associate().then(() => undefined, (x: Error) => x);
  await relay.close();
  return { accepted: !!e && !/refused our f\(StoC\)/.test(e.message), reason: reason(e) };
}

for (const profile of ['hardened', 'standard'] as Profile[]) {
  describe(`the same verdicts as the reference server (${profile})`, () => {
    // The whole meter, deployed once for these tests (jump threshold 100 as the jump scenario's reference).
    let m: DeployedMeter;
    const counters = new MemoryCounterStore();
    beforeAll(async () => {
      m = await DeployedMeter.start(profile, { threshold: 100 });
    }, 300_000); // a deployment's build, on a loaded machine
    afterAll(async () => {
      await m?.stop();
    }, 120_000);

    it('a replayed ciphered GET: invocation-counter-error with the held counter, the association goes on', async () => {
      const want = await replay(await reference(profile), profile);
      expect(want).toEqual({ first: 'double-long-unsigned', answer: [0xd8, 0x01, 0x06], counter: true, after: 'double-long-unsigned' });
      expect(await replay(await meter(profile), profile)).toEqual(want);
      expect(await replay(deployed(m, counters), profile)).toEqual(want);
    }, 120_000);

    it(`a counter jump above the threshold is ${profile === 'hardened' ? 'refused' : 'accepted'}`, async () => {
      const want = await jump(await reference(profile, 100), profile);
      expect(want.refused).toBe(profile === 'hardened' ? 'invocation-counter' : 'ok');
      expect(await jump(await meter(profile, 100), profile)).toEqual(want);
      expect(await jump(deployed(m, counters), profile)).toEqual(want);
    }, 120_000);

    it('a reflected challenge, our own title as caller, a wrong key: refused alike', async () => {
      const want = await reflection(await reference(profile), profile);
      expect(want.reflected).toEqual([1, 13]);
      expect(want.ownTitle).toEqual([1, 3]);
      expect(want.wrongKey).toEqual([1, 1, [0xd8, 1, 5]]);
      expect(await reflection(await meter(profile), profile)).toEqual(want);
      expect(await reflection(deployed(m, counters), profile)).toEqual(want);
    }, 120_000);

    it(`seed Fig 3.8, a man in the middle relaying the client's f(StoC): ${profile === 'hardened' ? 'refused' : 'accepted by the server'}`, async () => {
      const want = await manInTheMiddle(await reference(profile), profile);
      expect(want.accepted).toBe(profile === 'standard');
      expect(await manInTheMiddle(await meter(profile), profile)).toEqual(want);
      expect(await manInTheMiddle(deployed(m, counters), profile)).toEqual(want);
    }, 120_000);
  });
}
