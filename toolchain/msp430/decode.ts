import { OPS, constantValue, destMode, sourceMode, type OpDef } from './isa.ts';
import type { Instruction, Operand } from './instruction.ts';

const FORMAT1 = new Map<number, OpDef>();
const FORMAT2 = new Map<number, OpDef>();
const JUMPS = new Map<number, OpDef>();
for (const op of OPS) (op.format === 'I' ? FORMAT1 : op.format === 'II' ? FORMAT2 : JUMPS).set(op.code, op);

function operand(mode: ReturnType<typeof sourceMode>, as: number, reg: number, next: () => number): Operand {
  switch (mode) {
    case 'const':
      return { mode, reg, value: constantValue(as, reg) };
    case 'indexed':
    case 'symbolic':
    case 'absolute':
    case 'immediate':
      return { mode, reg, value: next() };
    default:
      return { mode, reg, value: 0 };
  }
}

/**
 * Decodes the instruction whose first word is `word(0)`; `word(i)` returns the i-th following word (extension
 * words). Returns undefined for a word that encodes no instruction. Which words are invalid follows what
 * llvm-objdump decodes (test/oracles/disassembler.test.ts checks all 65,536).
 */
export function decode(word: (i: number) => number): Instruction | undefined {
  const w = word(0) & 0xffff;
  let i = 1;
  const next = () => word(i++) & 0xffff;
  const byte = (w & 0x40) !== 0;
  const as = (w >> 4) & 3;
  if (w >= 0x4000) {
    const op = FORMAT1.get(w >> 12)!;
    const sreg = (w >> 8) & 15;
    const ad = (w >> 7) & 1;
    const dreg = w & 15;
    const src = operand(sourceMode(as, sreg), as, sreg, next);
    const dst = operand(destMode(ad, dreg), ad, dreg, next);
    return { op, byte, src, dst };
  }
  if (w >= 0x2000) {
    const op = JUMPS.get((w >> 10) & 7)!;
    const raw = w & 0x3ff;
    return { op, byte: false, offset: raw >= 0x200 ? raw - 0x400 : raw };
  }
  if (w >= 0x1000 && w < 0x1400) {
    const op = FORMAT2.get((w >> 7) & 7);
    if (!op) return undefined;
    if (byte && !op.byteForm) return undefined;
    if (op.timing === 'reti') return w === 0x1300 ? { op, byte: false } : undefined;
    const reg = w & 15;
    return { op, byte, src: operand(sourceMode(as, reg), as, reg, next) };
  }
  return undefined;
}

/** Decodes from a word array at a word index. */
export function decodeAt(words: ArrayLike<number>, index: number): Instruction | undefined {
  return decode((i) => words[index + i] ?? 0);
}
