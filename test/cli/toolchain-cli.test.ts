// `hasm as`, `hasm disas`, `hasm objcopy` as users run them: exit codes (0/1/2), --help, --json, file:line errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasmProcess } from '../cli-harness.ts';

const FIXTURE = new URL('../fixtures/every-mode.s', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hasm-cli-'));
const hasm = (...args: string[]) => hasmProcess(args);

describe('hasm toolchain commands', () => {
  it('as → disas on a file with every addressing mode', async () => {
    const elf = join(dir, 'x.elf');
    const map = join(dir, 'x.map');
    const a = await hasm('as', FIXTURE, '-o', elf, '--map', map, '--json');
    expect(a.status, a.stderr).toBe(0);
    const summary = JSON.parse(a.stdout);
    expect(summary.sections.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['.text', '.data', '.bss', '.rodata']));
    expect(readFileSync(map, 'utf8')).toMatch(/Symbols:/);
    const d = await hasm('disas', elf);
    expect(d.status, d.stderr).toBe(0);
    for (const t of ['mov\t#0x5a80, &WDTCTL', 'mov\t2(r4), r6', 'mov\tcounter, r7', 'mov\t&counter, r8', 'mov\t@r4, r9', 'mov\t@r4+, r10', 'mov\t#4, r11', 'call\t#subroutine', 'jne\t0x4032 <start+0x32>', 'jmp\t0x4038 <halt>']) {
      expect(d.stdout).toContain(t);
    }
    const j = await hasm('disas', elf, '--json');
    const listing = JSON.parse(j.stdout);
    const text = listing.sections.find((s: { name: string }) => s.name === '.text');
    expect(text.lines[0]).toMatchObject({ address: 0x4000, text: 'mov\t#0x5a80, &WDTCTL', cycles: 5, labels: ['start'] });
  });

  it('objcopy to Intel HEX and binary; disas reads the HEX; raw words', async () => {
    const elf = join(dir, 'y.elf');
    expect((await hasm('as', FIXTURE, '-o', elf, '--board', 'openmsp430')).status).toBe(0);
    const hex = join(dir, 'y.hex');
    const o = await hasm('objcopy', elf, '-O', 'ihex', hex, '--json');
    expect(o.status, o.stderr).toBe(0);
    expect(readFileSync(hex, 'utf8')).toMatch(/^:10F00000B240805A2001/m);
    expect((await hasm('disas', hex)).stdout).toContain('mov\t2(r4), r6');
    const bin = join(dir, 'y.bin');
    const b = JSON.parse((await hasm('objcopy', elf, '-O', 'binary', bin, '--json')).stdout);
    expect(b).toMatchObject({ format: 'binary', start: 0x0200, end: 0x10000 });
    const r = await hasm('disas', '--raw', '3540341200130343', '--at', '0xf000');
    expect(r.stdout).toMatch(/f000:\s+35403412\s+2\s+mov\t#0x1234, r5/);
    expect(r.stdout).toMatch(/reti/);
    expect(r.stdout).toMatch(/nop/);
  });

  it('bad input: exit 2 with file:line; --help exits 0', async () => {
    const bad = join(dir, 'bad.s');
    writeFileSync(bad, 'start: nop\n  mov #1, #2\n');
    const r = await hasm('as', bad, '-o', join(dir, 'bad.elf'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: an immediate cannot be a destination`);
    expect((await hasm('as', '--frob')).status).toBe(2);
    expect((await hasm('as', join(dir, 'missing.s'), '-o', 'x')).stderr).toMatch(/missing\.s: cannot read/);
    expect((await hasm('disas', bad)).status).toBe(2);
    expect((await hasm('objcopy', 'a', '-O', 'srec', 'b')).status).toBe(2);
    for (const cmd of ['as', 'disas', 'objcopy']) {
      const h = await hasm(cmd, '--help');
      expect(h.status).toBe(0);
      expect(h.stderr).toMatch(/^usage: hasm /);
    }
    expect((await hasm('--help')).status).toBe(0);
    expect((await hasm('nonsense')).status).toBe(2);
  });
});
