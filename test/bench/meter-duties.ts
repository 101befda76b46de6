// Issue 20 item 4: worst-case latency of each of the meter's three real-time duties (seed §4.6.4: HAN updates, the
// prepaid disablement, the tamper lock), without and with each hostile `--untrusted` fixture of test/meter/attacks,
// in simulated time on the emulated meter (test/meter/duties.ts: the deadlines, the runs, how each latency is
// measured). The tamper latency without an attacker is the worst over openings spread across the relay driver's
// 250 ms poll period. Run: nice -n 10 npx tsx test/bench/meter-duties.ts [--json]
import { ATTACKS, DEADLINE_S, measureAll, measureTamper, startMeter, type Attack, type Duty, type Measured, type VariantResult } from '../meter/duties.ts';

const PHASES_S = [0, 0.06, 0.12, 0.18, 0.24];

async function worstTamper(attack?: Attack): Promise<number> {
  let worst = 0;
  for (const phase of PHASES_S) {
    const d = await startMeter(attack);
    try {
      worst = Math.max(worst, (await measureTamper(d, phase)).latency_s);
    } finally {
      await d.close();
    }
  }
  return worst;
}

const fmt = (m: Measured) => (m.latency_s === Infinity ? 'missed' : m.by_reset ? 'reset' : `${m.latency_s.toFixed(3)} s${m.met ? '' : ' (late)'}`);

const variants: (Attack | undefined)[] = [undefined, ...ATTACKS];
const results: { variant: string; result: VariantResult }[] = [];
for (const v of variants) {
  const result = await measureAll(v);
  if (v === undefined) result.tamper = { ...result.tamper, latency_s: await worstTamper() };
  results.push({ variant: v ?? 'none', result });
  process.stderr.write(`${v ?? 'none'} done\n`);
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, (_, x) => (x === Infinity ? null : x), 2));
} else {
  const duties = Object.keys(DEADLINE_S) as Duty[];
  console.log(`| duty (deadline) | ${results.map((r) => r.variant).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  for (const duty of duties) console.log(`| ${duty} (${DEADLINE_S[duty]} s) | ${results.map((r) => fmt(r.result[duty])).join(' | ')} |`);
  console.log('\n"missed": not within the span watched (HAN: no frame after the attack armed, 11 s watched; prepaid and tamper: the relay never opened); "reset": the relay opened because a Sancus violation reset the node, not by the duty.');
  for (const r of results) if (r.result.incidents.length) console.log(`${r.variant}: ${r.result.incidents.join('; ')}`);
}
