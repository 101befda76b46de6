// hasm run as ../shared/CLI.md § Emulator says: JSON shape, cycles from reset release, --dump, stop reasons, exits.
import { RTL_DIR } from '../shared.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';

const RTL = RTL_DIR;


describe('hasm run', () => {
  it('--json: registers, cycles (reset included), instructions, stop, memory with --dump', async () => {
    const e = JSON.parse(readFileSync(`${RTL}/expected.json`, 'utf8')).p05;
    const r = await hasm('run', `${RTL}/progs/p05.hex`, '--board', 'openmsp430', '--json', '--dump', '0x200:0x600');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stop).toBe('halt');
    expect(out.cycles).toBe(e.cycles_from_reset);
    expect(out.instructions).toBe(e.instructions);
    expect(out.registers.map((v: number, i: number) => (i === 3 ? 0 : v))).toEqual(e.registers);
    expect(out.memory).toBe(e.memory.hex);
  });

  it('--max-cycles stops at the first boundary at or after N; --trace lists instructions on stderr', async () => {
    const r = await hasm('run', `${RTL}/progs/p05.hex`, '--board', 'openmsp430', '--json', '--max-cycles', '100', '--trace');
    const out = JSON.parse(r.stdout);
    expect(out.stop).toBe('max-cycles');
    expect(out.cycles).toBeGreaterThanOrEqual(100);
    expect(out.cycles).toBeLessThan(106);
    expect(r.stderr.split('\n').filter((l) => /^\s+\d+\s+f0[0-9a-f]{2}/.test(l)).length).toBe(out.instructions);
  });

  it('an invalid instruction: stop "invalid" with its pc and word, exit 1; bad flags exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-run-'));
    try {
      writeFileSync(join(dir, 'bad.s'), '  .text\nstart:\n  mov #0x5a80, &0x0120\n  .word 0x0000\n');
      expect((await hasm('as', join(dir, 'bad.s'), '-o', join(dir, 'bad.elf'), '--board', 'openmsp430')).status).toBe(0);
      const r = await hasm('run', join(dir, 'bad.elf'), '--board', 'openmsp430', '--json');
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ stop: 'invalid', pc: 0xf006, word: 0 });
      expect((await hasm('run', join(dir, 'bad.elf'), '--max-cycles', 'lots')).status).toBe(2);
      expect((await hasm('run')).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hasm run observability', () => {
  it('same inputs give identical traces; --profile charges cycles to functions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-run-'));
    try {
      writeFileSync(join(dir, 'p.s'), `  .text
start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
  mov #20, r10
loop:
  call #work
  dec r10
  jnz loop
  dint
halt: jmp halt
work:
  mov #30, r11
1: dec r11
  jnz 1b
  ret
`);
      expect((await hasm('as', join(dir, 'p.s'), '-o', join(dir, 'p.elf'))).status).toBe(0);
      const a = await hasm('run', join(dir, 'p.elf'), '--trace');
      const b = await hasm('run', join(dir, 'p.elf'), '--trace');
      expect(a.status).toBe(0);
      expect(a.stderr).toBe(b.stderr);
      expect(a.stderr).toMatch(/<work\+0x4>:\s+dec r11/);
      const p = await hasm('run', join(dir, 'p.elf'), '--profile', '--json');
      const rows = Object.fromEntries([...p.stderr.matchAll(/^\s+(\d+)\s+(\d+)\s+(\S+)$/gm)].map((m) => [m[3], Number(m[1])]));
      // work: 20 calls × (mov 2 + 30 × (dec 1 + jnz 2) + ret 3) = 20 × 95
      expect(rows.work).toBe(20 * 95);
      expect(rows.start).toBe(5 + 2 + 2);
      expect(rows.loop).toBe(JSON.parse(p.stdout).cycles - 4 - rows.start - rows.work); // calls, dec, jnz, dint
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
