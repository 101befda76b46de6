// The cycle model equals the table measured on the openMSP430 RTL (research/openmsp430.md §2), form by form.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { cycles, INTERRUPT_CYCLES, RESET_CYCLES, RETI_CYCLES } from '../../toolchain/msp430/cycles.ts';
import { decode } from '../../toolchain/msp430/decode.ts';
import { contents } from '../../toolchain/link/object.ts';

function cost(text: string): number {
  const b = contents(assemble(text, 't.s').sections.find((s) => s.name === '.text')!);
  return cycles(decode((i) => b[2 * i]! | (b[2 * i + 1]! << 8))!);
}

// Source operand examples per row of the RTL table, and destination examples per column.
const SRC: Record<string, string[]> = {
  'Rn/CG': ['r5', '#0', '#1', '#2', '#4', '#8', '#-1'],
  '@Rn': ['@r5'],
  '@Rn+': ['@r5+'],
  '#N': ['#0x1234'],
  'X(Rn)': ['2(r5)'],
  EDE: ['$+0x100'],
  '&EDE': ['&0x0200'],
};
const DST: Record<string, string[]> = { Rm: ['r6'], PC: ['r0'], 'X(Rm)': ['2(r6)'], EDE: ['$+0x200'], '&EDE': ['&0x0300'] };
// prettier-ignore
const FORMAT1: Record<string, number[]> = {
  'Rn/CG': [1, 2, 4, 4, 4], '@Rn': [2, 3, 5, 5, 5], '@Rn+': [2, 3, 5, 5, 5], '#N': [2, 3, 5, 5, 5],
  'X(Rn)': [3, 4, 6, 6, 6], EDE: [3, 4, 6, 6, 6], '&EDE': [3, 4, 6, 6, 6],
};
// prettier-ignore
const FORMAT2: Record<string, [number | null, number, number | null]> = {
  // RRA/RRC/SWPB/SXT, PUSH, CALL
  Rn: [1, 3, 3], CG: [null, 3, null], '@Rn': [3, 4, 4], '@Rn+': [3, 4, 4], '#N': [null, 4, 4],
  'X(Rn)': [4, 5, 5], EDE: [4, 5, 5], '&EDE': [4, 5, 5],
};
const F2SRC: Record<string, string> = { Rn: 'r5', CG: '#4', '@Rn': '@r5', '@Rn+': '@r5+', '#N': '#0x1234', 'X(Rn)': '2(r5)', EDE: '$+0x100', '&EDE': '&0x0200' };

describe('cycle model = openMSP430 RTL table', () => {
  it('format I: every source row × destination column, every opcode, byte and word', () => {
    let n = 0;
    for (const op of ['mov', 'add', 'addc', 'subc', 'sub', 'cmp', 'dadd', 'bit', 'bic', 'bis', 'xor', 'and']) {
      for (const sz of ['', '.b']) {
        for (const [row, srcs] of Object.entries(SRC)) {
          Object.values(DST).forEach((dsts, col) => {
            for (const s of srcs) for (const d of dsts) {
              expect(cost(`${op}${sz} ${s}, ${d}`), `${op}${sz} ${s}, ${d}`).toBe(FORMAT1[row]![col]);
              n++;
            }
          });
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
  });

  it('format II, jumps, RETI, interrupt and reset', () => {
    for (const [row, [rmw, push, call]] of Object.entries(FORMAT2)) {
      const s = F2SRC[row]!;
      if (rmw !== null) for (const op of ['rra', 'rrc', 'swpb', 'sxt']) expect(cost(`${op} ${s}`), `${op} ${s}`).toBe(rmw);
      expect(cost(`push ${s}`), `push ${s}`).toBe(push);
      if (call !== null) expect(cost(`call ${s}`), `call ${s}`).toBe(call);
    }
    expect(cost('call #0x1234')).toBe(4); // documented 5, measured 4 on the RTL
    for (const j of ['jne', 'jeq', 'jlo', 'jhs', 'jn', 'jge', 'jl', 'jmp']) expect(cost(`${j} $+4`)).toBe(2);
    expect(cost('reti')).toBe(RETI_CYCLES);
    expect([RETI_CYCLES, INTERRUPT_CYCLES, RESET_CYCLES]).toEqual([5, 6, 4]);
    // Emulated forms cost what their core instruction costs.
    expect(cost('ret')).toBe(3);
    expect(cost('pop r5')).toBe(2);
    expect(cost('pop 2(r5)')).toBe(5);
    expect(cost('br #0x1234')).toBe(3);
    expect(cost('nop')).toBe(1);
  });
});
