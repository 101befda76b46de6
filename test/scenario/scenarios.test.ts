// The seed's use cases as scenario files (firmware/scenarios/*.yaml, issue 21 item 6): each runs against the meter
// deployed on its emulated node — built, attested and keyed — and every expectation must hold. CI runs them here.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';

const DIR = 'firmware/scenarios';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('firmware/scenarios', () => {
  it('has a scenario for each of the seed\'s use cases', () => {
    for (const use of ['billing', 'disconnect-reconnect', 'load-balancing', 'consumer-feedback']) expect(FILES).toContain(`${use}.yaml`);
  });

  it.each(FILES)('%s: every expectation holds', async (f) => {
    const r = await hasm('scenario', 'run', `${DIR}/${f}`, '--json');
    const report = JSON.parse(r.stdout) as { steps: number; passed: number; failed: unknown[]; simulated_s: number };
    expect(report.failed, r.stderr).toEqual([]);
    expect(r.status).toBe(0);
    expect(report.passed).toBe(report.steps);
    expect(report.simulated_s).toBeGreaterThan(0);
  }, 300_000);
});
