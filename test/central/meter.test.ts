// The central system on the whole meter: `serve --meter m1=firmware/meter.json` deploys the meter (every module
// attested and keyed) and attaches it; a `read` command goes CS security → core and the core's register reply comes
// back through CS security's uplink; a `log-read` goes to the logs module and its entry comes back on wan.logs;
// the data concentrator's output (wan.dc) is not the head end's and is not opened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serve, type Running } from '../../host/central/serve.ts';

let dir = '';
let running: Running;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hasm-central-meter-'));
  running = await serve({ db: join(dir, 'c.sqlite'), port: 0, intervalMs: 20, meters: [{ name: 'm1', descriptor: join(process.cwd(), 'firmware/meter.json') }] });
}, 600_000);
afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('read and log-read answered by the meter through CS security', async () => {
  const store = running.central.store;
  const meter = await store.meter('m1');
  expect(meter!.attested_at).not.toBeNull();
  const { queueCommand } = await import('../../host/central/queue.ts');
  const wait = async (id: number) => {
    for (let i = 0; i < 1000; i++) {
      const c = (await store.command(id))!;
      if (c.status !== 'queued' && c.status !== 'sent' && (c.outcome ?? '').startsWith('{')) return c;
      await new Promise((r) => setTimeout(r, 20));
    }
    return (await store.command(id))!;
  };
  const read = await wait((await queueCommand(store, 'm1', 'read', {})).id);
  expect(read.status).toBe('delivered');
  expect(JSON.parse(read.outcome!)).toMatchObject({ type: 'registers', total_wh: 0, tariff_wh: [0, 0, 0, 0] });
  const log = await wait((await queueCommand(store, 'm1', 'log-read', { log: 'offswitch', index: 0 })).id);
  expect(JSON.parse(log.outcome!)).toMatchObject({ type: 'log', log: 'offswitch' });
  expect((await store.commands({ meter: 'm1' })).map((c) => c.counter)).toEqual([0, 1]);
}, 300_000);
