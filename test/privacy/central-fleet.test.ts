// The path of issue 21 item 5 on real emulated meters: two meters of the fleet (firmware/meter.json on emulated nodes
// in worker threads, households 0 and 1), the central system on SQLite reading their registers every simulated hour
// and switching pseudonym rotation on for the second hour by its `privacy` command; then `hasm privacy attack
// --central DB` on that database. Slow by nature (two real meters for two simulated hours): one fleet for every
// check. Reproducible: seeded keys, seeded households, virtual time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedView, type StoredView } from '../../host/central/export.ts';
import { attackPeriod, billingPeriods } from '../../host/analysis/privacy/stored.ts';
import { main } from '../../host/cli/main.ts';
import { AUGUST_2009, Fleet } from '../../host/fleet/fleet.ts';
import { billedRun, OFF } from './billed-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'privacy-fleet-'));
const db = join(dir, 'central.sqlite');
let view: StoredView;

beforeAll(async () => {
  const fleet = await Fleet.start({ meters: 2, feederSize: 2, db, seed: 1, householdSeed: 1, workers: 2 });
  try {
    await billedRun(fleet, [OFF, { name: 'pseudonyms', round_wh: 0, omit_per_1024: 0, pseudonym_halfhours: 1 }], 3600, 1);
    view = await storedView(fleet.store);
  } finally {
    await fleet.close();
  }
}, 1_200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inHour = (h: number) => (r: { t: number }) => r.t >= AUGUST_2009 + h * 3600 && r.t < AUGUST_2009 + (h + 1) * 3600;

describe('the privacy attack on what the central system stored from emulated meters', () => {
  it('stores every half hour: under one static pseudonym per meter, then under a new pseudonym each half hour', () => {
    expect(view.readings.map((r) => r.t).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3].map((i) => AUGUST_2009 + i * 1800));
    const first = view.readings.filter(inHour(0));
    const second = view.readings.filter(inHour(1));
    expect(new Set(first.map((r) => r.label)).size).toBe(2);
    for (const r of first) expect(r.label).toMatch(/^s/);
    expect(new Set(second.map((r) => r.label)).size).toBe(4);
    for (const r of second) expect(r.label).toMatch(/^p/);
    expect(new Set(view.owners.values())).toEqual(new Set(['m0001', 'm0002']));
  });

  it('bills every meter per hour from its registers, within 1 Wh of its half-hourly readings', () => {
    expect(view.bills).toHaveLength(4);
    for (const b of view.bills) {
      const h = b.from === 0 ? 0 : 1;
      const sum = view.readings.filter((r) => view.owners.get(r.label) === b.meter && inHour(h)(r)).reduce((s, r) => s + r.wh, 0);
      expect(Math.abs(sum - b.wh)).toBeLessThanOrEqual(1);
      expect(b.wh).toBeGreaterThan(0);
    }
  });

  it('the attack: both identified while the pseudonyms are static; rotation splits the hour in two parts', () => {
    const [off, on] = billingPeriods(view.bills).map((p) => attackPeriod(view, p, (l) => view.owners.get(l), { tolerance: 1 }));
    expect([off!.households, off!.parts, off!.identified]).toEqual([2, 1, 2]);
    expect([on!.households, on!.parts, on!.missing]).toEqual([2, 2, 0]);
    // Each meter's own two pseudonyms add up to its bill; any other pair fitting a bill is what rotation buys. The
    // four pairs of the hour's two half hours, by hand:
    const [a, b] = [2, 3].map((i) => view.readings.filter((r) => r.t === AUGUST_2009 + i * 1800));
    const pairs = a!.flatMap((x) => b!.map((y) => ({ wh: x.wh + y.wh, owner: view.owners.get(x.label) === view.owners.get(y.label) ? view.owners.get(x.label) : undefined })));
    const bills = view.bills.filter((x) => x.from !== 0);
    const fits = bills.map((bill) => pairs.filter((p) => Math.abs(p.wh - bill.wh) <= 1).map((p) => p.owner === bill.meter));
    expect(on!.correct).toBe(2);
    expect(fits.every((f) => f.includes(true))).toBe(true);
    expect(on!.matches).toBe(fits.flat().length);
    expect(on!.identified).toBe(fits.filter((f) => f.length === 1).length);
  });

  it('hasm privacy attack --central DB: the static pseudonyms, once linked, stay linked; the rotated ones are new', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: () => undefined };
    expect(await main(['privacy', 'attack', '--central', db, '--json'], io)).toBe(0);
    const rows = JSON.parse(out.join('\n')).table_5_1;
    expect(rows[0]).toEqual({ month: '2009-08-01T00:00', total: 2, anonymity_set: 2, identified: 2, percent: 100 });
    expect(rows[1]).toMatchObject({ month: '2009-08-01T01:00', total: 2, anonymity_set: 2, percent: 100 });
  });
});
