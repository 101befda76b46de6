import { describe, expect, it } from 'vitest';
import { lagrangeBasis } from '../../host/mpc/equality.ts';
import { mul, add } from '../../host/mpc/field.ts';
import type { Meter } from '../../host/mpc/meters.ts';
import { parseMeters, formatMeters } from '../../host/mpc/meters.ts';
import { Prg } from '../../host/mpc/prg.ts';
import { dimensions, settleInMemory, settleReference, settlementJson } from '../../host/mpc/settlement.ts';
import { mask, networkFees, periodBill, unmaskTotal, zeroSumMasks, type Tariff } from '../../host/mpc/user-settlement.ts';

function meters(seed: number, n: number, nd: number, ns: number): Meter[] {
  const key = new Uint8Array(16);
  key[0] = seed;
  key[1] = 0x5e;
  const rng = new Prg(key);
  return Array.from({ length: n }, (_, i) => ({
    meter: i + 1,
    region: 1 + rng.below(nd),
    importSupplier: 1 + rng.below(ns),
    exportSupplier: 1 + rng.below(ns),
    import: rng.below(3000),
    export: rng.below(4) === 0 ? rng.below(2000) : 0,
  }));
}

describe('operational settlement (seed §6.6.4)', () => {
  for (const [alg, eq] of [['niaa', 'poly'], ['naa', 'poly'], ['naa', 'alg5'], ['ncaa', 'poly']] as const) {
    it(`${alg.toUpperCase()}${alg === 'naa' ? ` (${eq} equality)` : ''} equals the cleartext aggregation`, async () => {
      for (let seed = 1; seed <= 4; seed++) {
        const ms = meters(seed, 40 + seed * 13, 1 + (seed % 3), 2 + seed);
        const { nd, ns } = dimensions(ms);
        const run = await settleInMemory(ms, alg, { equality: eq, seed });
        expect(run.aggregates, `seed ${seed}`).toEqual(settleReference(ms, nd, ns));
        if (alg === 'niaa') expect(run.counters.rounds).toBe(0); // Table 6.6: no evaluator interaction
        else expect(run.counters.mults + run.counters.opens).toBeGreaterThan(0);
      }
    });
  }

  it('multiplication counts follow Table 6.6 (NAA: |s_u|·|SM|·N_s-ish for Algorithm 5, fewer with the polynomial)', async () => {
    const ms = meters(9, 50, 1, 10);
    const a5 = await settleInMemory(ms, 'naa', { equality: 'alg5', seed: 9 });
    const poly = await settleInMemory(ms, 'naa', { equality: 'poly', seed: 9 });
    // Algorithm 5 on 4-bit ids: 3 ORs per test, 2 directions × 50 meters × 10 suppliers; plus the 1000 products.
    expect(a5.counters.mults).toBe(2 * 50 * 10 * 3 + 2 * 50 * 10);
    // Polynomial: x²..x⁹ = 8 products per id, 100 ids; plus the 1000 products.
    expect(poly.counters.mults).toBe(100 * 8 + 1000);
    expect(poly.aggregates).toEqual(a5.aggregates);
  });

  it('the JSON gives each recipient its Table 6.6 view', async () => {
    const ms: Meter[] = [
      { meter: 1, region: 1, importSupplier: 1, exportSupplier: 2, import: 100, export: 7 },
      { meter: 2, region: 2, importSupplier: 2, exportSupplier: 2, import: 50, export: 0 },
      { meter: 3, region: 2, importSupplier: 1, exportSupplier: 1, import: 10, export: 3 },
    ];
    const j = settlementJson(await settleInMemory(ms, 'niaa', { seed: 3 })) as any;
    expect(j.tso.region_supplier['2']['1']).toEqual({ import: 10, export: 3 });
    expect(j.tso.grid).toEqual({ import: 160, export: 10 });
    expect(j.dso['2'].total).toEqual({ import: 60, export: 3 });
    expect(j.supplier['2'].region['1']).toEqual({ import: 0, export: 7 });
    expect(j.supplier['1'].total).toEqual({ import: 110, export: 3 });
  });

  it('meters CSV round-trips and names a bad line', () => {
    const ms = meters(2, 5, 2, 3);
    expect(parseMeters(formatMeters(ms))).toEqual(ms);
    const bad = formatMeters(ms).replace(/\n3,/, '\n3,x');
    expect(() => parseMeters(bad, 'm.csv')).toThrow(/m\.csv:4: region 'x\d*' is not/);
  });

  it('Lagrange indicators are 1 at their own supplier and 0 at the others', () => {
    const m = 7;
    const L = lagrangeBasis(m);
    for (let u = 0; u < m; u++)
      for (let x = 1; x <= m; x++) {
        let acc = 0;
        let pw = 1;
        for (const c of L[u]!) {
          acc = add(acc, mul(c, pw));
          pw = mul(pw, x);
        }
        expect(acc).toBe(x === u + 1 ? 1 : 0);
      }
  });
});

describe('user settlement (seed §6.6.5) and the worked example (§6.4.4, Table 6.1)', () => {
  const tariff: Tariff = { retail: 200, exportPrice: 40, networkFee: 30 }; // €/MWh = µ€/Wh

  it('reproduces Table 6.1 without and with the local market (trading price 0.11 €/kWh)', () => {
    const u1 = { imported: 0, exported: 2000, boughtLocal: 0, soldLocal: 0 };
    const u2 = { imported: 4000, exported: 0, boughtLocal: 0, soldLocal: 0 };
    const fees = networkFees([u1, u2], tariff);
    // without LM: U1 +0.08 €, U2 −0.80 €, DSO/TSO +0.18 €, S +0.54 €
    expect(-periodBill(u1, 0, tariff)).toBe(80_000);
    expect(periodBill(u2, 0, tariff)).toBe(800_000);
    expect(fees).toBe(180_000);
    expect(periodBill(u1, 0, tariff) + periodBill(u2, 0, tariff) - fees).toBe(540_000);
    // with LM at σ = 110 €/MWh, 2 kWh traded: U1 +0.16 €, U2 −0.62 €, DSO/TSO +0.18 €, S +0.28 €
    const v1 = { ...u1, soldLocal: 2000 };
    const v2 = { ...u2, boughtLocal: 2000 };
    expect(-periodBill(v1, 110, tariff)).toBe(160_000);
    expect(periodBill(v2, 110, tariff)).toBe(620_000);
    expect(periodBill(v1, 110, tariff) + periodBill(v2, 110, tariff) - networkFees([v1, v2], tariff)).toBe(280_000);
  });

  it('masked reports hide each period yet sum to the bill', () => {
    const key = new Uint8Array(16).fill(3);
    const rng = new Prg(key);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => rng.below(256));
    const L = 48;
    const xs = Array.from({ length: L }, (_, i) => BigInt(periodBill({ imported: 100 + i, exported: i % 5 === 0 ? 3000 : 0, boughtLocal: 0, soldLocal: i % 5 === 0 ? 400 : 0 }, 120, tariff)));
    const s = zeroSumMasks(L, bytes);
    expect(s.reduce((a, b) => a + b, 0n) % (1n << 64n)).toBe(0n);
    const cs = xs.map((x, i) => mask(x, s[i]!));
    expect(unmaskTotal(cs)).toBe(xs.reduce((a, b) => a + b, 0n));
    cs.forEach((c, i) => expect(c).not.toBe(xs[i]));
    expect(xs.some((x) => x < 0n)).toBe(true); // credits survive the masking
  });
});
