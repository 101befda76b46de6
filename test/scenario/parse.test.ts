// Scenario files (host/scenario/parse.ts): every malformed step is refused before anything runs, naming file:line and
// what was expected; the meter's event names come from firmware/lib/events.ts itself.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../toolchain/common/errors.ts';
import { eventTable, parseEventTable } from '../../host/meter/events.ts';
import { checkCentral, parseScenario } from '../../host/scenario/parse.ts';
import { boardRefusals } from '../../host/scenario/run.ts';

const FILE = 's.yaml';
const bad = (text: string): InputError => {
  try {
    parseScenario(text, FILE);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('parsed without error');
};

describe('scenario files', () => {
  it('reads steps with their lines, durations and defaults', () => {
    const s = parseScenario(['name: x', 'timeout: 3s', 'steps:', '  - wait: 500ms', '  - press-button', '  - expect-relay: off', '  - expect-log: { log: offswitch, kind: disconnect, result: ok, timeout: 1m }', '  - send-command: { kind: disconnect, as: forged }'].join('\n'), FILE);
    expect(s.steps.map((x) => [x.line, x.op])).toEqual([[4, 'wait'], [5, 'press-button'], [6, 'expect-relay'], [7, 'expect-log'], [8, 'send-command']]);
    expect(s.steps[0]).toMatchObject({ seconds: 0.5 });
    expect(s.steps[1]).toMatchObject({ ms: 200 });
    expect(s.steps[2]).toMatchObject({ state: 'off', timeout: 3 });
    const { kinds, results } = eventTable();
    expect(s.steps[3]).toMatchObject({ log: 'offswitch', kind: kinds.get('disconnect'), fields: { result: { eq: results.get('ok') } }, timeout: 60 });
    expect(s.steps[4]).toMatchObject({ kind: 'disconnect', how: 'forged', expect: 'refused' });
    expect(s.meter).toBe('firmware/meter.json');
  });

  it.each([
    ['an unknown step', 'steps:\n  - wait: 1s\n  - push-button\n', 3, /unknown step 'push-button'/],
    ['a bad duration', 'steps:\n  - wait: soon\n', 2, /expected a duration/],
    ['an unknown key', 'steps:\n  - expect-relay: { state: on, timout: 2s }\n', 2, /unknown key 'timout'/],
    ['a relay state', 'steps:\n  - expect-relay: ajar\n', 2, /one of on, off/],
    ['two keys in one step', 'steps:\n  - { wait: 1s, press-button: 1s }\n', 2, /one key per step/],
    ['an unknown command', 'steps:\n  - send-command: { kind: explode }\n', 2, /send-command.kind: expected one of/],
    ['a command argument out of range', 'steps:\n  - wait: 1s\n  - send-command: { kind: appliance, appliance: 9, on: 0 }\n', 3, /'appliance' must be an integer in 0..3/],
    ['an unknown log kind', 'steps:\n  - expect-log: { log: offswitch, kind: explosion }\n', 2, /expect-log.kind: expected one of/],
    ['a HAN field', 'steps:\n  - expect-han: { field: voltage, value: 230 }\n', 2, /expect-han.field/],
    ['broken YAML', 'steps:\n  - wait: 1s\n  - expect-han: { field: tariff\n', 4, /YAML/],
    ['no steps', 'name: x\nsteps: []\n', 2, /at least one step/],
    ['UART bytes in odd hex', 'steps:\n  - expect-uart: { uart: han, hex: "7e0" }\n', 2, /two per byte/],
    ['UART text and hex at once', 'steps:\n  - expect-uart: { uart: han, hex: "7e", text: "x" }\n', 2, /exactly one of text and hex/],
    ['a pin level', 'steps:\n  - set-pin: { pin: button, value: 2 }\n', 2, /set-pin.value: expected 0\/1/],
  ])('refuses %s at its line', (_what, text, line, re) => {
    const e = bad(text);
    expect(e.location).toEqual({ file: FILE, line });
    expect(e.message).toMatch(re);
    expect(e.message.startsWith(`${FILE}:${line}: `)).toBe(true);
  });

  it('names the steps a real board cannot do', () => {
    const s = parseScenario('steps:\n  - send-command: { kind: disconnect }\n  - press-button\n  - expect-log: { log: offswitch, kind: disconnect }\n  - expect-relay: off\n', FILE);
    expect(boardRefusals(s).map((r) => [r.step.line, r.step.op])).toEqual([[3, 'press-button'], [5, 'expect-relay']]);
  });

  it('takes the event names from firmware/lib/events.ts, and refuses a table it cannot read', () => {
    const t = parseEventTable('export const EV_A: u8 = 3;\n// Results (x)\nexport const OK: u8 = 0;\nexport const NOPE: u8 = 9;\n\nexport const LATER: u8 = 1;\n');
    expect([...t.kinds]).toEqual([['a', 3]]);
    expect([...t.results]).toEqual([['ok', 0], ['nope', 9]]);
    expect(() => parseEventTable('nothing here')).toThrow(/no EV_\* kinds/);
    expect(eventTable().kinds.get('credit_trip')).toBeGreaterThan(0);
  });
});

describe('scenario files: the central system', () => {
  it('expect-row needs the central system in the loop, and names real columns', () => {
    const noCentral = parseScenario('steps:\n  - wait: 1s\n  - expect-row: { table: readings, wh: 3 }\n', FILE);
    expect(() => checkCentral(noCentral, false)).toThrow(/s.yaml:3: expect-row needs the central system in the loop/);
    expect(() => checkCentral(noCentral, true)).not.toThrow();
    let e = bad('central: true\nsteps:\n  - expect-row: { table: readings, kwh: 3 }\n');
    expect(e.location).toEqual({ file: FILE, line: 3 });
    expect(e.message).toMatch(/no column 'kwh'/);
    e = bad('central: yes please\nsteps:\n  - wait: 1s\n');
    expect(e.location).toEqual({ file: FILE, line: 1 });
    const s = parseScenario('central: { db: x.sqlite }\nsteps:\n  - expect-row: { table: logs, log: offswitch, kind: tamper, result: ok, value: { min: 0 } }\n', FILE);
    expect(s.central).toEqual({ db: 'x.sqlite' });
    expect(s.steps[0]).toMatchObject({ op: 'expect-row', table: 'logs', fields: { log: { text: 'offswitch' }, kind: { eq: eventTable().kinds.get('tamper') }, result: { eq: 0 }, value: { min: 0 } } });
  });
});
