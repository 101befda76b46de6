// A fleet run the privacy study can be played on (issue 21 item 5): billing periods of equal length, each opened
// and closed by a register read of every meter (`read`, the attributable registers billing uses, seed §5.3.1), and
// in each period the chapter 5 countermeasures the central system sets on the meters by its `privacy` command
// (firmware/cs) — nothing is changed in the data afterwards. Used by test/privacy/central-fleet.test.ts and
// test/bench/privacy-fleet.ts.
import type { Fleet } from '../../host/fleet/fleet.ts';
import { seededRandom } from '../../host/fleet/random.ts';

export interface Setting {
  name: string;
  round_wh: number;
  omit_per_1024: number;
  pseudonym_halfhours: number;
}

export const OFF: Setting = { name: 'none', round_wh: 0, omit_per_1024: 0, pseudonym_halfhours: 0 };

/**
 * Runs `settings.length` billing periods of `periodSeconds` each. The meters' clocks lag the fleet's chunks by a
 * second (the half hour closes just after a chunk ends), so each period ends 2 s into the next half hour: the last
 * half hour has closed before the registers are read, and a new setting applies from the next half hour on.
 */
export async function billedRun(fleet: Fleet, settings: Setting[], periodSeconds: number, seed: number): Promise<void> {
  const random = seededRandom(`${seed}/privacy-keys`);
  const meters = [...fleet.links.keys()];
  const readAll = async () => {
    for (const m of meters) await fleet.queue(m, 'read');
    await fleet.dispatch();
  };
  await readAll(); // opens the first period
  for (const [i, s] of settings.entries()) {
    for (const m of meters) {
      await fleet.queue(m, 'privacy', { round_wh: s.round_wh, omit_per_1024: s.omit_per_1024, pseudonym_halfhours: s.pseudonym_halfhours, key: Buffer.from(random(16)).toString('hex') });
    }
    await fleet.dispatch();
    await fleet.run(periodSeconds - (i === 0 ? 0 : 2));
    await fleet.run(2, 2);
    await readAll();
  }
}
