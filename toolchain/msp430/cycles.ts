import { PC, type Mode } from './isa.ts';
import type { Instruction, Operand } from './instruction.ts';

// The openMSP430 cycle model, measured on the core's RTL (research/openmsp430.md §2) — NOT TI's MSP430x table.
// It is a function of format and operand-mode classes, not a number per table row.

/** Source-mode class: 0 register/constant, 1 indirect/autoincrement/immediate, 2 indexed/symbolic/absolute. */
function sourceClass(mode: Mode): 0 | 1 | 2 {
  switch (mode) {
    case 'reg':
    case 'const':
      return 0;
    case 'indirect':
    case 'autoinc':
    case 'immediate':
      return 1;
    default:
      return 2;
  }
}

// Format I, [source class][destination class]: destination Rm, PC, memory (X(Rm), EDE, &EDE).
const FORMAT1: readonly (readonly number[])[] = [
  [1, 2, 4],
  [2, 3, 5],
  [3, 4, 6],
];

// Format II, [timing][source class]: RRA/RRC/SWPB/SXT, PUSH, CALL. CALL #N measures 4 on the RTL (documented 5).
const FORMAT2: Record<'rmw' | 'push' | 'call', readonly number[]> = {
  rmw: [1, 3, 4],
  push: [3, 4, 5],
  call: [3, 4, 5],
};

export const JUMP_CYCLES = 2;
export const RETI_CYCLES = 5;
/** From the end of the interrupted instruction to the decode of the first ISR instruction. */
export const INTERRUPT_CYCLES = 6;
/** From the release of reset to the decode of the first instruction (reset-vector fetch). */
export const RESET_CYCLES = 4;

function destClass(dst: Operand): 0 | 1 | 2 {
  if (dst.mode === 'reg') return dst.reg === PC ? 1 : 0;
  return 2;
}

/** CPU cycles one instruction takes on the openMSP430 (decode to next decode). */
export function cycles(ins: Instruction): number {
  switch (ins.op.format) {
    case 'J':
      return JUMP_CYCLES;
    case 'II':
      if (ins.op.timing === 'reti') return RETI_CYCLES;
      return FORMAT2[ins.op.timing as 'rmw' | 'push' | 'call'][sourceClass(ins.src!.mode)]!;
    case 'I':
      return FORMAT1[sourceClass(ins.src!.mode)]![destClass(ins.dst!)]!;
  }
}
