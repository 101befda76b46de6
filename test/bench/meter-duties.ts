// Issue 20 item 4: worst-case latency of each of the meter's three real-time duties (seed §4.6.4: HAN updates, the
// prepaid disablement, the tamper lock), without and with each hostile `--untrusted` fixture of test/meter/attacks,
// in simulated time on the emulated meter, for the three configurations of test/meter/duties.ts: `shipped` (no
// protected scheduler, secure_irq off, violation: reset: the node as sancus-core b6b53bb ships it), `defended`
// (firmware/meter.json with its scheduler, vector table in its text, on boards/emulated.json as it is: secure_irq,
// violation: irq) and `reset` (the same on a RESET_ON_VIOLATION build). The tamper latency is the worst over openings
// spread across the relay driver's 250 ms poll period (reenter-forever: one opening, its runs take minutes); HAN the
// longest gap over 14 s; prepaid the one crossing. Run: nice -n 10 npx tsx test/bench/meter-duties.ts [--json] [--config C]
import { ATTACKS, CONFIGS, DEADLINE_S, measureAll, measureTamper, startMeter, type Attack, type Config, type Duty, type Measured, type VariantResult } from '../meter/duties.ts';

const PHASES_S = [0, 0.06, 0.12, 0.18, 0.24];

/** The worst tamper latency over PHASES_S (the first phase's run is `first`); a reset or a miss decides at once. */
async function worstTamper(first: Measured, attack: Attack | undefined, config: Config): Promise<Measured> {
  let worst = first;
  for (const phase of PHASES_S.slice(1)) {
    if (worst.latency_s === Infinity || worst.by_reset) break;
    const d = await startMeter(attack, config);
    try {
      const m = await measureTamper(d, phase);
      if (m.by_reset || m.latency_s > worst.latency_s) worst = m;
    } finally {
      await d.close();
    }
  }
  return worst;
}

const fmt = (m: Measured) => (m.latency_s === Infinity ? 'missed' : m.by_reset ? 'reset' : `${m.latency_s.toFixed(3)} s${m.met ? '' : ' (late)'}`);

const only = process.argv.includes('--config') ? [process.argv[process.argv.indexOf('--config') + 1] as Config] : CONFIGS;
const variants: (Attack | undefined)[] = [undefined, ...ATTACKS];
const results: { config: Config; variant: string; result: VariantResult }[] = [];
for (const config of only) {
  for (const v of variants) {
    const result = await measureAll(v, 0, config);
    if (v !== 'reenter-forever') result.tamper = await worstTamper(result.tamper, v, config);
    results.push({ config, variant: v ?? 'none', result });
    process.stderr.write(`${config} ${v ?? 'none'} done\n`);
  }
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(results, (_, x) => (x === Infinity ? null : x), 2));
} else {
  const duties = Object.keys(DEADLINE_S) as Duty[];
  const names = variants.map((v) => v ?? 'none');
  console.log(`| duty (deadline) | config | ${names.join(' | ')} |`);
  console.log(`|---|---|${names.map(() => '---').join('|')}|`);
  for (const duty of duties) {
    for (const config of only) {
      const row = names.map((n) => fmt(results.find((r) => r.config === config && r.variant === n)!.result[duty]));
      console.log(`| ${duty} (${DEADLINE_S[duty]} s) | ${config} | ${row.join(' | ')} |`);
    }
  }
  console.log('\n"missed": not within the span watched (HAN: no frame after the attack armed, 14 s watched; prepaid and tamper: the relay never opened); "reset": the relay opened because a Sancus violation reset the node, not by the duty.');
  for (const r of results) if (r.result.incidents.length) console.log(`${r.config} ${r.variant}: ${r.result.incidents.join('; ')}`);
}
