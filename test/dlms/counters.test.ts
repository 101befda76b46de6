import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAarq, decodeAare } from '../../host/dlms/acse.ts';
import { readU32 } from '../../host/dlms/bytes.ts';
import { DlmsClient, DlmsSecurityErrorWithCounter } from '../../host/dlms/client.ts';
import { connect } from '../../host/dlms/connect.ts';
import { FileCounterStore, MemoryCounterStore, ownCounterKey } from '../../host/dlms/counter-store.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';
import { openEnvelope } from '../../host/dlms/security/apdu-cipher.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import { ServerState } from '../../host/dlms/server/state.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { channelTo, clientOptions, demoKeys, EchoObject, makeServer } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = ownCounterKey(demoKeys);

/** Wraps a channel and keeps every request and response. */
class Recorder implements ApduChannel {
  readonly log: { req: Uint8Array; resp: Uint8Array }[] = [];
  constructor(private readonly inner: ApduChannel) {}
  get address() {
    return this.inner.address;
  }
  async request(apdu: Uint8Array) {
    const resp = await this.inner.request(apdu);
    this.log.push({ req: apdu, resp });
    return resp;
  }
  close() {
    return this.inner.close();
  }
}

/** Server invocation counters seen in ciphered responses (AARE user-information and general-glo responses). */
function serverIcs(log: { resp: Uint8Array }[]): number[] {
  const out: number[] = [];
  for (const { resp } of log) {
    let apdu = resp;
    if (resp[0] === 0x61) {
      const ui = decodeAare(resp).userInformation;
      if (!ui) continue;
      apdu = ui;
    }
    if (apdu[0] === 0xdb || apdu[0] === 0xcc || apdu[0] === 0xcf || apdu[0] === 0x28) out.push(readU32(openEnvelope(apdu).body, 1));
  }
  return out;
}

for (const profile of ['standard', 'hardened'] as Profile[]) {
  describe(`invocation counters (${profile})`, () => {
    it('a replayed ciphered request is refused with an invocation-counter exception and logged', async () => {
      const { server } = makeServer(profile);
      const rec = new Recorder(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }));
      const client = new DlmsClient(rec, clientOptions({ mechanism: 'hls-gmac', profile }));
      await client.associate();
      await client.get(3, '1.0.1.8.0.255', 2);
      const captured = rec.log.at(-1)!.req;
      const before = server.state.clientCounter(Buffer.from(demoKeys.clientSystemTitle).toString('hex'));
      const answer = await rec.request(captured);
      expect(Array.from(answer.subarray(0, 3))).toEqual([0xd8, 0x01, 0x06]);
      expect(readU32(answer, 3)).toBe(before); // the counter the server holds, for the client to continue above
      const ev = server.state.data.events.at(-1)!;
      expect(ev.kind).toBe('counter-replay');
      expect(ev.received).toBe(before);
      // The association still works with fresh counters.
      expect(await client.get(3, '1.0.2.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 7890 });
    });

    it('a client whose counter fell behind is refused, then recovers by itself above the server counter', async () => {
      const { server } = makeServer(profile);
      const counters = new MemoryCounterStore();
      const c1 = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile, counters }));
      await c1.associate();
      await c1.get(3, '1.0.1.8.0.255', 2);
      const lost = new MemoryCounterStore(); // e.g. a head-end restored from an old backup
      const c2 = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile, counters: lost }));
      await expect(c2.associate()).rejects.toBeInstanceOf(DlmsSecurityErrorWithCounter);
      const c3 = await connect((sap) => channelTo(server, 'loopback', { clientSap: sap, serverSap: 1 }), { ...clientOptions({ mechanism: 'hls-gmac', profile, counters: lost }), clientSap: 1 });
      expect(await c3.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
      expect(lost.get(KEY).own).toBeGreaterThan(counters.get(KEY).own);
    });

    it(`a counter jump above the threshold is ${profile === 'hardened' ? 'refused and logged' : 'accepted (standard: any greater counter)'}`, async () => {
      const { server } = makeServer(profile, { counterJumpThreshold: 100 });
      const counters = new MemoryCounterStore();
      counters.set(KEY, { own: 5000, server: 0 });
      const c = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile, counters }));
      if (profile === 'hardened') {
        const e = await c.associate().then(() => undefined, (x: Error) => x);
        expect(e).toBeInstanceOf(DlmsSecurityError);
        expect(server.state.data.events.at(-1)).toMatchObject({ kind: 'counter-jump', received: 5001, last: 0 });
        expect(server.state.clientCounter(Buffer.from(demoKeys.clientSystemTitle).toString('hex'))).toBe(0);
      } else {
        await c.associate();
        expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
      }
    });

    it('a server restart never reuses a server invocation counter (GCM nonce)', async () => {
      const file = join(dir, `state-${profile}.json`);
      const counters = new FileCounterStore(join(dir, `client-${profile}.json`));
      const seen: number[] = [];
      for (let run = 0; run < 3; run++) {
        const server = new DlmsServer(makeServer(profile).server.cfg, new ServerState(file, 4), [new EchoObject()]);
        for (let k = 0; k < 3; k++) {
          const rec = new Recorder(await channelTo(server, 'wrapper', { clientSap: 1, serverSap: 1 }));
          const c = new DlmsClient(rec, clientOptions({ mechanism: 'hls-gmac', profile, counters }));
          await c.associate();
          await c.get(3, '1.0.1.8.0.255', 2);
          await c.get(8, '0.0.1.0.0.255', 2);
          await c.release();
          await rec.close();
          seen.push(...serverIcs(rec.log));
        }
        // no orderly shutdown: the process could have been killed here
      }
      expect(seen.length).toBeGreaterThan(20);
      expect(new Set(seen).size).toBe(seen.length);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    });
  });
}

describe('hardened challenge counters (seed Table 3.2)', () => {
  const plainSha = () => makeServer('hardened', { associations: makeServer('hardened').server.cfg.associations.map((a) => (a.clientSap === 4 ? { ...a, ciphered: false } : a)) });

  it('a replayed AARQ is refused: ciphered, by its GCM counter; plain, by the counter inside CtoS', async () => {
    for (const ciphered of [true, false]) {
      const { server } = ciphered ? makeServer('hardened') : plainSha();
      const rec = new Recorder(await channelTo(server, 'loopback', { clientSap: 4, serverSap: 1 }));
      const c = new DlmsClient(rec, clientOptions({ mechanism: 'hls-sha256', profile: 'hardened', ciphered }));
      await c.associate();
      const again = decodeAare(server.session().handle({ clientSap: 4, serverSap: 1 }, rec.log[0]!.req)!);
      expect(again.result).toBe(1);
      expect(Array.from(again.userInformation!.subarray(0, 3))).toEqual([0xd8, 0x01, 0x06]);
      expect(server.state.data.events.at(-1)).toMatchObject({ kind: 'counter-replay', detail: ciphered ? 'AARQ' : 'CtoS' });
    }
  });

  it('StoC carries the counter one above CtoS, and the client follows it', async () => {
    const { server } = plainSha();
    const counters = new MemoryCounterStore();
    const rec = new Recorder(await channelTo(server, 'loopback', { clientSap: 4, serverSap: 1 }));
    const c = new DlmsClient(rec, clientOptions({ mechanism: 'hls-sha256', profile: 'hardened', counters, ciphered: false }));
    await c.associate();
    const ctos = decodeAarq(rec.log[0]!.req).callingAuthValue!;
    const stoc = decodeAare(rec.log[0]!.resp).respondingAuthValue!;
    expect(ctos.length).toBe(20);
    expect(readU32(stoc, 16)).toBe(readU32(ctos, 16) + 1);
    expect(counters.get(KEY).own).toBe(readU32(stoc, 16));
    expect(server.state.clientCounter(Buffer.from(demoKeys.clientSystemTitle).toString('hex'))).toBe(readU32(stoc, 16));
  });
});
