// A scenario against a board on serial lines (hasm scenario run --port DEBUG --wan WAN): the meter flashed through
// the board's debug interface and deployed, attested and keyed through the firmware runtime's WAN frames, then the
// steps that cross the WAN — a forged and a genuine disconnect, the off-switch log read back through CS security.
// The board is the emulated one served on two socat pseudo-terminal pairs by test/sancus/serial-harness.ts, as an
// FPGA board would be on two USB serial ports. Skipped when socat is missing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';
import { haveSocat, useBoardOnSerialLines } from '../pty-pair.ts';

if (!haveSocat) process.stderr.write('scenario board.test: socat not installed (apt-get install -y socat): skipped\n');

describe.skipIf(!haveSocat)('hasm scenario run on a board over serial lines', () => {
  const lines = useBoardOnSerialLines();

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
    const r = await hasm('scenario', 'run', f, '--json', '--port', lines.debug, '--wan', lines.wan);
    expect(r.stderr).toContain(`on the board at ${lines.debug}`);
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ steps: 6, passed: 6, failed: [] });
    expect(r.status).toBe(0);
  }, 300_000);
});
