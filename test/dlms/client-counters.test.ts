import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAarq } from '../../host/dlms/acse.ts';
import { readU32 } from '../../host/dlms/bytes.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { FileCounterStore, MemoryCounterStore, ownCounterKey, serverCounterKey, type ClientCounterStore } from '../../host/dlms/counter-store.ts';
import type { DlmsKeys } from '../../host/dlms/keys.ts';
import { isCiphered, openEnvelope } from '../../host/dlms/security/apdu-cipher.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import type { DlmsServer } from '../../host/dlms/server/server.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { channelTo, clientOptions, demoKeys, makeServer, Tap } from './helpers.ts';

// The client's own invocation counter belongs to what its GCM nonces are made of — client system title ‖ counter
// under the GUEK — not to the server it talks to (issue 16: the nonce-reuse pattern item 1 fixed on the server).
// Two servers of different titles sharing the client's key must never see the same client (key, nonce) pair.

const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-client-counters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Client invocation counters on the wire: the AARQ's ciphered InitiateRequest and every ciphered request. */
const nonceLog = (inner: ApduChannel, ics: number[]) =>
  new Tap(inner, (req) => {
    const env = req[0] === 0x60 ? decodeAarq(req).userInformation : req;
    if (env && isCiphered(env[0]!)) ics.push(readU32(openEnvelope(env).body, 1));
  });

const otherServer = (title: number): DlmsKeys => ({ ...demoKeys, serverSystemTitle: Uint8Array.of(0x48, 0x41, 0x53, 0x4d, 0, 0, 0, title) });

async function session(server: DlmsServer, profile: Profile, counters: ClientCounterStore, ics: number[]): Promise<void> {
  const keys = { ...demoKeys, serverSystemTitle: server.keys.serverSystemTitle };
  const ch = nonceLog(await channelTo(server, 'wrapper', { clientSap: 1, serverSap: 1 }), ics);
  const c = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile, keys, counters }));
  await c.associate();
  await c.get(3, '1.0.1.8.0.255', 2);
  await c.release();
  await ch.close();
}

describe('client invocation counters are keyed by the nonce identity (client title, key)', () => {
  for (const profile of ['standard', 'hardened'] as Profile[]) {
    it(`${profile}: one client, two servers of different titles, the same keys, a restart: no client nonce twice`, async () => {
      const file = join(dir, `client-${profile}.json`);
      const servers = [1, 2].map((title) => makeServer(profile, { keys: otherServer(title) }).server);
      const ics: number[] = [];
      for (let restart = 0; restart < 2; restart++) {
        const counters = new FileCounterStore(file); // a new client process each time
        for (const server of [...servers, ...servers]) await session(server, profile, counters, ics);
      }
      expect(ics.length).toBeGreaterThanOrEqual(16);
      expect(new Set(ics).size).toBe(ics.length);
    });
  }

  it('a new key or a new client title is a new counter; a new server title is not', () => {
    const other = { ...demoKeys, guek: new Uint8Array(16).fill(7) };
    expect(ownCounterKey(other)).not.toBe(ownCounterKey(demoKeys));
    expect(ownCounterKey({ ...demoKeys, clientSystemTitle: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) })).not.toBe(ownCounterKey(demoKeys));
    expect(ownCounterKey(otherServer(9))).toBe(ownCounterKey(demoKeys));
    expect(serverCounterKey(otherServer(9).serverSystemTitle, demoKeys)).not.toBe(serverCounterKey(demoKeys.serverSystemTitle, demoKeys));
    expect(ownCounterKey(demoKeys)).not.toContain(Buffer.from(demoKeys.guek).toString('hex')); // names, never reveals
  });

  it('a new key under the same client title starts above the old key\'s counter (servers keep one per title)', () => {
    const counters = new MemoryCounterStore();
    counters.set(ownCounterKey(demoKeys), { own: 321, server: 0 });
    const rekeyed = { ...demoKeys, guek: new Uint8Array(16).fill(0x5a) };
    expect(counters.get(ownCounterKey(rekeyed)).own).toBe(321);
    expect(counters.get(ownCounterKey({ ...rekeyed, clientSystemTitle: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) })).own).toBe(0);
  });

  it('a state file of the earlier per-server-title format: the own counter continues above every counter it used', async () => {
    const file = join(dir, 'client-legacy.json');
    const title = Buffer.from(demoKeys.serverSystemTitle).toString('hex');
    writeFileSync(file, JSON.stringify({ [title]: { own: 700, server: 40 }, '0102030405060708': { own: 900, server: 3 } }));
    const counters = new FileCounterStore(file);
    // The last counter seen from a server still guards against its replays.
    expect(counters.get(serverCounterKey(demoKeys.serverSystemTitle, demoKeys)).server).toBe(40);
    expect(counters.get(ownCounterKey(demoKeys)).own).toBe(900);
    const ics: number[] = [];
    await session(makeServer('standard').server, 'standard', counters, ics);
    expect(Math.min(...ics)).toBeGreaterThan(900);
  });
});
