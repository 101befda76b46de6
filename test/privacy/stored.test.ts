// The privacy attack on what a central system stored (issue 21 item 5): host/central/export.ts reads a real central
// database (SQLite) into the adversary's view — readings under pseudonyms, bills under real identities — and
// host/analysis/privacy/stored.ts attacks it, scored against the true meters. The readings here are written by
// hand, as the central system stores a meter's uplink (store.addReading) and a `read` command's register answer
// (the command's outcome), so every expected count can be worked out on paper; test/privacy/central-fleet.test.ts
// runs the same path on readings from emulated meters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedView, type StoredView } from '../../host/central/export.ts';
import { openDatabase } from '../../host/central/open.ts';
import { CentralStore } from '../../host/central/store.ts';
import { attackPeriod, billingPeriods, storedAttack } from '../../host/analysis/privacy/stored.ts';
import { main } from '../../host/cli/main.ts';

const T0 = Date.UTC(2009, 7, 1) / 1000;
const H = 1800;
const dir = mkdtempSync(join(tmpdir(), 'privacy-stored-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per meter: its readings per half hour from T0 (undefined = withheld), their pseudonyms (0 = none), and the
 *  register totals read a second after each period's boundary (half-hour indices in `reads`). */
interface Meter {
  wh: (number | undefined)[];
  pseudonyms?: number[];
  registers: number[];
}

let n = 0;
async function central(meters: Record<string, Meter>, reads: number[]): Promise<{ db: string; view: StoredView }> {
  const db = join(dir, `c${n++}.sqlite`);
  const store = new CentralStore(await openDatabase(db));
  try {
    for (const [id, m] of Object.entries(meters)) {
      await store.addMeter({ id });
      for (const [i, wh] of m.wh.entries()) if (wh !== undefined) await store.addReading(id, { t: T0 + i * H, wh, tariff: 0, pseudonym: m.pseudonyms?.[i] ?? 0 });
    }
    for (const [k, slot] of reads.entries()) {
      for (const [id, m] of Object.entries(meters)) {
        const c = await store.queueCommand(id, 'read', {}, Uint8Array.of(6, 0));
        await store.setOutcome(c.id, 'delivered', JSON.stringify({ type: 'registers', t: T0 + slot * H + 1, total_wh: m.registers[k], tariff_wh: [m.registers[k], 0, 0, 0], credit_mills: 0 }));
      }
    }
    // A read whose answer never came: delivered, but no registers — no bill from it.
    const lost = await store.queueCommand(Object.keys(meters)[0]!, 'read', {}, Uint8Array.of(6, 0));
    await store.setOutcome(lost.id, 'delivered', 'accepted by the meter (counter 9)');
    return { db, view: await storedView(store) };
  } finally {
    await store.db.close();
  }
}

const truthOf = (v: StoredView) => (label: string) => v.owners.get(label);

describe('the attack on a central system\'s database', () => {
  it('static pseudonyms: every distinct bill matched in the first period, carried over to the next', async () => {
    const { view } = await central({
      m1: { wh: [10, 20, 30, 40, 1, 1, 1, 1], registers: [0, 100, 104] },
      m2: { wh: [5, 5, 5, 5, 2, 2, 2, 2], registers: [0, 20, 28] },
      m3: { wh: [50, 0, 0, 0, 3, 3, 3, 3], registers: [0, 51, 63] }, // a second after the boundary: 1 Wh more
    }, [0, 4, 8]);
    // The adversary sees labels, never the meters: three static pseudonyms that do not spell the meter's id.
    expect(new Set(view.readings.map((r) => r.label)).size).toBe(3);
    for (const r of view.readings) expect(r.label).toMatch(/^s[0-9a-f]{12}$/);
    expect([...view.owners.values()].sort()).toEqual(['m1', 'm2', 'm3']);
    expect(view.bills).toHaveLength(6);
    expect(view.bills.find((b) => b.meter === 'm3' && b.from === T0 + 1)).toEqual({ meter: 'm3', from: T0 + 1, to: T0 + 4 * H + 1, wh: 51 });
    const { rows, periods } = storedAttack(view, truthOf(view));
    expect(rows).toEqual([
      { month: '2009-08-01T00:00', total: 3, anonymity_set: 3, identified: 3, percent: 100 },
      { month: '2009-08-01T02:00', total: 3, anonymity_set: 0, identified: 0, percent: 100 },
    ]);
    expect(periods.map((p) => [p.parts, p.missing])).toEqual([[1, 0], [1, 0]]);
  });

  it('rounding: two households whose rounded sums tie are not identified, the third is', async () => {
    const { view } = await central({
      m1: { wh: [50, 50, 0, 0], registers: [0, 98] },
      m2: { wh: [50, 50, 0, 0], registers: [0, 103] },
      m3: { wh: [100, 100, 100, 100], registers: [0, 401] },
    }, [0, 4]);
    const o = attackPeriod(view, billingPeriods(view.bills)[0]!, truthOf(view));
    expect([o.households, o.identified, o.seed_percent]).toEqual([3, 1, 100 / 3]);
    expect([...o.newly.values()]).toEqual(['m3']);
  });

  it('withheld readings: filled with the neighbours\' average, which can pair the sums wrongly', async () => {
    const ok = await central({
      m1: { wh: [10, undefined, 30, 40], registers: [0, 100] }, // filled 20: 100, right
      m2: { wh: [20, 20, 20, 20], registers: [0, 80] },
    }, [0, 4]);
    const a = attackPeriod(ok.view, billingPeriods(ok.view.bills)[0]!, truthOf(ok.view));
    expect([a.parts, a.missing, a.identified]).toEqual([1, 1, 2]);
    const wrong = await central({
      m1: { wh: [10, undefined, 90, 40], registers: [0, 140] }, // the withheld half hour was 0 Wh; filled 50: 190
      m2: { wh: [45, 45, 45, 45], registers: [0, 180] },
    }, [0, 4]);
    const b = attackPeriod(wrong.view, billingPeriods(wrong.view.bills)[0]!, truthOf(wrong.view));
    expect([b.parts, b.missing, b.identified]).toEqual([1, 1, 0]);
    // A household that withheld the whole period leaves a bill without a label: the others still pair up.
    const gone = await central({
      m1: { wh: [undefined, undefined, undefined, undefined], registers: [0, 100] },
      m2: { wh: [20, 20, 20, 20], registers: [0, 80] },
      m3: { wh: [5, 5, 5, 5], registers: [0, 20] },
    }, [0, 4]);
    const c = attackPeriod(gone.view, billingPeriods(gone.view.bills)[0]!, truthOf(gone.view));
    expect([c.households, c.missing, c.identified]).toEqual([3, 4, 2]);
  });

  it('rotated pseudonyms: where they change is found in the readings, and combinations are counted', async () => {
    // Two parts of two half hours. m1 = 100 + 200, m2 = 200 + 100 (both billed 300), m3 = 50 + 70 (billed 121: read
    // a second late). Combinations within 1 Wh of a bill: m1+m1 and m2+m2 fit both 300s (4), m3+m3 fits 121 (1).
    const meters = {
      m1: { wh: [50, 50, 100, 100], pseudonyms: [0xa1, 0xa1, 0xa2, 0xa2], registers: [0, 300] },
      m2: { wh: [100, 100, undefined, 50], pseudonyms: [0xb1, 0xb1, 0, 0xb2], registers: [0, 300] }, // withheld at the change: filled 50
      m3: { wh: [25, 25, 35, 35], pseudonyms: [0xc1, 0xc1, 0xc2, 0xc2], registers: [0, 121] },
    };
    const { view } = await central(meters, [0, 4]);
    expect(new Set(view.readings.map((r) => r.label))).toEqual(new Set(['p000000a1', 'p000000a2', 'p000000b1', 'p000000b2', 'p000000c1', 'p000000c2']));
    const p = billingPeriods(view.bills)[0]!;
    const o = attackPeriod(view, p, truthOf(view), { tolerance: 1 });
    expect([o.parts, o.missing, o.matches, o.correct, o.identified, o.seed_percent]).toEqual([2, 1, 5, 3, 1, 60]);
    expect(new Map(o.newly)).toEqual(new Map([['p000000c1', 'm3'], ['p000000c2', 'm3']]));
    // No tolerance: m3's own combination misses its bill by the register's 1 Wh.
    const exact = attackPeriod(view, p, truthOf(view), { tolerance: 0 });
    expect([exact.matches, exact.correct, exact.identified]).toEqual([4, 2, 0]);
  });

  it('a pseudonym two meters reported is an error, not a guess', async () => {
    await expect(central({
      m1: { wh: [1, 1], pseudonyms: [7, 7], registers: [0, 2] },
      m2: { wh: [2, 2], pseudonyms: [7, 7], registers: [0, 4] },
    }, [0, 2])).rejects.toThrow(/pseudonym p00000007 reported by both m1 and m2/);
  });

  it('hasm privacy attack --central DB: Table 5.1\'s rows per billing period', async () => {
    const { db } = await central({
      m1: { wh: [10, 20, 30, 40], registers: [0, 100] },
      m2: { wh: [10, 20, 30, 40], registers: [0, 100] }, // the same total: neither can be told apart
      m3: { wh: [5, 5, 5, 5], registers: [0, 20] },
    }, [0, 4]);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await main(['privacy', 'attack', '--central', db, '--json'], io)).toBe(0);
    const j = JSON.parse(out.join('\n'));
    expect(Object.keys(j)).toEqual(['table_5_1', 'timing_s']);
    expect(j.table_5_1).toEqual([{ month: '2009-08-01T00:00', total: 3, anonymity_set: 3, identified: 1, percent: 100 / 3 }]);
    expect(err.join('\n')).toMatch(/12 readings under 3 pseudonyms, 3 bills in 1 billing periods/);
    expect(await main(['privacy', 'attack', '--central', db, '--data', dir], io)).toBe(2);
    const empty = join(dir, 'empty.sqlite');
    await (await openDatabase(empty)).close();
    err.length = 0;
    expect(await main(['privacy', 'attack', '--central', empty], io)).toBe(2);
    expect(err.join('\n')).toMatch(/no billing period/);
  });
});
