// The instruction table's flag and operand facts (isa.ts: readsCarry, keepsFlags, jump inverses) are the only
// copy the compiler reads (issue 17 item 4). Checked here against the emulator's execution of each instruction,
// and the compiler sources are checked to keep no hand-written mnemonic lists of their own.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { link } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { jumpInverse, OPS } from '../../toolchain/msp430/isa.ts';

const board = loadBoard('emulated');
const FLAGS = 0x0107; // V N Z C (TI guide §3.2.3)

/** Runs `op` on r13 (format II) or r14 → r13 (format I) with SR = sr; returns the result and SR after. */
function run(op: string, fmt: 'I' | 'II', sr: number, a: number, b: number): { result: number; sr: number } {
  const body = fmt === 'I' ? `  ${op} r14, r13` : op === 'push' ? '  push r13\n  pop r11' : `  ${op} r13`;
  const src = `  .text\n  .global f\nf:\n  mov r12, r2\n${body}\n  mov r2, r15\n  ret\n`;
  const image = imageFromLinked(link([assemble(src, 'f.s')], { board }), 'f');
  const m = new Machine(board);
  m.load(image);
  const r = m.call(image.symbols.find((s) => s.name === 'f')!.address, [sr, a, b], { sp: 0x2a00 });
  return { result: r.registers[13]!, sr: r.registers[15]! & FLAGS };
}

describe('isa.ts flag facts agree with the emulator', () => {
  const ops = OPS.filter((o) => (o.format === 'I' || o.timing === 'rmw' || o.timing === 'push'));
  for (const o of ops) {
    it(`${o.mnemonic}: readsCarry ${!!o.readsCarry}, keepsFlags ${!!o.keepsFlags}`, () => {
      const fmt = o.format as 'I' | 'II';
      const pairs = [[0x1234, 0x0101], [0x8001, 0x7fff], [0xffff, 0x0001], [0x0000, 0x0000]];
      const carryMatters = pairs.some(([a, b]) => run(o.mnemonic, fmt, 0, a!, b!).result !== run(o.mnemonic, fmt, 1, a!, b!).result);
      expect(carryMatters).toBe(!!o.readsCarry);
      const flagsKept = pairs.every(([a, b]) => [0, FLAGS, 0x0005].every((sr) => run(o.mnemonic, fmt, sr, a!, b!).sr === sr));
      expect(flagsKept).toBe(!!o.keepsFlags);
    });
  }
  it('every conditional jump but jn has an inverse, and inverting twice is the identity', () => {
    for (const o of OPS.filter((x) => x.format === 'J' && x.mnemonic !== 'jmp')) {
      if (o.mnemonic === 'jn') expect(jumpInverse('jn')).toBeUndefined();
      else expect(jumpInverse(jumpInverse(o.mnemonic)!)).toBe(o.mnemonic);
    }
    expect(jumpInverse('jnz')).toBe('jeq');
  });
});

describe('the compiler keeps no copies of the table', () => {
  const dir = fileURLToPath(new URL('../../toolchain/compiler/', import.meta.url));
  for (const f of ['mir.ts', 'dce.ts', 'emit.ts', 'compile.ts', 'liveness.ts', 'regalloc.ts']) {
    it(f, () => {
      const text = readFileSync(dir + f, 'utf8').replace(/\/\/.*$/gm, '');
      // a list or map of mnemonics written out (the hand copies issue 17 names: USES_CARRY, NO_WRITE, INVERT)
      expect(text).not.toMatch(/new Set\(\[\s*'(mov|add|addc|subc|cmp|bit|push|call|rrc|dadd)'/);
      expect(text).not.toMatch(/\{\s*jne:\s*'jeq'/);
    });
  }
});
