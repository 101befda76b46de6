// What moved the relay (host/meter/relay-cause.ts, issue 18 item 7): contact movements matched, in order, to the
// off-switch module's relay commands in its log; a movement nothing commanded is reported as unexplained.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../host/meter/driver.ts';
import { eventTable } from '../../host/meter/events.ts';
import { explainRelay } from '../../host/meter/relay-cause.ts';
import { hasm } from '../cli-harness.ts';

const { kinds, results } = eventTable();
let seq = 0;
const entry = (kind: string, value: number, result = 'ok'): LogEntry => ({ log: 'offswitch', seq: ++seq, time: seq, kind: kinds.get(kind)!, result: results.get(result)!, aux: 0, value });

describe('relay causes from the off-switch log', () => {
  it('power-up, disconnect, button, tamper, credit: each movement names its entry', () => {
    seq = 0;
    const entries = [entry('disconnect', 0), entry('reconnect', 0), entry('button', 1), entry('tamper', 0), entry('unlock', 0), entry('button', 1), entry('credit_trip', 0)];
    const moves = (['on', 'off', 'on', 'off', 'on', 'off'] as const).map((state, i) => ({ t: i, state }));
    expect(explainRelay(moves, entries).map((c) => c.kind)).toEqual(['power-up', 'disconnect', 'button', 'tamper', 'button', 'credit_trip']);
    expect(explainRelay(moves, entries)[1]!.text).toBe('central system: remote disconnect (off-switch log #1)');
  });

  it('a command that changes nothing (already off) explains no movement; a movement without a command is unexplained', () => {
    seq = 0;
    const entries = [entry('disconnect', 0), entry('tamper', 0)];
    const moves = [{ t: 0, state: 'on' as const }, { t: 1, state: 'off' as const }, { t: 2, state: 'on' as const }];
    const c = explainRelay(moves, entries);
    expect(c.map((x) => x.kind)).toEqual(['power-up', 'disconnect', null]);
    expect(c[2]!.text).toMatch(/^unexplained/);
  });

  it('contacts that move against the command point at the contact entry', () => {
    seq = 0;
    const c = explainRelay([{ t: 0, state: 'on' }, { t: 1, state: 'off' }], [entry('contact', 1, 'bad_value')]);
    expect(c[1]).toEqual({ kind: null, text: 'unexplained: the contacts moved against the command (off-switch log #1: contact)' });
  });

  it('an overwritten log says so instead of guessing', () => {
    seq = 40;
    const c = explainRelay([{ t: 0, state: 'on' }, { t: 1, state: 'off' }, { t: 2, state: 'on' }], [entry('button', 1)]);
    expect(c[1]!.text).toMatch(/^unknown \(the off-switch log no longer holds entries before #41\)/);
  });

  it('hasm meter run --json names the cause of each relay movement from the off-switch log it reads back', async () => {
    const r = await hasm('meter', 'run', '--for', '5s', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { relay: { t: number; state: string; cause: string }[]; logs: { offswitch: number } };
    expect(report.relay).toEqual([{ t: expect.any(Number), state: 'on', cause: expect.stringMatching(/^power-up/) }]);
    expect(report.logs.offswitch).toBe(0);
  }, 240_000);
});
