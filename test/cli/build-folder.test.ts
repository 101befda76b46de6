// `hasm build firmware/NAME`: a module folder built as the deployer builds it (issue 18 item 1) — a driver with its
// register window as an exclusive MMIO module linked beside it, the window and vendor id from the descriptor that
// lists the folder (firmware/meter.json by default) or from --mmio / --vendor.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { registerWindow } from '../../boards/register-window.ts';
import { hasm } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hasm-folder-'));
const modules = (out: string) => JSON.parse(readFileSync(`${out}.modules.json`, 'utf8')).modules as { name: string; vendorId: number; layout: { dataStart: number; dataEnd: number } }[];

describe('hasm build firmware/NAME', () => {
  it('links a driver with its MMIO module, window and vendor id from firmware/meter.json', { timeout: 240_000 }, async () => {
    const out = join(dir, 'relay.elf');
    const r = await hasm('build', 'firmware/relay', '-o', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const m = modules(out);
    expect(m.map((x) => x.name)).toEqual(['relay', 'relay_mmio']);
    const meter = JSON.parse(readFileSync('firmware/meter.json', 'utf8')) as { modules: { name: string; vendor_id: string; mmio?: { peripheral: string; ports?: number[] } }[] };
    const desc = meter.modules.find((x) => x.name === 'relay')!;
    expect(m[0]!.vendorId).toBe(Number(desc.vendor_id));
    const w = registerWindow(loadBoard('emulated'), desc.mmio!.peripheral, desc.mmio!.ports);
    expect([m[1]!.layout.dataStart, m[1]!.layout.dataEnd]).toEqual([w.start, w.end]);
    expect(JSON.parse(r.stdout).tcb.code).toBeGreaterThan(0);
  });

  it('takes the window from --mmio and refuses a descriptor that does not list the folder', { timeout: 240_000 }, async () => {
    const out = join(dir, 'clock.elf');
    const r = await hasm('build', 'firmware/clock', '-o', out, '--mmio', 'clock', '--vendor', '0x4242');
    expect(r.status, r.stderr).toBe(0);
    expect(modules(out).map((x) => [x.name, x.vendorId])).toEqual([['clock', 0x4242], ['clock_mmio', 0x4242]]);
    const bad = await hasm('build', 'firmware/core', '-o', join(dir, 'core.elf'), '--descriptor', 'firmware/scenarios/../meter-dlms.json', '--mmio', 'nosuch');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/no peripheral 'nosuch'/);
    const unlisted = await hasm('build', 'firmware/cs', '-o', join(dir, 'cs.elf'), '--descriptor', 'firmware/meter-dlms.json'); // its CS security is firmware/cs-dlms
    expect(unlisted.status).toBe(2); // bad input (CLI.md: 2 bad usage or input)
    expect(unlisted.stderr).toMatch(/meter-dlms\.json.*no module of the descriptor has the source firmware\/cs(?![-\w])/);
    expect((await hasm('build', 'test/sancus/fixtures/tariff.ts', '-o', join(dir, 't.elf'), '--mmio', 'clock')).status).toBe(2);
  });
});
