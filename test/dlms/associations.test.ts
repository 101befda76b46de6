import { describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { DlmsRejectedError, DlmsSecurityError } from '../../host/dlms/errors.ts';
import type { DlmsKeys } from '../../host/dlms/keys.ts';
import { generateKeyPair } from '../../host/dlms/security/ecdsa.ts';
import type { Mechanism, Profile } from '../../host/dlms/security/hls.ts';
import { wrapKey } from '../../host/dlms/security/keywrap.ts';
import type { SuiteId } from '../../host/dlms/security/suites.ts';
import { DEFAULT_CLIENT_SAP, defaultServerConfig } from '../../host/dlms/server/config.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import { ServerState } from '../../host/dlms/server/state.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { channelTo, clientOptions, demoKeys, EchoObject, makeServer, type Framing } from './helpers.ts';

// Client ↔ reference server: every mechanism, suite, profile and framing; GET/SET/ACTION with and without
// block transfer; release.

function keysFor(suite: SuiteId): DlmsKeys {
  if (suite === 0) return demoKeys;
  const curve = suite === 1 ? 'p256' : 'p384';
  const seed = (n: number) => new Uint8Array(suite === 1 ? 48 : 72).fill(n);
  const k: DlmsKeys = { ...demoKeys, clientKey: generateKeyPair(curve, seed(1)), serverKey: generateKeyPair(curve, seed(2)) };
  if (suite === 2) {
    k.guek = new Uint8Array(32).map((_, i) => i);
    k.gak = new Uint8Array(32).map((_, i) => 0xd0 + i);
    k.kek = new Uint8Array(32).fill(0x31);
  }
  return k;
}

const MATRIX: [SuiteId, Mechanism[]][] = [
  [0, ['none', 'lls', 'hls-gmac', 'hls-sha256']],
  [1, ['hls-gmac', 'hls-sha256', 'hls-ecdsa']],
  [2, ['hls-gmac', 'hls-sha256', 'hls-ecdsa']],
];
const FRAMINGS: Framing[] = ['loopback', 'wrapper', 'hdlc'];
const PROFILES: Profile[] = ['standard', 'hardened'];

describe('association with every mechanism, suite, profile and framing', () => {
  for (const [suite, mechs] of MATRIX)
    for (const mechanism of mechs)
      for (const profile of PROFILES)
        for (const framing of FRAMINGS) {
          it(`suite ${suite} ${mechanism} ${profile} over ${framing}: associate, read the energy register and the clock, release`, async () => {
            const keys = keysFor(suite);
            const server = new DlmsServer(defaultServerConfig(keys, profile, suite), new ServerState(undefined), [new EchoObject()]);
            const ch = await channelTo(server, framing, { clientSap: DEFAULT_CLIENT_SAP[mechanism], serverSap: 1 });
            const client = new DlmsClient(ch, { mechanism, profile, keys, suite, counters: new MemoryCounterStore() });
            const info = await client.associate();
            expect(info.ciphered).toBe(mechanism === 'hls-gmac' || mechanism === 'hls-ecdsa' || (mechanism === 'hls-sha256' && profile === 'hardened'));
            expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
            expect(await client.get(3, '1.0.1.8.0.255', 3)).toEqual({ type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] });
            const t = await client.get(8, '0.0.1.0.0.255', 2);
            expect(t.type).toBe('octet-string');
            await client.release();
            await ch.close();
          });
        }
});

describe('services', () => {
  for (const framing of FRAMINGS) {
    it(`GET/SET/ACTION normal, with-list and with blocks both ways over ${framing} (ciphered HLS-GMAC, small PDU)`, async () => {
      const { server, echo } = makeServer('hardened', { maxPduSize: 128 });
      const ch = await channelTo(server, framing, { clientSap: 1, serverSap: 1 });
      const client = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened', maxPduSize: 200 }));
      await client.associate();
      // The object list exceeds 128 bytes: GET with block transfer.
      const list = await client.get(15, '0.0.40.0.0.255', 2);
      expect(list.type === 'array' && list.value.length).toBeGreaterThan(5);
      // SET with blocks, then GET it back with blocks.
      const big = { type: 'octet-string' as const, value: new Uint8Array(1000).map((_, i) => (i * 7) & 0xff) };
      await client.set(1, '0.0.96.99.0.255', 2, big);
      expect(echo.value).toEqual(big);
      expect(await client.get(1, '0.0.96.99.0.255', 2)).toEqual(big);
      // ACTION with parameter blocks and a response in blocks.
      expect(await client.action(1, '0.0.96.99.0.255', 1, big)).toEqual(big);
      expect(await client.action(1, '0.0.96.99.0.255', 1, { type: 'unsigned', value: 5 })).toEqual({ type: 'unsigned', value: 5 });
      // With-list.
      const results = await client.getList([
        { descriptor: { classId: 3, ln: Uint8Array.of(1, 0, 1, 8, 0, 255), attr: 2 } },
        { descriptor: { classId: 3, ln: Uint8Array.of(1, 0, 2, 8, 0, 255), attr: 2 } },
        { descriptor: { classId: 3, ln: Uint8Array.of(9, 9, 9, 9, 9, 9), attr: 2 } },
      ]);
      expect(results).toEqual([{ data: { type: 'double-long-unsigned', value: 123456 } }, { data: { type: 'double-long-unsigned', value: 7890 } }, { dar: 4 }]);
      const dars = await client.setList([{ descriptor: { classId: 1, ln: Uint8Array.of(0, 0, 96, 99, 0, 255), attr: 2 } }, { descriptor: { classId: 3, ln: Uint8Array.of(1, 0, 1, 8, 0, 255), attr: 2 } }], [{ type: 'unsigned', value: 1 }, { type: 'double-long-unsigned', value: 0 }]);
      expect(dars).toEqual([0, 3]);
      const acts = await client.actionList([{ classId: 1, ln: Uint8Array.of(0, 0, 96, 99, 0, 255), method: 1 }], [{ type: 'boolean', value: true }]);
      expect(acts).toEqual([{ result: 0, data: { data: { type: 'boolean', value: true } } }]);
      await client.release();
      await ch.close();
    });
  }

  it('access rights: the public client sees a short object list and cannot write or read what is not in it', async () => {
    const { server } = makeServer('standard');
    const ch = await channelTo(server, 'loopback', { clientSap: 16, serverSap: 1 });
    const client = new DlmsClient(ch, clientOptions({ mechanism: 'none', profile: 'standard' }));
    await client.associate();
    const list = await client.get(15, '0.0.40.0.0.255', 2);
    const names = list.type === 'array' ? list.value.map((e) => (e.type === 'structure' && e.value[2]!.type === 'octet-string' ? Array.from(e.value[2]!.value).join('.') : '')) : [];
    expect(names).toContain('0.0.43.1.0.255'); // the frame counter is public (../shared/CLI.md)
    expect(names).not.toContain('0.0.99.98.0.255'); // the security event log is not
    // Security setup: only its suite (attribute 3, issue 16: a refused client learns which suite the server runs).
    expect(await client.get(64, '0.0.43.0.0.255', 3)).toEqual({ type: 'enum', value: 0 });
    await expect(client.get(64, '0.0.43.0.0.255', 4)).rejects.toThrow(/read-write-denied/);
    await expect(client.set(8, '0.0.1.0.0.255', 2, { type: 'octet-string', value: new Uint8Array(12) })).rejects.toThrow(/read-write-denied/);
    await expect(client.get(7, '0.0.99.98.0.255', 2)).rejects.toThrow(/object-undefined/);
    await expect(client.get(3, '1.0.1.8.0.255', 9)).rejects.toBeInstanceOf(DlmsRejectedError);
  });

  it('refuses a plain request inside a ciphered association and a request before association', async () => {
    const { server } = makeServer('hardened');
    const session = server.session();
    const plainGet = Uint8Array.from([0xc0, 0x01, 0xc1, 0x00, 0x03, 1, 0, 1, 8, 0, 255, 0x02, 0x00]);
    expect(Array.from(session.handle({ clientSap: 1, serverSap: 1 }, plainGet)!)).toEqual([0xd8, 0x01, 0x01]);
    expect(session.lastError).toBeInstanceOf(DlmsRejectedError);
  });

  it('key_transfer (Security setup, AES key wrap) replaces the GUEK: new keys work, old keys fail, and the change survives a restart', async () => {
    const state = new ServerState(undefined);
    const { server } = makeServer('hardened', {}, state);
    const counters = new MemoryCounterStore();
    const ch = await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 });
    const client = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened', counters }));
    await client.associate();
    const newEk = new Uint8Array(16).fill(0x5a);
    await client.action(64, '0.0.43.0.0.255', 2, { type: 'array', value: [{ type: 'structure', value: [{ type: 'enum', value: 0 }, { type: 'octet-string', value: wrapKey(demoKeys.kek, newEk) }] }] });
    const old = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile: 'hardened', counters }));
    await expect(old.associate()).rejects.toBeInstanceOf(DlmsSecurityError);
    const restarted = new DlmsServer(server.cfg, state, [new EchoObject()]);
    const fresh = new DlmsClient(await channelTo(restarted, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile: 'hardened', counters, keys: { ...demoKeys, guek: newEk } }));
    await fresh.associate();
    expect(await fresh.get(3, '1.0.2.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 7890 });
    expect(state.data.events.some((e) => e.kind === 'key-change')).toBe(true);
  });

  it('legacy MD5/SHA-1 need an explicit flag on both sides', () => {
    const ch = { address: { clientSap: 5, serverSap: 1 }, request: async () => new Uint8Array(0), close: async () => undefined };
    expect(() => new DlmsClient(ch, clientOptions({ mechanism: 'hls-md5', profile: 'standard' }))).toThrow(/legacy/);
    expect(() => new DlmsClient(ch, clientOptions({ mechanism: 'hls-md5', profile: 'standard', legacy: true }))).not.toThrow();
  });
});

describe('general-signing (suites 1 and 2)', () => {
  for (const suite of [1, 2] as SuiteId[]) {
    it(`suite ${suite}: signed and ciphered requests get signed responses; a forged signature is refused`, async () => {
      const keys = keysFor(suite);
      const server = new DlmsServer(defaultServerConfig(keys, 'hardened', suite), new ServerState(undefined), [new EchoObject()]);
      const session = server.session();
      const sent: Uint8Array[] = [];
      const ch = { address: { clientSap: 3, serverSap: 1 }, request: async (a: Uint8Array) => (sent.push(a), session.handle({ clientSap: 3, serverSap: 1 }, a)!), close: async () => undefined };
      const counters = new MemoryCounterStore();
      const client = new DlmsClient(ch, { mechanism: 'hls-ecdsa', profile: 'hardened', keys, suite, sign: true, counters });
      await client.associate();
      expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
      const signed = sent.at(-1)!;
      expect(signed[0]).toBe(0xdf);
      const forged = signed.slice();
      forged[forged.length - 5]! ^= 1; // inside the signature
      expect(Array.from(session.handle({ clientSap: 3, serverSap: 1 }, forged)!)).toEqual([0xd8, 0x01, 0x01]);
      expect((session.lastError as DlmsSecurityError).reason).toBe('signature');
      // A client holding another server public key refuses the (genuine) signed response.
      const wrongServer = { ...keys, serverKey: keysFor(suite).clientKey };
      const ch2 = { address: { clientSap: 1, serverSap: 1 }, request: async (x: Uint8Array) => session.handle({ clientSap: 1, serverSap: 1 }, x)!, close: async () => undefined };
      const c2 = new DlmsClient(ch2, { mechanism: 'hls-gmac', profile: 'hardened', keys: wrongServer, suite, sign: true, counters });
      await c2.associate();
      await expect(c2.get(3, '1.0.1.8.0.255', 2)).rejects.toMatchObject({ reason: 'signature' });
    });
  }
});

describe('legacy mechanisms 3/4', () => {
  for (const mechanism of ['hls-md5', 'hls-sha1'] as Mechanism[]) {
    it(`${mechanism} works only where both sides enabled it`, async () => {
      const on = new DlmsServer(defaultServerConfig(demoKeys, 'standard', 0, true));
      const c = new DlmsClient(await channelTo(on, 'loopback', { clientSap: DEFAULT_CLIENT_SAP[mechanism], serverSap: 1 }), clientOptions({ mechanism, profile: 'standard', legacy: true }));
      await c.associate();
      expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
      const off = new DlmsServer(defaultServerConfig(demoKeys, 'standard'));
      const d = new DlmsClient(await channelTo(off, 'loopback', { clientSap: DEFAULT_CLIENT_SAP[mechanism], serverSap: 1 }), clientOptions({ mechanism, profile: 'standard', legacy: true }));
      await expect(d.associate()).rejects.toBeInstanceOf(DlmsRejectedError);
    });
  }
});
