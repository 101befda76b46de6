// Our ELF files as the field's tools read them: llvm-readelf without warnings, llvm-objdump showing the
// instructions we assembled, and mspdebug loading the same bytes.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { decode } from '../../toolchain/msp430/decode.ts';
import { disassembleBytes } from '../../toolchain/msp430/disassemble.ts';
import { writeElfExecutable, writeElfObject } from '../../toolchain/link/elf-write.ts';
import { writeIntelHex } from '../../toolchain/link/ihex.ts';
import { link } from '../../toolchain/link/link.ts';
import { disassemblerGap } from './gaps.ts';
import { hasTool, scratchDir } from './llvm.ts';

const SOURCE = new URL('../fixtures/every-mode.s', import.meta.url);
const { dir, done } = scratchDir();
afterAll(done);

function run(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8' });
}

describe('ELF written by hasm, read by llvm and mspdebug', () => {
  const obj = assemble(readFileSync(SOURCE, 'utf8'), 'every-mode.s');
  const img = link([obj], { board: loadBoard('emulated') });
  const elf = join(dir, 'every-mode.elf');
  writeFileSync(elf, writeElfExecutable(img));

  it('llvm-readelf -a: no warnings, EM_MSP430, our sections and symbols', () => {
    expect(hasTool('llvm-readelf')).toBe(true);
    const r = run('llvm-readelf', ['-a', elf]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/warning/i);
    expect(r.stdout).toMatch(/Machine:\s+Texas Instruments msp430/);
    expect(r.stdout).toMatch(/Type:\s+EXEC/);
    for (const name of ['.text', '.rodata', '.data', '.bss', '.vectors', '.symtab']) expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/GLOBAL\s+DEFAULT\s+\d+\s+start/);
  });

  it('llvm-objdump -d shows the instructions we assembled', () => {
    const r = run('llvm-objdump', ['-d', '--no-show-raw-insn', elf]);
    expect(r.status).toBe(0);
    const theirs = new Map<number, string>();
    for (const m of r.stdout.matchAll(/^\s*([0-9a-f]+):\s+(.*)$/gm)) theirs.set(parseInt(m[1]!, 16), m[2]!.trim().replace(/\s+/g, ' '));
    const text = img.sections.find((s) => s.name === '.text')!;
    const ours = disassembleBytes(text.bytes, text.address, { syntax: 'llvm' });
    let compared = 0;
    for (const l of ours) {
      const b = Buffer.from(l.bytes, 'hex');
      const ins = decode((i) => b[2 * i]! | (b[2 * i + 1]! << 8))!;
      if (disassemblerGap(ins)) continue; // none expected in this program, but never compare inside a gap
      expect(theirs.get(l.address), `0x${l.address.toString(16)}`).toBe(l.text.replace(/\s+/g, ' '));
      compared++;
    }
    expect(compared).toBe(ours.length);
  });

  it('relocatable object: llvm-readelf lists our relocations with MSP430 types', () => {
    const o = join(dir, 'every-mode.o');
    writeFileSync(o, writeElfObject(obj));
    const r = run('llvm-readelf', ['-r', '-s', o]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/R_MSP430_16_BYTE/);
    expect(r.stdout).toMatch(/R_MSP430_16_PCREL_BYTE/);
    expect(r.stdout).toMatch(/\.rela\.text/);
    const d = run('llvm-objdump', ['-dr', o]);
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/<start>:/);
  });

  it('mspdebug loads the ELF and the Intel HEX to the same memory', () => {
    expect(hasTool('mspdebug')).toBe(true);
    const hex = join(dir, 'every-mode.hex');
    writeFileSync(hex, writeIntelHex(img.sections.filter((s) => !s.nobits).map((s) => ({ address: s.address, bytes: s.bytes }))));
    const text = img.sections.find((s) => s.name === '.text')!;
    const dump = (file: string) => run('mspdebug', ['-q', 'sim', `prog ${file}`, `md 0x${text.address.toString(16)} ${text.size}`]).stdout;
    const fromElf = dump(elf);
    const fromHex = dump(hex);
    const first = [...text.bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    expect(fromElf).toContain(first);
    expect(fromElf).toBe(fromHex);
  });

  // Debian's gdb-multiarch reads MSP430 ELF files (its build has no msp430 CPU support, so this checks the file
  // format, sections and symbols, not execution).
  it.skipIf(!hasTool('gdb-multiarch'))('gdb-multiarch reads the sections, entry and symbols', () => {
    const r = run('gdb-multiarch', ['-batch', '-nx', '-ex', 'info files', '-ex', 'info address start', '-ex', 'x/2xh start', elf]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Entry point: 0x4000/);
    expect(r.stdout).toMatch(/0x00004000 - 0x[0-9a-f]+ is \.text/);
    expect(r.stdout).toMatch(/Symbol "start" is at 0x4000/);
    expect(r.stdout).toMatch(/<start>:\s+0x40b2\s+0x5a80/);
  });
});
