import type { Mode, OpDef } from './isa.ts';

/**
 * One operand as it sits in the machine word(s). `value` is what the extension word holds for indexed, symbolic,
 * absolute and immediate modes (16-bit, raw: a symbolic operand's word is the distance from the word's own
 * address to the target), the constant for `const`, and unused (0) for register modes.
 */
export interface Operand {
  mode: Mode;
  reg: number;
  value: number;
}

/** A decoded or to-be-encoded instruction. */
export interface Instruction {
  op: OpDef;
  byte: boolean;
  src?: Operand; // format I source; format II's single operand
  dst?: Operand; // format I destination
  /** Jumps: the signed 10-bit word offset; target = address + 2 + 2 * offset. */
  offset?: number;
}

/** Number of 16-bit words an instruction occupies. */
export function sizeInWords(ins: Instruction): number {
  return 1 + extWords(ins.src) + extWords(ins.dst);
}

export function extWords(o: Operand | undefined): number {
  if (!o) return 0;
  return o.mode === 'indexed' || o.mode === 'symbolic' || o.mode === 'absolute' || o.mode === 'immediate' ? 1 : 0;
}

/** Word index (from the opcode word) of an operand's extension word. The source's comes first. */
export function extWordIndex(ins: Instruction, which: 'src' | 'dst'): number {
  return which === 'src' ? 1 : 1 + extWords(ins.src);
}
