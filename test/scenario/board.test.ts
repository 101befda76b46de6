// A scenario against a board on serial lines (hasm scenario run --port DEBUG --wan WAN): the meter flashed through
// the board's debug interface and deployed, attested and keyed through the firmware runtime's WAN frames, then the
// steps that cross the WAN — a forged and a genuine disconnect, the off-switch log read back through CS security.
// The board is the emulated one served on two socat pseudo-terminal pairs by test/sancus/serial-harness.ts, as an
// FPGA board would be on two USB serial ports. Skipped when socat is missing.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';
import { haveSocat, ptyPair, serialHarness } from '../pty-pair.ts';

if (!haveSocat) process.stderr.write('scenario board.test: socat not installed (apt-get install -y socat): skipped\n');

describe.skipIf(!haveSocat)('hasm scenario run on a board over serial lines', () => {
  const procs: ChildProcess[] = [];
  let debugLine = '';
  let wanLine = '';

  beforeAll(async () => {
    const dbg = await ptyPair();
    const wan = await ptyPair();
    procs.push(dbg.proc, wan.proc);
    procs.push(await serialHarness(dbg.b, 115200, wan.b));
    debugLine = dbg.a;
    wanLine = wan.a;
  }, 60_000);

  afterAll(() => procs.reverse().forEach((p) => p.kill()));

  it('forged refused, genuine obeyed, the off-switch log says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-board-'));
    const f = join(dir, 'board.yaml');
    writeFileSync(f, [
      `meter: ${resolve('firmware/meter.json')}`,
      'timeout: 10s',
      'steps:',
      '  - send-command: { kind: disconnect, as: forged }',
      '  - send-command: { kind: disconnect }',
      '  - expect-log: { log: offswitch, kind: disconnect, result: ok }',
      '  - send-command: { kind: disconnect, as: replayed }',
      '  - send-command: { kind: read }',
      '  - expect-uplink: { type: registers, total_wh: 0 }',
      '',
    ].join('\n'));
    const r = await hasm('scenario', 'run', f, '--json', '--port', debugLine, '--wan', wanLine);
    expect(r.stderr).toContain(`on the board at ${debugLine}`);
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ steps: 6, passed: 6, failed: [] });
    expect(r.status).toBe(0);
  }, 240_000);
});
