// The same attacks on the meter's DLMS server (emulated MSP430) and on host/dlms's reference server, with the same
// verdicts (issue 19 item 4; seed §3.4.2, Table 3.2; test/dlms/counters.test.ts and attacks.test.ts): a replayed
// ciphered request, a counter jump above the threshold, a reflected challenge (CtoS = the StoC just issued), the
// server's own system title as the caller, a wrong key. Each scenario runs against both servers; the verdicts are
// compared field by field.
import { describe, expect, it } from 'vitest';
import { decodeAare, encodeAarq } from '../../host/dlms/acse.ts';
import { readU32, u32 } from '../../host/dlms/bytes.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';
import { envelope } from '../../host/dlms/security/apdu-cipher.ts';
import { protect } from '../../host/dlms/security/gcm.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { encodeInitiateRequest, SUPPORTED_CONFORMANCE } from '../../host/dlms/xdlms.ts';
import { channelTo, makeServer } from '../dlms/helpers.ts';
import { demoKeys, EmulatedMeter } from './dlms-meter.ts';

interface Target {
  channel(sap: number): Promise<ApduChannel>;
  /** The last invocation counter the server accepted from the head-end. */
  held(): number;
}

const TITLE = Buffer.from(demoKeys.clientSystemTitle).toString('hex');

async function meter(profile: Profile, threshold?: number): Promise<Target> {
  const m = await EmulatedMeter.start(profile, { threshold });
  return {
    channel: async (sap) => new WrapperChannel(m.stream(), { clientSap: sap, serverSap: 1 }, 5000),
    held: () => m.m.call('dlms_peer_ic', 0) >>> 0,
  };
}
async function reference(profile: Profile, threshold?: number): Promise<Target> {
  const { server } = makeServer(profile, threshold === undefined ? {} : { counterJumpThreshold: threshold });
  return {
    channel: (sap) => channelTo(server, 'wrapper', { clientSap: sap, serverSap: 1 }),
    held: () => server.state.clientCounter(TITLE),
  };
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
  const c = new DlmsClient(rec, { mechanism: 'hls-gmac', profile, keys: demoKeys, counters: new MemoryCounterStore() });
  await c.associate();
  const first = await c.get(3, '1.0.1.8.0.255', 2);
  const captured = rec.last!;
  const held = t.held();
  const answer = await rec.request(captured);
  const after = await c.get(3, '1.0.1.8.0.255', 2).then((v) => v, (e: Error) => e);
  return { first, answer: Array.from(answer.subarray(0, 3)), counter: readU32(answer, 3) === held, after };
}

async function jump(t: Target, profile: Profile) {
  const counters = new MemoryCounterStore();
  counters.set(Buffer.from(demoKeys.serverSystemTitle).toString('hex'), { own: 5000, server: 0 });
  const c = new DlmsClient(await t.channel(1), { mechanism: 'hls-gmac', profile, keys: demoKeys, counters });
  const e = await c.associate().then(() => undefined, (x: Error) => x);
  const read = e ? undefined : await c.get(3, '1.0.1.8.0.255', 2);
  return { refused: reason(e), read, held: t.held() };
}

/** A glo-ciphered AARQ for HLS-GMAC with the given CtoS and invocation counter (as host/dlms's client builds it). */
function aarq(ctos: Uint8Array, ic: number, title = demoKeys.clientSystemTitle, keys = { ek: demoKeys.guek, ak: demoKeys.gak }) {
  const init = encodeInitiateRequest({ conformance: SUPPORTED_CONFORMANCE, maxPduSize: 0xffff, dlmsVersion: 6 });
  const ui = envelope('glo', 0x01, protect({ suite: 0, authenticated: true, encrypted: true }, keys, title, ic, init));
  return encodeAarq({ context: 3, callingApTitle: title, mechanism: 5, callingAuthValue: ctos, userInformation: ui });
}

async function reflection(t: Target, profile: Profile) {
  const ch = await t.channel(1);
  const ctos = (c: number) => (profile === 'hardened' ? Uint8Array.of(...new Uint8Array(16).fill(7), ...u32(c)) : new Uint8Array(16).fill(7));
  const a1 = decodeAare(await ch.request(aarq(ctos(2), 1)));
  // The attacker sends the meter's own challenge back as its CtoS (seed Figs 3.6–3.7), with fresh counters.
  const stoc = a1.respondingAuthValue!;
  const a2 = decodeAare(await ch.request(aarq(stoc, 10)));
  // The server's own system title as the calling title.
  const a3 = decodeAare(await ch.request(aarq(ctos(21), 20, demoKeys.serverSystemTitle)));
  // A wrong key: the AARQ's tag does not verify (exception deciphering-error in user-information).
  const a4 = decodeAare(await ch.request(aarq(ctos(31), 30, demoKeys.clientSystemTitle, { ek: new Uint8Array(16), ak: demoKeys.gak })));
  return {
    first: [a1.result, a1.diagnostic, stoc.length],
    reflected: [a2.result, a2.diagnostic],
    ownTitle: [a3.result, a3.diagnostic],
    wrongKey: [a4.result, a4.diagnostic, Array.from(a4.userInformation ?? [])],
  };
}

for (const profile of ['hardened', 'standard'] as Profile[]) {
  describe(`the same verdicts as the reference server (${profile})`, () => {
    it('a replayed ciphered GET: invocation-counter-error with the held counter, the association goes on', async () => {
      const want = await replay(await reference(profile), profile);
      const got = await replay(await meter(profile), profile);
      expect(want.answer).toEqual([0xd8, 0x01, 0x06]);
      expect(want.counter).toBe(true);
      expect(got).toEqual(want);
    });

    it(`a counter jump above the threshold is ${profile === 'hardened' ? 'refused' : 'accepted'}`, async () => {
      const want = await jump(await reference(profile, 100), profile);
      const got = await jump(await meter(profile, 100), profile);
      expect(want.refused).toBe(profile === 'hardened' ? 'invocation-counter' : 'ok');
      expect(got).toEqual(want);
    });

    it('a reflected challenge, our own title as caller, a wrong key: refused alike', async () => {
      const want = await reflection(await reference(profile), profile);
      const got = await reflection(await meter(profile), profile);
      expect(want.reflected).toEqual([1, 13]);
      expect(want.ownTitle).toEqual([1, 3]);
      expect(want.wrongKey).toEqual([1, 1, [0xd8, 1, 5]]);
      expect(got).toEqual(want);
    });
  });
}
