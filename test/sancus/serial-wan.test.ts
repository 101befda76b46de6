// hasm deploy end to end over serial lines (issue 18 item 4): the node image (firmware runtime + two AssemblyScript
// modules) flashed through the board's debug interface on one line, then enabled, attested, keyed and exercised
// only through the runtime's WAN frames on a second line — socat pseudo-terminal pairs, with the emulated board
// serving both interfaces in a child process (serial-harness.ts), as a real FPGA board would on two USB serial
// ports. Skipped when socat is missing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../host/deploy/deploy.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import { seededBytes } from './vectors.ts';
import { haveSocat, useBoardOnSerialLines } from '../pty-pair.ts';

if (!haveSocat) process.stderr.write('serial-wan.test: socat not installed (apt-get install -y socat): skipped\n');

describe.skipIf(!haveSocat)('hasm deploy over serial lines: debug interface + the firmware runtime on the WAN UART', () => {
  const lines = useBoardOnSerialLines();

  it('loads, protects, attests and keys; a genuine event passes, forged and replayed are refused, outputs come back sealed', async () => {
    const src = join(process.cwd(), 'test/sancus/fixtures/io');
    const d = {
      nodes: [{ name: 'board', runtime: 'firmware', loader: { serial: lines.debug, baud: 115200 }, wan: { serial: lines.wan, baud: 115200 } }],
      modules: [
        { name: 'a', node: 'board', vendor_id: '0x1234', source: src },
        { name: 'b', node: 'board', vendor_id: '0x5678', source: src },
      ],
      connections: [
        { id: 1, from: 'a.out', to: 'b.in' },
        { id: 2, from: 'wan.cmd', to: 'a.in' },
        { id: 3, from: 'b.out', to: 'wan.rep' },
      ],
      script: [
        { send: 2, payload: '0102' },
        { call: 'a.count', expect: 1 },
        { replay: 2 },
        { forge: 2, payload: '0304' },
        { call: 'a.count', expect: 1 },
        { call: 'a.emit', args: [7, 0, 2, 0], expect: 2 },
        { call: 'b.count', expect: 1 },
        { call: 'b.checksum', expect: 15 },
        { call: 'b.emit', args: [0x41, 0, 2, 0], expect: 2 },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'serial-wan-'));
    const file = join(dir, 'd.json');
    writeFileSync(file, JSON.stringify(d, null, 2));
    const r = await deploy(parseDescriptor(JSON.stringify(d, null, 2), file), { random: seededBytes(21) });
    expect(r.modules.map((m) => [m.name, m.id, m.attestation.ok])).toEqual([['a', 1, true], ['b', 2, true]]);
    expect(r.connections.every((c) => c.keys_installed)).toBe(true);
    expect(r.script.map((s) => [s.kind, s.ok])).toEqual([
      ['send', true], ['call', true], ['replay', true], ['forge', true], ['call', true], ['call', true], ['call', true], ['call', true], ['call', true],
    ]);
    const last = r.script.at(-1)!;
    expect(last.events.map((e) => [e.connection, e.accepted, e.plaintext])).toEqual([[3, true, '4142']]);
    expect(r.ok).toBe(true);
  }, 300_000);
});
