// The privacy study on what the central system stored (issue 21 item 5, second half): real emulated meters (the
// fleet: firmware/meter.json on emulated nodes in worker threads, household i of the privacy generator on meter i),
// the central system on SQLite, one billing period per setting of the seed's chapter 5 countermeasures — off, then
// each one on its own — set by the central system's `privacy` command to every meter (firmware/cs). Afterwards the
// adversary gets the stored readings under their pseudonyms and the bills under the real identities
// (host/central/export.ts) and attacks each period on its own (host/analysis/privacy/stored.ts); the true meters
// only score it. Usefulness (seed equation 5.1): the per-half-hour aggregate of what was stored against the
// feeder's exact total, which the data concentrator computed from the meters' masked readings.
//
// Scale: the emulated meter costs about 50 CPU s per simulated day, so this runs a few meters for a few hours. A
// few households have far more distinct totals than the seed's 6,435 (and fewer combinations to confuse): the
// percentages show the path works and how each countermeasure moves the adversary, not the seed's rates.
// Run: nice -n 10 npx tsx test/bench/privacy-fleet.ts [METERS=6] [PERIOD_HOURS=3] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedView } from '../../host/central/export.ts';
import { attackPeriod, billingPeriods } from '../../host/analysis/privacy/stored.ts';
import { Fleet } from '../../host/fleet/fleet.ts';
import { billedRun, OFF, type Setting } from '../privacy/billed-run.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const keep = process.argv.includes('--keep');
const meters = Number(args[0] ?? 6);
const periodHours = Number(args[1] ?? 3);
const periodSeconds = periodHours * 3600;
const halfHours = periodSeconds / 1800;
if (!(meters >= 2 && meters <= 16) || !Number.isInteger(halfHours) || halfHours < 2) throw new Error('METERS 2…16 (one feeder), PERIOD_HOURS a whole number of half hours ≥ 1 h');

// The seed's parameters where they scale (§5.4): rounding to 0.05 kWh (its mildest reported threshold); a quarter
// of the readings withheld (the seed's 51 of ~1,463 a month would withhold none in a few hours); two pseudonyms
// per billing period (the seed's two a month).
const SETTINGS: Setting[] = [
  OFF,
  { name: 'rounding', round_wh: 50, omit_per_1024: 0, pseudonym_halfhours: 0 },
  { name: 'omitted', round_wh: 0, omit_per_1024: 256, pseudonym_halfhours: 0 },
  { name: 'pseudonyms', round_wh: 0, omit_per_1024: 0, pseudonym_halfhours: halfHours / 2 },
];
const param = (s: Setting) => s.round_wh ? `${s.round_wh} Wh` : s.omit_per_1024 ? `${s.omit_per_1024}/1024 withheld` : s.pseudonym_halfhours ? `new every ${s.pseudonym_halfhours / 2} h` : '—';

const dir = mkdtempSync(join(tmpdir(), 'hasm-privacy-fleet-'));
const db = join(dir, 'central.sqlite');
const load0 = loadavg()[0]!;
const t0 = performance.now();
let last = 0;
const fleet = await Fleet.start({
  meters, feederSize: meters, db, workers: 2, seed: 1, householdSeed: 1,
  progress: (p) => {
    if (Date.now() - last < 2000) return;
    last = Date.now();
    process.stderr.write(`\r deployed ${p.deployed}/${p.meters}, ${p.total ? ((100 * p.simulated) / p.total).toFixed(0) : 0} % of the chunk`);
  },
});
let view;
let dcTotals;
try {
  await billedRun(fleet, SETTINGS, periodSeconds, 1);
  view = await storedView(fleet.store);
  dcTotals = new Map(fleet.dc.totals.map((x) => [x.t, x.wh]));
} finally {
  await fleet.close();
}
process.stderr.write('\n');
const wall = (performance.now() - t0) / 1000;

const truth = (label: string) => view.owners.get(label);
const periods = billingPeriods(view.bills);
const rows: string[][] = [];
let billGap = 0;
for (const [i, p] of periods.entries()) {
  const s = SETTINGS[i]!;
  const o = attackPeriod(view, p, truth, { tolerance: 1 });
  // Equation 5.1 on the aggregate: Σ over meters of what the central system stored per half hour, against the
  // concentrator's exact feeder total of that half hour.
  const stored = new Map<number, number>();
  for (const r of view.readings) if (r.t >= Math.round(p.from / 1800) * 1800 && r.t < Math.round(p.to / 1800) * 1800) stored.set(r.t, (stored.get(r.t) ?? 0) + r.wh);
  const devs = [...stored.keys()].filter((t) => dcTotals.get(t)).map((t) => Math.abs(dcTotals.get(t)! - stored.get(t)!) / dcTotals.get(t)!);
  const dev = devs.length ? (100 * devs.reduce((a, b) => a + b, 0)) / devs.length : NaN;
  // How far the bills are from the exact sums of the readings (off only: nothing is withheld or rounded then).
  if (s === OFF) {
    for (const b of view.bills.filter((x) => x.from === p.from)) {
      let sum = 0;
      for (const r of view.readings) if (truth(r.label) === b.meter && r.t >= Math.round(p.from / 1800) * 1800 && r.t < Math.round(p.to / 1800) * 1800) sum += r.wh;
      billGap = Math.max(billGap, Math.abs(sum - b.wh));
    }
  }
  rows.push([
    s.name, param(s), o.period, String(o.households), String(o.parts), String(o.missing),
    `${o.identified} (${((100 * o.identified) / o.households).toFixed(0)} %)`,
    o.parts > 1 ? `${o.correct}/${o.matches} = ${o.seed_percent.toFixed(0)} %` : '—',
    devs.length ? `${dev.toFixed(2)} %` : '— (no feeder total)',
  ]);
}
const head = ['countermeasure', 'setting', 'period (UTC)', 'households', 'pseudonyms', 'withheld', 'identified', 'seed metric (rotation)', 'aggregate deviation'];
const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (r: string[]) => `| ${r.map((x, c) => x.padEnd(w[c]!)).join(' | ')} |`;
console.log(`${meters} emulated meters (households 0…${meters - 1}, seed 1), one feeder, ${SETTINGS.length} billing periods of ${periodHours} h; central system on SQLite`);
console.log(`${view.readings.length} readings stored under ${view.owners.size} pseudonyms; ${view.bills.length} bills; ${dcTotals.size} feeder totals from the data concentrator; largest |bill − Σ readings| with the countermeasures off: ${billGap} Wh (attack tolerance 1 Wh)`);
console.log(line(head));
console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`wall ${wall.toFixed(0)} s (deploy ${fleet.times.deploy_s.toFixed(0)} s, emulation ${fleet.times.emulation_s.toFixed(0)} s); load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on 2 cores`);
console.log(`the same database through the CLI (Table 5.1 rows, identifications carried over between periods): node bin/hasm.mjs privacy attack --central ${keep ? db : '<db>'}`);
if (!keep) rmSync(dir, { recursive: true, force: true });
