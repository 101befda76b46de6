// A scenario that does not hold, and one that is malformed: exit 1 naming the failing step as file:line (with the
// JSON of ../shared/CLI.md), exit 2 naming the malformed step's line — the runner can fail.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
const METER = resolve('firmware/meter.json');
function file(name: string, lines: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

describe('hasm scenario run: failures', () => {
  it('a forged disconnect is not obeyed: expecting the relay off fails at that step (exit 1, file:line)', async () => {
    const f = file('forged.yaml', [
      'name: a forged disconnect must not open the relay',
      `meter: ${METER}`,
      'steps:',
      '  - expect-relay: on',
      '  - send-command: { kind: disconnect, as: forged }',
      '  - expect-relay: { state: off, timeout: 3s }',
      '  - wait: 1s',
    ]);
    const r = await hasm('scenario', 'run', f, '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ steps: 4, passed: 2, failed: [{ line: 6, step: 'expect-relay: { state: off, timeout: 3s }' }] });
    expect(report.failed[0].why).toMatch(/relay still on after 3 s/);
    expect(report.simulated_s).toBeGreaterThanOrEqual(3);
    expect(r.stderr).toContain(`${f}:6: step 'expect-relay: { state: off, timeout: 3s }' failed`);
  }, 240_000);

  it('a relay movement with another cause than the one expected fails, naming what did move it', async () => {
    const f = file('cause.yaml', [
      `meter: ${METER}`,
      'steps:',
      '  - expect-relay: on',
      '  - open-case',
      '  - expect-relay: { state: off, cause: disconnect, timeout: 2s }',
    ]);
    const r = await hasm('scenario', 'run', f, '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.failed).toEqual([{ line: 5, step: 'expect-relay: { state: off, cause: disconnect, timeout: 2s }', why: 'relay off, but its last movement is explained by: tamper (case opened) (off-switch log #1) (expected disconnect)' }]);
    expect(r.stderr).toMatch(/relay off at +[\d.]+ s: tamper \(case opened\) \(off-switch log #1\)/);
  }, 240_000);

  it('a row the central system does not hold fails, with what it does hold; --db puts the database where asked', async () => {
    const db = join(dir, 'central.sqlite');
    const f = file('row.yaml', [
      `meter: ${METER}`,
      'timeout: 1s',
      'steps:',
      '  - expect-relay: on',
      '  - send-command: { kind: disconnect }',
      '  - expect-row: { table: commands, kind: disconnect, status: refused }',
    ]);
    const r = await hasm('scenario', 'run', f, '--json', '--db', db);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).failed).toEqual([{ line: 6, step: 'expect-row: { table: commands, kind: disconnect, status: refused }', why: 'no row in the central system\'s commands table with kind "disconnect", status "refused" within 1 s (1 rows for this meter)' }]);
    expect(r.stderr).toContain(`the central system in the loop: ${db}`);
    expect(existsSync(db)).toBe(true);
  }, 240_000);

  it('--keep-going runs past a failure and lists every failed step', async () => {
    const f = file('two.yaml', [
      `meter: ${METER}`,
      'timeout: 1s',
      'steps:',
      '  - expect-log: { log: offswitch, kind: tamper }',
      '  - open-case',
      '  - expect-relay: off',
      '  - expect-log: { log: offswitch, kind: disconnect }',
    ]);
    const r = await hasm('scenario', 'run', f, '--json', '--keep-going');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.failed.map((x: { line: number }) => x.line)).toEqual([4, 7]);
    expect(report.passed).toBe(2);
    expect(report.failed[1].why).toMatch(/no offswitch log entry disconnect within 1 s \(newest new entry: tamper\/ok\)/);
  }, 240_000);

  it('a malformed step: exit 2 before anything is deployed, with its line', async () => {
    const f = file('bad.yaml', ['steps:', '  - wait: 1s', '  - expect-pin: { pin: relay, value: maybe }']);
    const r = await hasm('scenario', 'run', f, '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ steps: 0, passed: 0, failed: [{ line: 3, step: '', why: expect.stringMatching(/expect-pin.value: expected 0\/1/) }], simulated_s: 0 });
    expect(r.stderr).toContain(`${f}:3: expect-pin.value`);
  });

  it('on a board, steps that need the emulator are refused by name before anything is deployed', async () => {
    const f = file('board.yaml', ['steps:', '  - send-command: { kind: disconnect }', '  - press-button', '  - set-load: 100']);
    const r = await hasm('scenario', 'run', f, '--port', '/dev/null-debug', '--wan', '/dev/null-wan');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}:3: 'press-button' needs the emulated board`);
    expect(r.stderr).toContain(`${f}:4: 'set-load: 100' needs the emulated board`);
  });

  it('a board that is not there: exit 1 before any step, the JSON in its shape', async () => {
    const f = file('absent.yaml', [`meter: ${METER}`, 'steps:', '  - send-command: { kind: disconnect }']);
    const r = await hasm('scenario', 'run', f, '--json', '--port', join(dir, 'no-debug-tty'), '--wan', join(dir, 'no-wan-tty'));
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ steps: 1, passed: 0, failed: [{ line: 0, step: 'deploy the meter', why: expect.stringMatching(/no-debug-tty/) }], simulated_s: 0 });
  }, 240_000);

  it('usage errors', async () => {
    expect((await hasm('scenario', 'run')).status).toBe(2);
    expect((await hasm('scenario', 'run', 'x.yaml', '--port', '/dev/x')).stderr).toMatch(/--port .* and --wan .* go together/);
    const r = await hasm('scenario', 'run', join(dir, 'missing.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read scenario/);
    expect((await hasm('scenario', '--help')).stderr).toMatch(/usage: hasm scenario run FILE.yaml/);
  });
});
