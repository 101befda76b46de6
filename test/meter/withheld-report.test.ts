// Issue 18 item 6: `hasm meter run --untrusted FILE.s` shows what a compromised node can and cannot do. A runtime
// that spins for ever withholds service — it never answers the run's closing log reads — and the run still reports
// what the host saw on its own lines (the HAN frames the protected scheduler keeps coming, the relay), the logs it
// could not read as null, and no relay movement it cannot explain as anything but unknown. The positive twin reads
// every log.
import { describe, expect, it } from 'vitest';
import { runMeter } from '../../host/meter/run.ts';
import { seededBytes } from '../sancus/vectors.ts';

describe('hasm meter run with a runtime that withholds service', () => {
  it('a spinning runtime: the report comes back, the logs not read (null), the HAN duty still kept', async () => {
    const notes: string[] = [];
    const r = await runMeter({ descriptor: 'firmware/meter.json', seconds: 5, speed: 'max', untrusted: 'test/meter/attacks/spin.s', random: seededBytes(34), progress: (l) => notes.push(l) });
    expect(r.simulated_s).toBeCloseTo(5, 3);
    expect(r.logs).toEqual({ metrology: null, security: null, offswitch: null });
    expect(notes.some((l) => l.includes('the runtime withholds service'))).toBe(true);
    // seed §4.6.4 / issue 20: the scheduler's timer still runs the HAN gateway while the runtime spins (armed at 3 s)
    expect(r.han_frames).toBeGreaterThanOrEqual(1);
    expect(r.han_max_gap_s).toBeLessThanOrEqual(10);
    expect(r.relay.map((x) => x.state)).toEqual(['on']);
    expect(r.relay[0]!.cause).toMatch(/^power-up/);
  }, 300_000);

  it('without an attacker every log is read', async () => {
    const r = await runMeter({ descriptor: 'firmware/meter.json', seconds: 5, speed: 'max', random: seededBytes(34) });
    expect(Object.values(r.logs).every((x) => typeof x === 'number')).toBe(true);
  }, 300_000);
});
