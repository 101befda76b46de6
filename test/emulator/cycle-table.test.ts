// Every instruction form costs, on the emulator, what the openMSP430 RTL measured (research/openmsp430.md §2):
// format I source × destination modes, format II per mode, jumps taken and not, RETI, interrupt entry, reset.
import { describe, expect, it } from 'vitest';
import { machineFor, PROLOGUE } from './asm.ts';

// The RTL's table, copied from the research file (§2), NOT from toolchain/msp430/cycles.ts.
const DESTS = ['r9', 'pc', '2(r6)', '0x0330', '&0x0330'] as const;
const FORMAT1: Record<string, { src: string; pcSrc: string; cycles: number[] }> = {
  Rn: { src: 'r5', pcSrc: 'r5', cycles: [1, 2, 4, 4, 4] },
  'const #1': { src: '#1', pcSrc: '#0', cycles: [1, 2, 4, 4, 4] },
  'const #8': { src: '#8', pcSrc: '#0', cycles: [1, 2, 4, 4, 4] },
  '@Rn': { src: '@r4', pcSrc: '@r4', cycles: [2, 3, 5, 5, 5] },
  '@Rn+': { src: '@r4+', pcSrc: '@r4+', cycles: [2, 3, 5, 5, 5] },
  '#N': { src: '#0x1234', pcSrc: '#next', cycles: [2, 3, 5, 5, 5] },
  'X(Rn)': { src: '2(r4)', pcSrc: '2(r4)', cycles: [3, 4, 6, 6, 6] },
  EDE: { src: '0x0310', pcSrc: '0x0310', cycles: [3, 4, 6, 6, 6] },
  '&EDE': { src: '&0x0310', pcSrc: '&0x0310', cycles: [3, 4, 6, 6, 6] },
};
const FORMAT2: Record<string, { operand: string; rmw?: number; push: number; call?: number }> = {
  Rn: { operand: 'r7', rmw: 1, push: 3, call: 3 },
  'const #4': { operand: '#4', push: 3 },
  'const #-1': { operand: '#-1', push: 3 },
  '@Rn': { operand: '@r8', rmw: 3, push: 4, call: 4 },
  '@Rn+': { operand: '@r8+', rmw: 3, push: 4, call: 4 },
  '#N': { operand: '#sub', push: 4, call: 4 },
  'X(Rn)': { operand: '0(r8)', rmw: 4, push: 5, call: 5 },
  EDE: { operand: '0x0340', rmw: 4, push: 5, call: 5 },
  '&EDE': { operand: '&0x0340', rmw: 4, push: 5, call: 5 },
};

/** Cycles of the instruction at label `target` (from its decode to the next decode). */
function cost(body: string, setup = ''): number {
  const { m, sym } = machineFor(`${PROLOGUE}
  mov #0x0300, r4
  clr r5
  mov #0x0320, r6
  mov #sub, r7
  mov #0x0340, r8
  mov #sub, &0x0340
${setup}
target:
  ${body}
next:
  nop
halt:
  jmp halt
sub:
  ret
`);
  m.setBreakpoint(sym('target'));
  expect(m.run({ maxCycles: 10_000 }).stop).toBe('breakpoint');
  const c0 = m.cycle;
  m.step();
  return m.cycle - c0;
}

describe('cycle table (RTL, research §2) on the emulator', () => {
  for (const [name, row] of Object.entries(FORMAT1)) {
    it(`format I, source ${name}: Rm, PC, X(Rm), EDE, &EDE`, () => {
      for (const op of ['mov', 'add', 'cmp', 'xor', 'dadd', 'bit']) {
        for (const byte of [false, true]) {
          // the PC column is measured with MOV (a branch to `next`); the others with every op and width
          const cols = DESTS.map((d, i) => i).filter((i) => DESTS[i] !== 'pc');
          const got = cols.map((i) => cost(`${op}${byte ? '.b' : ''} ${row.src}, ${DESTS[i]}`));
          expect(got, `${op}${byte ? '.b' : ''} ${row.src}`).toEqual(cols.map((i) => row.cycles[i]));
        }
      }
    });
  }

  it('format I into PC (branches): Rn 2, @Rn/@Rn+/#N 3, X(Rn)/EDE/&EDE 4', () => {
    const targets = 'mov #next, r5\n  mov #next, &0x0300\n  mov #next, &0x0302\n  mov #next, &0x0310';
    for (const row of Object.values(FORMAT1)) {
      if (row.pcSrc === '#0') continue; // a constant cannot name `next`
      expect(cost(`mov ${row.pcSrc}, pc`, targets), `mov ${row.pcSrc}, pc`).toBe(row.cycles[1]);
    }
    expect(cost('add #0, pc'), 'add #0, pc').toBe(2);
  });

  for (const [name, row] of Object.entries(FORMAT2)) {
    it(`format II, operand ${name}`, () => {
      if (row.rmw !== undefined) for (const op of ['rrc', 'rra', 'swpb', 'sxt', 'rra.b']) expect(cost(`${op} ${row.operand}`), `${op} ${row.operand}`).toBe(row.rmw);
      expect(cost(`push ${row.operand}`), `push ${row.operand}`).toBe(row.push);
      expect(cost(`push.b ${row.operand}`), `push.b ${row.operand}`).toBe(row.push);
      if (row.call !== undefined) expect(cost(`call ${row.operand}`), `call ${row.operand}`).toBe(row.call);
    });
  }

  it('jumps: 2 cycles, all 8 conditions, taken and not taken', () => {
    for (const j of ['jne', 'jeq', 'jlo', 'jhs', 'jn', 'jge', 'jl', 'jmp']) {
      for (const flags of ['clr r2', 'mov #0x0107, r2']) expect(cost(`${j} next`, flags), `${j} after ${flags}`).toBe(2);
    }
  });

  it('RETI: 5 cycles; RET (mov @sp+, pc) 3; POP Rn 2; BR #N 3; NOP 1', () => {
    expect(cost('reti', 'push #next\n  push #0')).toBe(5);
    expect(cost('ret', 'push #next')).toBe(3);
    expect(cost('pop r9', 'push #1')).toBe(2);
    expect(cost('br #next')).toBe(3);
    expect(cost('nop')).toBe(1);
  });

  it('reset: the first instruction is decoded in cycle 4', () => {
    const { m } = machineFor(`${PROLOGUE}\nhalt: jmp halt\n`);
    expect(m.cycle).toBe(4);
    m.step();
    expect(m.cycle).toBe(4 + 5); // mov #N, &EDE
  });
});
