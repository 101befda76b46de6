import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { readIntelHex, writeIntelHex } from '../../toolchain/link/ihex.ts';
import { link } from '../../toolchain/link/link.ts';
import { writeMap } from '../../toolchain/link/map.ts';
import { readElf } from '../../toolchain/link/elf-read.ts';
import { writeElfExecutable } from '../../toolchain/link/elf-write.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const board = loadBoard('openmsp430');
const word = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);

describe('linker', () => {
  it('places sections by the board map and resolves symbols across objects', () => {
    const a = assemble('.global start\nstart: call #helper\n mov &value, r5\n jmp start', 'a.s');
    const b = assemble('.global helper, value\nhelper: ret\n.data\nvalue: .word 0x55aa', 'b.s');
    const img = link([a, b], { board });
    const text = img.sections.find((s) => s.name === '.text')!;
    expect(text.address).toBe(0xf000);
    expect(img.sections.find((s) => s.name === '.data')!.address).toBe(0x0200);
    expect(word(text.bytes, 2)).toBe(0xf00a); // helper: after a.s's 10 bytes
    expect(word(text.bytes, 6)).toBe(0x0200);
    expect(word(text.bytes, 8)).toBe(0x3ffb); // jmp start: target − (PC + 2) = −10 bytes = −5 words
    // no reset vector in the sources: pointed at `start`
    expect(img.entry).toBe(0xf000);
    expect(img.notes[0]).toMatch(/reset vector/);
    const map = writeMap(img, board.name);
    expect(map).toMatch(/\.text\s+0xf000\s+0xf00b\s+12\s+pmem/);
    expect(map).toMatch(/0xf00a\s+0\s+\.text\s+global\s+helper/);
  });

  it('symbolic operands to data wrap around the 16-bit space', () => {
    const img = link([assemble('mov var, r5\n.data\nvar: .word 1', 'w.s')], { board });
    const t = img.sections.find((s) => s.name === '.text')!;
    expect((0xf002 + word(t.bytes, 2)) & 0xffff).toBe(0x0200);
  });

  it('reports undefined and duplicate symbols, overflow and overlaps', () => {
    expect(() => link([assemble('call #nowhere', 'u.s')], { board })).toThrow(/undefined symbol 'nowhere'/);
    const g = '.global f\nf: ret';
    expect(() => link([assemble(g, 'x.s'), assemble(g, 'y.s')], { board })).toThrow(/'f' is defined in both x.s and y.s/);
    expect(() => link([assemble('.skip 5000', 'big.s')], { board })).toThrow(/overflows rom region 'pmem'/);
    const two = assemble('nop\n.data\n.word 1', 'o.s');
    expect(() => link([two], { board, place: { '.data': 0xf000 } })).toThrow(/sections '\.text' \(0xf000\.\.0xf001\) and '\.data' \(0xf000\.\.\) overlap/);
    expect(() => link([two], { board, place: { '.data': 0xf000 } })).toThrow(InputError);
  });

  it('ELF round trip through our reader; Intel HEX round trip and checksum errors', () => {
    const img = link([assemble('.global start\nstart: mov #1, r4\n.data\n.word 7', 'e.s')], { board });
    const elf = readElf(writeElfExecutable(img), 'e.elf');
    expect(elf.entry).toBe(0xf000);
    expect(elf.symbols.find((s) => s.name === 'start')?.value).toBe(0xf000);
    const hex = writeIntelHex([{ address: 0xf000, bytes: new Uint8Array([1, 2, 3]) }]);
    expect(hex).toBe(':03F0000001020307\n:00000001FF\n');
    expect(readIntelHex(hex, 'h.hex').segments).toEqual([{ address: 0xf000, bytes: new Uint8Array([1, 2, 3]) }]);
    expect(() => readIntelHex(':03F0000001020308\n', 'bad.hex')).toThrow(/bad.hex:1: bad checksum/);
  });

  it('board files are schema-checked with the field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-'));
    const f = join(dir, 'b.json');
    writeFileSync(f, JSON.stringify({ name: 'x', description: 'd', cpu: { core: 'openmsp430', clock_hz: 1 }, memory: [{ name: 'm', kind: 'flash', start: 0, size: 1 }] }));
    expect(() => loadBoard(f)).toThrow(/b.json:1:\d+: board \/memory\/0\/kind: must be one of \"rom\", \"ram\", \"peripheral\"/);
    writeFileSync(f, '{ nope');
    expect(() => loadBoard(f)).toThrow(/b.json:1:3: not valid JSON/);
  });
});
