// The central system end to end over host/deploy and the CS security module (firmware/cs): `serve` deploys the
// meter's descriptor on an emulated node with the firmware runtime (built, attested, keyed), attaches it through
// DeployLink, and from then on commands posted to the HTTP API go out sealed under the wan.central → cs.command
// connection key with counters reserved in the database; the module's authenticated outputs (its security-log
// events, its uplink of readings after the chapter 5 countermeasures) come back and are stored. The rest of the
// meter (core, off-switch, logs) is not deployed — firmware/meter.json has not landed — so the test plays the
// core's reading output itself, through a connection from the WAN into cs.reading.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Running } from '../../host/central/serve.ts';
import { sealEvent } from '../../host/deploy/protocol.ts';

describe('central system ↔ CS security module on an emulated node (hasm central serve --meter)', () => {
  let dir = '';
  let running: Running;
  let base = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasm-central-link-'));
    const d = {
      nodes: [{ name: 'meter1', runtime: 'firmware' }],
      modules: [{ name: 'cs', node: 'meter1', vendor_id: '0x4353', source: join(process.cwd(), 'firmware/cs') }],
      connections: [
        { id: 1, from: 'wan.central', to: 'cs.command' },
        { id: 2, from: 'cs.uplink', to: 'wan.uplink' },
        { id: 3, from: 'cs.log', to: 'wan.events' },
        { id: 4, from: 'wan.core', to: 'cs.reading' },
      ],
    };
    const file = join(dir, 'meter1.json');
    writeFileSync(file, JSON.stringify(d, null, 2));
    running = await serve({ db: join(dir, 'central.sqlite'), port: 0, intervalMs: 20, meters: [{ name: 'meter1', descriptor: file }] });
    base = `http://127.0.0.1:${running.port}`;
  }, 300_000);
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(path: string): Promise<T> => (await (await fetch(base + path)).json()) as T;
  const post = async <T>(path: string, body: unknown): Promise<T> =>
    (await (await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as T;
  interface Cmd { id: number; status: string; counter: number | null; identity: string | null }
  const outcome = async (id: number): Promise<Cmd> => {
    let c = await get<Cmd>(`/api/commands/${id}`);
    for (let i = 0; i < 500 && (c.status === 'queued' || c.status === 'sent'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      c = await get<Cmd>(`/api/commands/${id}`);
    }
    return c;
  };

  it('privacy settings go out sealed; the module logs them and applies them to the readings it uplinks', async () => {
    const store = running.central.store;
    const meters = await get<{ meters: { id: string; linked: boolean; attested_at: string | null }[] }>('/api/meters');
    expect(meters.meters).toMatchObject([{ id: 'meter1', linked: true }]);
    expect(meters.meters[0]!.attested_at).not.toBeNull();

    const key = '000102030405060708090a0b0c0d0e0f';
    const c = await post<Cmd>('/api/meters/meter1/commands', { kind: 'privacy', args: { round_wh: 100, omit_per_1024: 0, pseudonym_halfhours: 0, key } });
    const done = await outcome(c.id);
    expect(done).toMatchObject({ status: 'delivered', counter: 0 });
    expect(done.identity).toMatch(/^meter1\/sancus-connection-1\/[0-9a-f]{16}$/);
    expect(await store.privacy('meter1')).toMatchObject({ round_wh: 100, status: 'delivered' });
    // the module's log event (EV_PRIVACY = 5, OK, value = round_wh) came back authenticated on cs.log → wan.events
    await expect.poll(async () => (await get<{ logs: { kind: number; result: number; value: number }[] }>('/api/meters/meter1/logs')).logs.map((l) => [l.kind, l.result, l.value]), { timeout: 20_000 }).toEqual([[5, 0, 100]]);

    // The core's half-hourly reading [t][Wh][tariff u16][0] into cs.reading: the uplink carries it rounded.
    const session = running.sessions.get('meter1')!;
    const core = session.wanEnds.get(4)!;
    const reading = new Uint8Array(12);
    const v = new DataView(reading.buffer);
    v.setUint32(0, 1800 * 7, true);
    v.setUint32(4, 1234, true);
    v.setUint16(8, 1, true);
    expect(await session.modules.get('cs')!.node.wan!.event(4, sealEvent(core.key, core.counter++, reading))).toBe(true);
    await expect.poll(async () => (await get<{ readings: unknown[] }>('/api/meters/meter1/readings')).readings, { timeout: 20_000 }).toEqual([{ t: 12600, wh: 1200, tariff: 1, pseudonym: 0 }]);

    // The next command takes the next counter; an unknown command byte is refused by CS security and logged.
    const bogus = await store.queueCommand('meter1', 'bogus', {}, Uint8Array.of(0x77, 0));
    expect(await outcome(bogus.id)).toMatchObject({ status: 'delivered', counter: 1 });
    await expect.poll(async () => (await store.logs('meter1'))[0], { timeout: 20_000 }).toMatchObject({ kind: 6, result: 1, aux: 0x77 }); // EV_CS_REJECT, BAD_FORMAT

    // Somebody on the WAN without the key: a forged command is refused by the module.
    expect(await session.modules.get('cs')!.node.wan!.event(1, new Uint8Array(10))).toBe(false);
  }, 300_000);
});
