import { connect as tcpConnect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { listen } from '../../host/dlms/listen.ts';
import { openChannel, parseDlmsUrl } from '../../host/dlms/url.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { clientOptions, makeServer } from './helpers.ts';

// One TCP port, both framings, many clients; a stalled or broken client does not hold up the others.

let tcp: Server;
let port = 0;
const { server } = makeServer('hardened');
const counters = new MemoryCounterStore(); // one client device for the whole file

beforeAll(async () => {
  tcp = await listen(server, { port: 0, idleMs: 2000 });
  const a = tcp.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
afterAll(() => new Promise<void>((r) => tcp.close(() => r())));

describe('listen: wrapper and HDLC on one port', () => {
  it('serves wrapper and HDLC clients at the same time while another connection is stalled mid-frame', async () => {
    const stalled = tcpConnect({ port, host: '127.0.0.1' });
    await new Promise((r) => stalled.once('connect', r));
    stalled.write(Uint8Array.of(0x7e, 0xa0, 0x40, 0x03)); // a third of an HDLC frame, then silence
    const broken = tcpConnect({ port, host: '127.0.0.1' });
    await new Promise((r) => broken.once('connect', r));
    broken.write(Uint8Array.of(0x00, 0x01, 0x00)); // a third of a wrapper header
    broken.destroy();
    const run = async (url: string, mechanism: 'hls-gmac' | 'none' | 'lls', sap: number) => {
      const ch = await openChannel(parseDlmsUrl(url), sap, { timeoutMs: 2000 });
      const c = new DlmsClient(ch, clientOptions({ mechanism, profile: 'hardened', counters }));
      await c.associate();
      const values = [];
      for (let i = 0; i < 5; i++) values.push(await c.get(3, '1.0.1.8.0.255', 2));
      await c.release();
      await ch.close();
      return values;
    };
    const results = await Promise.all([
      run(`tcp://127.0.0.1:${port}`, 'hls-gmac', 1),
      run(`hdlc+tcp://127.0.0.1:${port}`, 'none', 16),
      run(`tcp://127.0.0.1:${port}`, 'lls', 17),
      run(`hdlc+tcp://127.0.0.1:${port}`, 'lls', 17),
    ]);
    for (const r of results) expect(r).toEqual(Array(5).fill({ type: 'double-long-unsigned', value: 123456 }));
    stalled.destroy();
  });

  it('two associations on one wrapper connection, told apart by their wPorts', async () => {
    const stream = await new Promise<import('node:net').Socket>((resolve) => {
      const s = tcpConnect({ port, host: '127.0.0.1' }, () => resolve(s));
    });
    const { socketStream } = await import('../../host/dlms/stream.ts');
    const { WrapperChannel } = await import('../../host/dlms/wrapper.ts');
    // Both channels read the same socket and each ignores frames for the other wPort.
    const bs = socketStream(stream);
    const pub = new DlmsClient(new WrapperChannel(bs, { clientSap: 16, serverSap: 1 }), clientOptions({ mechanism: 'none', profile: 'hardened', counters }));
    await pub.associate();
    const mgmt = new DlmsClient(new WrapperChannel(bs, { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile: 'hardened', counters }));
    await mgmt.associate();
    expect(await pub.get(1, '0.0.43.1.0.255', 2)).toMatchObject({ type: 'double-long-unsigned' });
    expect(await mgmt.get(3, '1.0.2.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 7890 });
    stream.destroy();
  });

  it('an idle connection is closed after idleMs by the one sweep; a peer that ends its side is closed at once', async () => {
    const idle = await listen(server, { port: 0, idleMs: 200 });
    const a = idle.address();
    const p = typeof a === 'object' && a ? a.port : 0;
    const open = () =>
      new Promise<import('node:net').Socket>((resolve) => {
        const s = tcpConnect({ port: p, host: '127.0.0.1' }, () => resolve(s));
      });
    const closed = (s: import('node:net').Socket) => new Promise<void>((r) => s.once('close', () => r()));
    // Silent from the start: closed by the sweep (between idleMs and 1.25 × idleMs later; generous bound here).
    const silent = await open();
    const t0 = Date.now();
    await closed(silent);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    // Half-closed by the client: the server does not keep its side open (no half-open connection per client).
    const ending = await open();
    ending.end();
    await closed(ending);
    await new Promise<void>((r) => idle.close(() => r()));
  });
});
