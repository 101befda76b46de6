// Compares two decoded instructions by meaning: the same operation, size and operands, where a constant-generator
// value equals the same immediate in an extension word. Used where an oracle prints a form differently.
import type { Instruction, Operand } from '../../toolchain/msp430/instruction.ts';

function canon(o: Operand | undefined): string {
  if (!o) return '-';
  switch (o.mode) {
    case 'const':
    case 'immediate':
      return `#${o.value & 0xffff}`;
    case 'reg':
    case 'indirect':
    case 'autoinc':
      return `${o.mode}:r${o.reg}`;
    default:
      return `${o.mode}:r${o.reg}:${o.value & 0xffff}`;
  }
}

export function sameMeaning(a: Instruction, b: Instruction, opts: { ignoreByte?: boolean } = {}): boolean {
  if (a.op !== b.op) return false;
  if (!opts.ignoreByte && a.byte !== b.byte) return false;
  if ((a.offset ?? 0) !== (b.offset ?? 0)) return false;
  return canon(a.src) === canon(b.src) && canon(a.dst) === canon(b.dst);
}
