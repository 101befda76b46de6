import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAare, decodeRlre } from '../../host/dlms/acse.ts';
import { readU32 } from '../../host/dlms/bytes.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { listen } from '../../host/dlms/listen.ts';
import { isCiphered, openEnvelope } from '../../host/dlms/security/apdu-cipher.ts';
import { defaultServerConfig } from '../../host/dlms/server/config.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import { claimState, legacyReservationFloor, stateFileFor, stateIdentity, StateInUseError } from '../../host/dlms/server/state-identity.ts';
import { ServerState } from '../../host/dlms/server/state.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { openChannel, parseDlmsUrl } from '../../host/dlms/url.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { clientOptions, demoKeys, Tap } from './helpers.ts';

// Issue 16 item 1: the server's invocation counters belong to what the GCM nonce is made of (server system title
// and key), not to a port or a process.

const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Server invocation counters of every ciphered response, as the client sees them on the wire. */
const nonceRecorder = (inner: ApduChannel, out: number[]) =>
  new Tap(inner, (_req, resp) => {
    let a = resp;
    if (resp[0] === 0x61) a = decodeAare(resp).userInformation ?? new Uint8Array(0);
    if (resp[0] === 0x63) a = decodeRlre(resp).userInformation ?? new Uint8Array(0);
    if (a.length && isCiphered(a[0]!)) out.push(readU32(openEnvelope(a).body, 1));
  });

describe('server state keyed by identity (issue 16)', () => {
  it('names the state by system title and key, never by port, and never shows the key', () => {
    const a = stateFileFor(dir, demoKeys);
    expect(stateFileFor(dir, { ...demoKeys })).toBe(a);
    expect(stateFileFor(dir, { ...demoKeys, guek: new Uint8Array(16).fill(9) })).not.toBe(a);
    expect(stateFileFor(dir, { ...demoKeys, serverSystemTitle: new Uint8Array(8).fill(1) })).not.toBe(a);
    expect(a).not.toContain(Buffer.from(demoKeys.guek).toString('hex'));
    expect(a).toContain(Buffer.from(demoKeys.serverSystemTitle).toString('hex'));
  });

  it('refuses a second server of the same identity unless both share the state', () => {
    const file = join(dir, 'claim.json');
    const release = claimState(file, { shared: false, port: 4059 });
    expect(() => claimState(file, { shared: false, port: 4060 })).toThrow(StateInUseError);
    expect(() => claimState(file, { shared: true, port: 4060 })).toThrow(/port 4059.*--share-state/);
    release();
    const r2 = claimState(file, { shared: true, port: 4060 });
    const r3 = claimState(file, { shared: true, port: 4061 });
    expect(() => claimState(file, { shared: false, port: 4062 })).toThrow(StateInUseError);
    r2();
    r3();
    claimState(file, { shared: false })();
  });

  it('a state file of another identity is refused', () => {
    const file = join(dir, 'other.json');
    const s = new ServerState(file, { identity: 'aaaa' });
    s.nextServerIc();
    expect(() => new ServerState(file, { identity: 'bbbb' })).toThrow(InputError);
  });

  it('a fresh identity starts above the per-port state files of earlier versions', () => {
    const d = mkdtempSync(join(dir, 'legacy-'));
    writeFileSync(join(d, 'dlms-server-4059.json'), JSON.stringify({ version: 1, serverIcReserved: 3000, clients: {} }));
    writeFileSync(join(d, 'dlms-server-5000.json'), JSON.stringify({ version: 1, serverIcReserved: 12000, clients: {} }));
    expect(legacyReservationFloor(d)).toBe(12000);
    const s = new ServerState(stateFileFor(d, demoKeys), { identity: stateIdentity(demoKeys), floor: legacyReservationFloor(d) });
    expect(s.nextServerIc()).toBe(12001);
  });

  it('two servers with the same keys on two ports, restarted on other ports, never use a (key, nonce) pair twice', async () => {
    const file = stateFileFor(join(dir, 'shared'), demoKeys);
    const onWire: number[] = [];
    const handedOut: number[] = [];
    const counters = new MemoryCounterStore(); // one client device talking to both
    const start = async () => {
      const release = claimState(file, { shared: true });
      // Small blocks, so the two servers interleave their reservations many times.
      const state = new ServerState(file, { identity: stateIdentity(demoKeys), reserveStep: 3 });
      const next = state.nextServerIc.bind(state);
      state.nextServerIc = () => {
        const ic = next();
        handedOut.push(ic);
        return ic;
      };
      const server = new DlmsServer(defaultServerConfig(demoKeys, 'standard'), state);
      const tcp: Server = await listen(server, { port: 0 });
      const a = tcp.address();
      return { port: typeof a === 'object' && a ? a.port : 0, stop: () => new Promise<void>((r) => tcp.close(() => r())).then(release) };
    };
    const session = async (port: number) => {
      const ch = nonceRecorder(await openChannel(parseDlmsUrl(`tcp://127.0.0.1:${port}`), 1, { timeoutMs: 5000 }), onWire);
      const c = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile: 'standard', counters }));
      await c.associate();
      await c.get(3, '1.0.1.8.0.255', 2);
      await c.get(8, '0.0.1.0.0.255', 2);
      await c.release();
      await ch.close();
    };
    for (let run = 0; run < 3; run++) {
      const [s1, s2] = [await start(), await start()];
      expect(s1.port).not.toBe(s2.port);
      for (let k = 0; k < 4; k++) {
        await session(s1.port);
        await session(s2.port);
      }
      // Not an orderly shutdown of the state: no flush, as if both processes were killed.
      await s1.stop();
      await s2.stop();
    }
    expect(onWire.length).toBeGreaterThanOrEqual(3 * 2 * 4 * 4);
    expect(new Set(onWire).size).toBe(onWire.length);
    expect(handedOut.length).toBeGreaterThan(onWire.length); // pass-4 GMAC counters too
    expect(new Set(handedOut).size).toBe(handedOut.length);
  });
});

describe('client counters in a file (issue 16)', () => {
  it('are reserved in blocks: a new process continues above every value handed out', async () => {
    const { FileCounterStore } = await import('../../host/dlms/counter-store.ts');
    const file = join(dir, 'client-counters.json');
    const a = new FileCounterStore(file, 10);
    const handed: number[] = [];
    for (let i = 0; i < 25; i++) {
      const c = a.get('srv');
      c.own += 1;
      a.set('srv', c);
      handed.push(c.own);
    }
    const b = new FileCounterStore(file, 10); // a restart, or a crash, after 25 counters
    const next = b.get('srv').own + 1;
    expect(next).toBeGreaterThan(Math.max(...handed));
    expect(next).toBe(31);
  });
});

describe('lazily written client counters (issue 16)', () => {
  it('go to a side file without touching the reservation, and are read back, merged, at the next start', async () => {
    const { vi } = await import('vitest');
    const { readFileSync, existsSync } = await import('node:fs');
    vi.useFakeTimers();
    try {
      const file = join(dir, 'lazy.json');
      const s = new ServerState(file, { lazyMs: 200 });
      s.nextServerIc(); // the reservation: main file, fsynced
      const reserved = JSON.parse(readFileSync(file, 'utf8')).serverIcReserved as number;
      s.setClientCounter('4142434445464748', 41, false);
      expect(existsSync(`${file}.clients`)).toBe(false);
      vi.advanceTimersByTime(250);
      expect(JSON.parse(readFileSync(`${file}.clients`, 'utf8'))).toEqual({ '4142434445464748': 41 });
      expect(JSON.parse(readFileSync(file, 'utf8')).serverIcReserved).toBe(reserved);
      const again = new ServerState(file);
      expect(again.clientCounter('4142434445464748')).toBe(41);
      expect(again.nextServerIc()).toBe(reserved + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
