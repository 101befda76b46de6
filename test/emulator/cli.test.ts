// hasm run as ../shared/CLI.md § Emulator says: JSON shape, cycles from reset release, --dump, stop reasons, exits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RTL = '/work/shared/vectors/openmsp430-rtl';
const hasm = (...args: string[]) => spawnSync('node', ['bin/hasm.mjs', ...args], { encoding: 'utf8' });

describe('hasm run', () => {
  it('--json: registers, cycles (reset included), instructions, stop, memory with --dump', () => {
    const e = JSON.parse(readFileSync(`${RTL}/expected.json`, 'utf8')).p05;
    const r = hasm('run', `${RTL}/progs/p05.hex`, '--board', 'openmsp430', '--json', '--dump', '0x200:0x600');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stop).toBe('halt');
    expect(out.cycles).toBe(e.cycles_from_reset);
    expect(out.instructions).toBe(e.instructions);
    expect(out.registers.map((v: number, i: number) => (i === 3 ? 0 : v))).toEqual(e.registers);
    expect(out.memory).toBe(e.memory.hex);
  });

  it('--max-cycles stops at the first boundary at or after N; --trace lists instructions on stderr', () => {
    const r = hasm('run', `${RTL}/progs/p05.hex`, '--board', 'openmsp430', '--json', '--max-cycles', '100', '--trace');
    const out = JSON.parse(r.stdout);
    expect(out.stop).toBe('max-cycles');
    expect(out.cycles).toBeGreaterThanOrEqual(100);
    expect(out.cycles).toBeLessThan(106);
    expect(r.stderr.split('\n').filter((l) => /^\s+\d+\s+f0[0-9a-f]{2}/.test(l)).length).toBe(out.instructions);
  });

  it('an invalid instruction: stop "invalid" with its pc and word, exit 1; bad flags exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-run-'));
    try {
      writeFileSync(join(dir, 'bad.s'), '  .text\nstart:\n  mov #0x5a80, &0x0120\n  .word 0x0000\n');
      expect(hasm('as', join(dir, 'bad.s'), '-o', join(dir, 'bad.elf'), '--board', 'openmsp430').status).toBe(0);
      const r = hasm('run', join(dir, 'bad.elf'), '--board', 'openmsp430', '--json');
      expect(r.status).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ stop: 'invalid', pc: 0xf006, word: 0 });
      expect(hasm('run', join(dir, 'bad.elf'), '--max-cycles', 'lots').status).toBe(2);
      expect(hasm('run').status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
