// `hasm central meters|readings|command` and the HTTP JSON API over one database; `serve`'s loop sending a
// command queued over HTTP to an attached meter (the loopback test double of loopback-link.ts) and recording
// the outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../host/central/api.ts';
import { openDatabase } from '../../host/central/open.ts';
import { serve } from '../../host/central/serve.ts';
import { CentralStore } from '../../host/central/store.ts';
import { hasm } from '../cli-harness.ts';
import { LoopbackLink, readWire } from './loopback-link.ts';

describe('central system: CLI and HTTP API', () => {
  let dir = '';
  let db = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasm-central-cli-'));
    db = join(dir, 'c.sqlite');
    const store = new CentralStore(await openDatabase(db));
    await store.addMeter({ id: 'm1', feeder: 'f1' });
    await store.addReading('m1', { t: 1_700_000_000 - (1_700_000_000 % 1800), wh: 250, tariff: 0, pseudonym: 0 });
    await store.db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('meters, readings (json, csv), command queued with its arguments checked', async () => {
    const m = await hasm('central', 'meters', '--db', db, '--json');
    expect(m.status).toBe(0);
    expect(JSON.parse(m.stdout).meters.map((x: { id: string }) => x.id)).toEqual(['m1']);
    const r = await hasm('central', 'readings', 'm1', '--db', db, '--json');
    expect(JSON.parse(r.stdout)).toEqual({ meter: 'm1', readings: [{ t: 1699999200, wh: 250, tariff: 0, pseudonym: 0 }] });
    expect((await hasm('central', 'readings', 'm1', '--db', db, '--csv')).stdout).toBe('meter,timestamp,kwh\nm1,2023-11-14T22:00:00.000Z,0.250\n');
    const c = await hasm('central', 'command', 'm1', 'topup', '--arg', 'amount=5000', '--arg', 'token=7', '--db', db, '--json');
    expect(c.status).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ kind: 'topup', status: 'queued', payload_hex: '03000000881300000700000' + '0', args: { amount: 5000, token: 7 } });
    // out of the meter's range: bad input, nothing queued
    const bad = await hasm('central', 'command', 'm1', 'topup', '--arg', 'amount=5000000', '--arg', 'token=8', '--db', db);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/'amount' must be an integer in 1\.\.1000000/);
    expect((await hasm('central', 'command', 'nobody', 'read', '--db', db)).status).toBe(1);
    expect((await hasm('central', 'frobnicate')).status).toBe(2);
    // --wait with nobody serving the meter: exit 1 naming why
    const w = await hasm('central', 'command', 'm1', 'disconnect', '--wait', '1', '--db', db);
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/no outcome within 1 s/);
  });

  it('HTTP API: meters, readings, commands (400 for bad input, 404 for an unknown meter)', async () => {
    const store = new CentralStore(await openDatabase(db));
    const app = buildApi(store);
    try {
      expect((await app.inject({ url: '/api/meters' })).json().meters.map((x: { id: string }) => x.id)).toEqual(['m1']);
      expect((await app.inject({ url: '/api/meters/m1/readings?from=0' })).json().readings).toHaveLength(1);
      expect((await app.inject({ url: '/api/meters/zz/readings' })).statusCode).toBe(404);
      const post = await app.inject({ method: 'POST', url: '/api/meters/m1/commands', payload: { kind: 'appliance', args: { appliance: 2, on: false } } });
      expect(post.statusCode).toBe(202);
      expect(post.json()).toMatchObject({ kind: 'appliance', payload_hex: '04020000', status: 'queued' });
      expect((await app.inject({ url: `/api/commands/${post.json().id}` })).json().status).toBe('queued');
      const bad = await app.inject({ method: 'POST', url: '/api/meters/m1/commands', payload: { kind: 'appliance', args: { appliance: 9, on: true } } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatch(/appliance/);
      expect((await app.inject({ method: 'POST', url: '/api/meters/m1/commands', payload: { kind: 'privacy', args: { round_wh: 10, key: 'xyz' } } })).statusCode).toBe(400);
    } finally {
      await app.close();
      await store.db.close();
    }
  });

  it('serve: a command posted over HTTP goes out to the attached meter and its outcome is recorded', async () => {
    const running = await serve({ db: join(dir, 'serve.sqlite'), port: 0, intervalMs: 20 });
    try {
      const wire = join(dir, 'wire');
      await running.central.attach(new LoopbackLink('m9', 'aa'.repeat(16), wire));
      const base = `http://127.0.0.1:${running.port}`;
      const meters = (await (await fetch(`${base}/api/meters`)).json()) as { meters: { id: string; linked: boolean }[] };
      expect(meters.meters).toMatchObject([{ id: 'm9', linked: true }]);
      const posted = (await (await fetch(`${base}/api/meters/m9/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'reconnect' }) })).json()) as { id: number };
      let c: { status: string; counter: number | null } = { status: 'queued', counter: null };
      for (let i = 0; i < 200 && c.status === 'queued'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        c = (await (await fetch(`${base}/api/commands/${posted.id}`)).json()) as typeof c;
      }
      expect(c).toMatchObject({ status: 'delivered', counter: 0 });
      expect(readWire(wire).map((l) => l.value)).toEqual([0]);
    } finally {
      await running.stop();
    }
  });
});
