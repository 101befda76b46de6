import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { formatBids, parseBids } from '../../host/mpc/bids.ts';
import { generateBids, PRICE_RANGES, SUPPLIERS } from '../../host/mpc/generate.ts';
import { formatMeters, type Meter } from '../../host/mpc/meters.ts';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bids CSV', () => {
  const ok = 'bid,side,quantity,price,supplier\n1,buy,100,50,1\n2,sell,200,40,2\n';
  it('parses and round-trips', () => {
    const b = parseBids(ok);
    expect(b).toEqual([
      { id: 1, side: 'buy', quantity: 100, price: 50, supplier: 1 },
      { id: 2, side: 'sell', quantity: 200, price: 40, supplier: 2 },
    ]);
    expect(parseBids(formatBids(b))).toEqual(b);
  });
  it.each([
    ['bid,side,qty,price,supplier\n', 1, /expected header/],
    [ok + '3,buy,-5,50,1\n', 4, /quantity '-5' is not a non-negative integer/],
    [ok + '3,buy,5,50\n', 4, /expected 5 fields/],
    [ok + '2,buy,5,50,1\n', 4, /bid 2 appears twice/],
    [ok + '\n3,buy,5,10001,1\n', 5, /price 10001 is outside 0\.\.10000/],
    [ok + '3,buy,5,50,0\n', 4, /supplier 0 is outside/],
    [ok + '3,hold,5,50,1\n', 4, /side must be/],
  ])('reports the bad line (%#)', (text, line, msg) => {
    expect(() => parseBids(text, 'b.csv')).toThrow(new RegExp(`^b\\.csv:${line}: ` + msg.source));
  });
});

describe('mpc auction input', () => {
  it('an empty bids file is bad input naming the file, not a clearing at price 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpc-empty-'));
    const file = join(dir, 'empty.csv');
    writeFileSync(file, 'bid,side,quantity,price,supplier\n');
    const r = await run(['mpc', 'auction', '--bids', file, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hasm mpc: ${file}: no bids (only the header): there is no market to clear`);
    expect(JSON.parse(r.out)).toEqual({ error: `${file}: no bids (only the header): there is no market to clear` });
    writeFileSync(file, '');
    expect((await run(['mpc', 'auction', '--bids', file])).err).toBe(`hasm mpc: ${file}:1: expected header 'bid,side,quantity,price,supplier', got ''`);
  });
});

describe('data generator (seed §6.7.1)', () => {
  it('is deterministic per seed and matches the seed’s proportions', () => {
    const a = generateBids(4000, 11);
    expect(generateBids(4000, 11)).toEqual(a);
    expect(generateBids(4000, 12)).not.toEqual(a);
    const sellers = a.filter((b) => b.side === 'sell');
    // Only PV owners (30 %) can sell, and nearly all of them have a surplus at 81.66 % of ≥ 2.3 kW.
    expect(sellers.length / a.length).toBeGreaterThan(0.26);
    expect(sellers.length / a.length).toBeLessThan(0.32);
    const buyers = a.filter((b) => b.side === 'buy');
    const meanBuyWh = buyers.reduce((s, b) => s + b.quantity, 0) / buyers.length;
    expect(meanBuyWh).toBeGreaterThan(300); // 0.637 kW × 0.5 h = 318.5 Wh
    expect(meanBuyWh).toBeLessThan(340);
    const prices = new Set(PRICE_RANGES.flat());
    for (const b of a) {
      expect(prices.has(b.price)).toBe(true);
      expect(b.supplier).toBeGreaterThanOrEqual(1);
      expect(b.supplier).toBeLessThanOrEqual(SUPPLIERS);
    }
    expect(new Set(a.map((b) => b.supplier)).size).toBe(10);
    expect(Math.min(...a.map((b) => b.price))).toBe(40);
    expect(Math.max(...a.map((b) => b.price))).toBe(200);
  });

  it('hasm mpc generate prints the CSV', async () => {
    const r = await run(['mpc', 'generate', '--bids', '3', '--seed', '4']);
    expect(r.code).toBe(0);
    expect(parseBids(r.out)).toEqual(generateBids(3, 4));
  });
});

describe('hasm mpc settle', () => {
  it('prints the Table 6.6 views as JSON and rejects a bad algorithm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpc-settle-'));
    const ms: Meter[] = [
      { meter: 1, region: 1, importSupplier: 1, exportSupplier: 2, import: 500, export: 0 },
      { meter: 2, region: 1, importSupplier: 2, exportSupplier: 2, import: 300, export: 1200 },
      { meter: 3, region: 2, importSupplier: 1, exportSupplier: 1, import: 800, export: 0 },
    ];
    const file = join(dir, 'meters.csv');
    writeFileSync(file, formatMeters(ms));
    for (const alg of ['naa', 'ncaa', 'niaa']) {
      const r = await run(['mpc', 'settle', '--meters', file, '--algorithm', alg, '--json', '--in-process']);
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.tso.region_supplier['1']['2']).toEqual({ import: 300, export: 1200 });
      expect(j.dso['2'].total).toEqual({ import: 800, export: 0 });
      expect(j.supplier['1'].total).toEqual({ import: 1300, export: 0 });
      expect(j.tso.grid).toEqual({ import: 1600, export: 1200 });
    }
    const bad = await run(['mpc', 'settle', '--meters', file, '--algorithm', 'xyz']);
    expect(bad.code).toBe(2);
  });
});
