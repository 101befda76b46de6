// The vitest cases of one variant of test/meter/duties.ts (issue 20 item 2: each attack a test with its measured
// worst-case latency, and the positive twin without the attacker: duties-none.test.ts). One file per variant keeps
// each file to two deployments (a tamper lock cannot be undone without the central system and the button).
import { beforeAll, expect, it } from 'vitest';
import { DEADLINE_S, measureAll, type Attack, type Config, type Duty, type Expectation, type VariantResult } from './duties.ts';

export function dutyTests(attack: Attack | undefined, expected: Expectation, config: Config = 'defended'): void {
  const name = `${attack ?? 'no attack'}${{ defended: '', shipped: ' (shipped core, no scheduler)', reset: ' (violation: reset)' }[config]}`;
  let got: VariantResult;
  beforeAll(async () => {
    got = await measureAll(attack, 0, config);
    // The measured latencies, for the record (test/bench/meter-duties.ts tabulates them).
    console.log(`${name}: ${[got.han, got.prepaid, got.tamper].map((m) => `${m.duty} ${m.latency_s === Infinity ? `missed (> ${m.span_s} s)` : `${m.latency_s.toFixed(4)} s${m.by_reset ? ' (by a reset)' : ''}`}`).join(', ')}${got.incidents.length ? `; ${got.incidents.join('; ')}` : ''}`);
  }, 400_000);
  for (const duty of Object.keys(DEADLINE_S) as Duty[]) {
    const what = { met: `within its ${DEADLINE_S[duty]} s deadline`, missed: 'missed', reset: 'not done: the supply cut by a node reset instead' }[expected[duty]];
    it(`${name}: ${duty} ${what}`, () => {
      const m = got[duty];
      if (expected[duty] === 'met') {
        expect(m.latency_s).toBeLessThanOrEqual(DEADLINE_S[duty]);
        expect(m.met).toBe(true);
      } else if (expected[duty] === 'reset') {
        // The relay opened, but because a violation reset the node: the duty did not run (and is not counted met).
        expect(m.by_reset).toBe(true);
        expect(m.met).toBe(false);
      } else {
        // Missed for good: never happened in the span watched (not merely late).
        expect(m.latency_s).toBe(Infinity);
        expect(m.met).toBe(false);
      }
    });
  }
}
