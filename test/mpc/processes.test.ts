import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasmProcess } from '../cli-harness.ts';
import { formatBids, parseBids, type Bid } from '../../host/mpc/bids.ts';
import { makeIdentity } from '../../host/mpc/certs.ts';
import { clearReference } from '../../host/mpc/clearing.ts';
import { generateBids } from '../../host/mpc/generate.ts';
import { shareBids } from '../../host/mpc/market.ts';
import { agreePairKeys, connectMesh } from '../../host/mpc/tls.ts';
import type { PartyId } from '../../host/mpc/transport.ts';
import { inputToJson } from '../../host/mpc/wire.ts';
import { settleLocal } from '../../host/mpc/local.ts';
import type { Meter } from '../../host/mpc/meters.ts';
import { dimensions, settleReference } from '../../host/mpc/settlement.ts';
import { freePort } from '../free-port.ts';

// The real thing: `hasm mpc …` as a user runs it, three evaluator processes over TLS.

const HASM = join(import.meta.dirname, '../../bin/hasm.mjs');
const hasm = (...args: string[]) => hasmProcess(args);

describe('hasm mpc over TLS processes', () => {
  it('auction --json clears a generated market exactly as the reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpc-test-'));
    const file = join(dir, 'bids.csv');
    const gen = await hasm('mpc', 'generate', '--bids', '60', '--seed', '5', '--out', file);
    expect(gen.status).toBe(0);
    const bids = parseBids(readFileSync(file, 'utf8'));
    expect(bids).toEqual(generateBids(60, 5));
    const r = await hasm('mpc', 'auction', '--bids', file, '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const ref = clearReference(bids, 10);
    expect({ price: out.price, volume: out.volume, accepted: out.accepted, supplier_volume: out.supplier_volume }).toEqual({
      price: ref.price,
      volume: ref.volume,
      accepted: ref.accepted,
      supplier_volume: ref.supplierVolume,
    });
    expect(out.timing.online_s).toBeGreaterThan(0);
    expect(out.timing.offline_s).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/party 1: sorted in \d+ levels/); // progress goes to stderr
  }, 60_000);

  it('settle (NCAA, the interactive one with openings) over three processes equals the cleartext aggregation', async () => {
    const rng = generateBids(80, 3); // reuse the generator's randomness for meter data
    const meters: Meter[] = rng.map((b, i) => ({
      meter: i + 1,
      region: 1 + (b.quantity % 3),
      importSupplier: b.supplier,
      exportSupplier: 1 + ((b.supplier * 7) % 10),
      import: b.side === 'buy' ? b.quantity : 0,
      export: b.side === 'sell' ? b.quantity : 0,
    }));
    const run = await settleLocal(meters, 'ncaa', { timeoutMs: 20_000 });
    const { nd, ns } = dimensions(meters);
    expect(run.aggregates).toEqual(settleReference(meters, nd, ns));
    expect(run.counters.rounds).toBeGreaterThan(3);
  }, 60_000);

  it('a bad row is reported with its line and nothing runs (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpc-test-'));
    const file = join(dir, 'bids.csv');
    writeFileSync(file, 'bid,side,quantity,price,supplier\n1,buy,100,50,1\n2,sel,100,50,1\n');
    const r = await hasm('mpc', 'auction', '--bids', file, '--json');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:3: side must be 'buy' or 'sell'`);
    expect(r.stderr).not.toContain('starting three evaluators');
    expect(JSON.parse(r.stdout).error).toMatch(/:3:/);
  }, 30_000);

  for (const fault of ['malformed', 'disconnect'] as const) {
    it(`a ${fault === 'malformed' ? 'party sending a malformed message' : 'party that disconnects'} makes the other two abort with a clear error`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mpc-test-'));
      const bids: Bid[] = generateBids(30, 9);
      writeFileSync(join(dir, 'bids.csv'), formatBids(bids));
      const shares = shareBids(bids, 10);
      const ids: PartyId[] = [1, 2, 3];
      const idents = await Promise.all(ids.map((id) => makeIdentity(`p${id}`)));
      const parties: Record<string, unknown> = {};
      for (const id of ids) {
        writeFileSync(join(dir, `p${id}.crt`), idents[id - 1]!.cert);
        writeFileSync(join(dir, `p${id}.key`), idents[id - 1]!.key);
        writeFileSync(join(dir, `in${id}.json`), inputToJson(shares[id]));
        parties[id] = { host: '127.0.0.1', port: await freePort(), cert: `p${id}.crt`, key: `p${id}.key`, input: `in${id}.json`, output: `out${id}.json` };
      }
      const config = join(dir, 'market.json');
      writeFileSync(config, JSON.stringify({ protocol: 'auction', timeout_ms: 5000, parties }));
      const t0 = Date.now();
      const runs = ([1, 2] as const).map(
        (id) =>
          new Promise<{ code: number | null; err: string }>((resolve) => {
            const c = spawn(process.execPath, [HASM, 'mpc', 'party', '--id', String(id), '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
            let err = '';
            c.stderr.on('data', (d: Buffer) => (err += d.toString()));
            c.on('exit', (code) => resolve({ code, err }));
          }),
      );
      // Party 3 is played here: it connects properly, agrees keys, then misbehaves in round 1.
      const cfg = parties as Record<PartyId, { host: string; port: number }>;
      const peers = Object.fromEntries(ids.map((id) => [id, { ...cfg[id], cert: idents[id - 1]!.cert }])) as never;
      const net = await connectMesh({ id: 3, key: idents[2]!.key, cert: idents[2]!.cert, peers, timeoutMs: 10_000 });
      await agreePairKeys(net);
      await net.recv(1); // round 1 has begun
      if (fault === 'malformed') {
        const frame = new Uint8Array(12);
        new DataView(frame.buffer).setUint32(0, 1, true);
        new DataView(frame.buffer).setUint32(4, 1, true);
        new DataView(frame.buffer).setUint32(8, 0xfffffffe, true); // not a field element
        net.send(1, frame);
        net.send(2, frame);
      }
      net.close();
      const results = await Promise.all(runs);
      for (const r of results) {
        expect(r.code).toBe(1);
        expect(r.err).toMatch(fault === 'malformed' ? /aborted: party \d: malformed message from party 3 in round 1/ : /aborted: .*party 3/);
      }
      expect(Date.now() - t0).toBeLessThan(20_000);
    }, 60_000);
  }
});
