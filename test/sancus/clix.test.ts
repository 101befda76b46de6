// SM_CLIX (0x1389) and the atomicity monitor, through real instruction words on a copy of the emulated board with
// `atomicity_monitor: true`. Expected numbers come from sancus-core b6b53bb omsp_atomicity_monitor.v (see
// toolchain/emulator/sancus/atomicity.ts): the clix's E_EXEC cycle is C; gie is 0 in C, C+1 and while the section
// is open; the section finishes in cycle C+1+N (gie forced to 1) or in the first cycle SR.GIE reads 1.
import { describe, expect, it } from 'vitest';
import type { Board } from '../../boards/board.ts';
import { INTERRUPT_CYCLES } from '../../toolchain/msp430/cycles.ts';
import { ATOM_BOUND, CLIX_CYCLES } from '../../toolchain/emulator/sancus/atomicity.ts';
import { HALT, PROLOGUE, W, boardWith, emu, type Emu } from './emu.ts';

const CLIX = '.word 0x1389';
const P1IFG = 0x0023;
const P1IE = 0x0025;
/** emulated.json: P1 on IRQ line 2. */
const P1_VECTOR = 0xffe0 + 2 * 2;

const atomBoard = (violation: 'irq' | 'reset' = 'irq'): Board => boardWith({ atomicity_monitor: true, violation });

/**
 * The ISR notes how many `inc r11` ran before it (r12) and that it ran (r13), then returns with GIE off. The
 * violation handler counts in r7 and returns, or halts when r8 is set.
 */
const ISR = `
isr:
  mov r11, r12
  inc r13
  bic.b #1, &${P1IFG}
  bic #8, 0(sp)
  reti
viol:
  inc r7
  tst r8
  jnz halt
  reti
`;

function incs(n: number): string {
  return Array.from({ length: n }, () => '  inc r11\n').join('');
}

/** Loads `body` between the prologue and the halt; vectors: P1 → isr, violation (0xFFFA) → viol. */
function program(body: string, board: Board = atomBoard(), extra = ''): Emu & { fetches: Map<number, number[]> } {
  const e = emu(`${PROLOGUE}  clr r8\n  clr r11\n  clr r12\n  clr r13\n  clr r7\n${body}${HALT}${ISR}${extra}`, { board });
  const pokeWord = (a: number, v: number) => {
    e.m.bus.poke(a, v & 0xff);
    e.m.bus.poke(a + 1, v >> 8);
  };
  pokeWord(P1_VECTOR, e.sym('isr'));
  pokeWord(0xfffa, e.sym('viol'));
  // Fetch cycles per address: the tracer runs before every instruction on the machine's per-instruction path.
  const fetches = new Map<number, number[]>();
  e.m.tracer = (pc) => {
    const l = fetches.get(pc) ?? [];
    l.push(e.m.cycle);
    fetches.set(pc, l);
  };
  return { ...e, fetches };
}

const first = (f: Map<number, number[]>, a: number): number => {
  const l = f.get(a);
  if (!l) throw new Error(`0x${a.toString(16)} never fetched`);
  return l[0]!;
};

describe('SM_CLIX decoding', () => {
  it('is an invalid instruction where the board has no atomicity monitor', () => {
    const { m } = emu(`${PROLOGUE}  mov #10, r15\n  ${CLIX}\n${HALT}`);
    const r = m.run({ maxCycles: 1e5 });
    expect(r.stop).toBe('invalid');
    expect(r.word).toBe(0x1389);
  });

  it('costs 2 cycles (E_EXEC + E_SPM) and changes no register or flag', () => {
    const e = program(`  mov #7, r15\n  setz\nclix_at:\n  ${CLIX}\nafter:\n`);
    expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    const c = first(e.fetches, e.sym('clix_at'));
    expect(first(e.fetches, e.sym('after')) - c).toBe(CLIX_CYCLES);
    expect(e.m.r[15]).toBe(7);
    expect(e.m.r[2]! & 2).toBe(2); // Z still set
    expect(e.u.violations).toEqual([]);
  });
});

describe('interrupts in a clix section', () => {
  // GIE clear, P1 interrupt made pending right after the clix, then a run of 1-cycle instructions: the interrupt
  // logic sees gie = 1 only in the finishing cycle C+1+N, so the interrupt is taken at the boundary after the
  // instruction whose last cycle that is, i.e. the ISR entry starts at cycle C+2+N — for every N.
  for (const n of [8, 9, 13, 40]) {
    it(`GIE clear, r15 = ${n}: the pending interrupt is taken exactly at cycle C+2+N (forced gie)`, () => {
      const e = program(`  bis.b #1, &${P1IE}\n  mov #${n}, r15\nclix_at:\n  ${CLIX}\n  bis.b #1, &${P1IFG}\n${incs(60)}`);
      expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
      const c = first(e.fetches, e.sym('clix_at'));
      expect(e.m.r[13]).toBe(1); // taken once, with GIE clear
      expect(first(e.fetches, e.sym('isr'))).toBe(c + 2 + n + INTERRUPT_CYCLES);
    });
  }

  it('GIE clear: no interrupt when the finishing cycle falls inside a multi-cycle instruction', () => {
    // bis.b #1,&P1IFG takes C+2..C+5; a 2-cycle mov follows (C+6, C+7). With N = 5 the finishing cycle C+6 is the
    // mov's first cycle, not a last one: gie is never 1 at a boundary, the interrupt stays pending.
    const e = program(`  bis.b #1, &${P1IE}\n  mov #5, r15\nclix_at:\n  ${CLIX}\n  bis.b #1, &${P1IFG}\n  mov #0x1234, r10\n${incs(20)}`);
    expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    const c = first(e.fetches, e.sym('clix_at'));
    const movAt = e.sym('clix_at') + 2 + 4; // clix (1 word) + bis.b (2 words)
    expect(first(e.fetches, movAt)).toBe(c + 6); // the layout the comment assumes
    expect(e.m.r[13]).toBe(0);
  });

  it('without a clix, GIE clear keeps the same interrupt off for good (control)', () => {
    const e = program(`  bis.b #1, &${P1IE}\n  mov #8, r15\n  nop\n  bis.b #1, &${P1IFG}\n${incs(60)}`);
    expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    expect(e.m.r[13]).toBe(0);
  });

  it('GIE set: the interrupt is held off for the clix itself, and SR.GIE finishes the section at once', () => {
    // Pending with GIE clear, then EINT; after EINT one more instruction runs before the interrupt (GIE is sampled
    // before EINT's write). That instruction is the clix: its boundary is masked (inst_clix). In the next cycle
    // SR.GIE = 1 finishes the section, so the interrupt follows the first inc.
    const body = (mid: string) => `  bis.b #1, &${P1IE}\n  bis.b #1, &${P1IFG}\n  mov #1000, r15\n  eint\n${mid}${incs(10)}`;
    const held = program(body(`  ${CLIX}\n`));
    expect(held.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    expect(held.m.r[13]).toBe(1);
    expect(held.m.r[12]).toBe(1);
    // Control: a 2-cycle instruction in its place does not hold the interrupt off.
    const plain = program(body('  mov #0, r10\n'));
    expect(plain.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    expect(plain.m.r[13]).toBe(1);
    expect(plain.m.r[12]).toBe(0);
  });
});

describe('nesting and bounds (atom_violation)', () => {
  // clix N, k 1-cycle instructions, clix: the second one's E_EXEC cycle is C+2+k. It is a violation while
  // inside_clix was 1 in the cycle before, i.e. for C+1+k <= C+1+N: k <= N.
  for (const [n, k, bad] of [[5, 5, true], [5, 6, false], [12, 3, true], [12, 12, true], [12, 13, false]] as const) {
    it(`clix ${n}, ${k} cycles, clix: ${bad ? 'violation' : 'no violation'}`, () => {
      const e = program(`  mov #${n}, r15\n  ${CLIX}\n${incs(k)}second:\n  ${CLIX}\n${incs(4)}`);
      expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
      if (bad) {
        expect(e.u.violations).toHaveLength(1);
        expect(e.u.violations[0]).toMatchObject({ kind: 'atomicity', pc: e.sym('second'), address: n, module: 0 });
        expect(e.m.r[7]).toBe(1); // the violation interrupt ran once
      } else {
        expect(e.u.violations).toEqual([]);
        expect(e.m.r[7]).toBe(0);
      }
    });
  }

  it('the violation interrupt finishes the section (handling_irq): a later clix is accepted', () => {
    const e = program(`  mov #100, r15\n  ${CLIX}\n  ${CLIX}\n  ${CLIX}\n`);
    expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
    // second clix: nested → violation interrupt → section finished; third clix opens a new one.
    expect(e.u.violations).toHaveLength(1);
    expect(e.u.atomicity.active).toBe(true);
  });

  it(`r15 above ATOM_BOUND (${ATOM_BOUND}) is a violation; the counter is r15[14:0]`, () => {
    for (const [r15, bad] of [[ATOM_BOUND, false], [ATOM_BOUND + 1, true], [0x8000 | 5, false], [0x7fff, true]] as const) {
      const e = program(`  mov #${r15}, r15\nclix_at:\n  ${CLIX}\n${incs(3)}`);
      expect(e.m.run({ maxCycles: 1e5 }).stop).toBe('halt');
      expect(e.u.violations.map((v) => v.kind)).toEqual(bad ? ['atomicity'] : []);
    }
  });

  it('with the reset policy a nested clix resets the node (PUC)', () => {
    const e = program(`  mov #50, r15\n  ${CLIX}\n  ${CLIX}\n`, atomBoard('reset'));
    const r = e.m.run({ maxCycles: 200 });
    expect(r.stop).toBe('max-cycles');
    expect(e.m.pucLog[0]?.reason).toMatch(/^sancus atomicity violation: SM_CLIX/);
  });
});

describe('entering a module in a clix section', () => {
  const FOO = `
  .section .text.foo, "ax"
foo_start:
  mov #0xbeef, r10
  ret
foo_end:
`;
  const enable = `
  mov #0x1234, r11
  clr r10
  mov #foo_start, r12
  mov #foo_end, r13
  mov #0x0400, r14
  mov #0x0410, r15
  ${W.enable}
`;
  it('is an atomicity violation (enter_sm & inside_clix)', () => {
    // r8 = 1: the violation handler halts (a RETI would resume inside the module's text: an exec violation).
    const e = program(`  mov #1, r8\n  mov #${ATOM_BOUND}, r15\n  ${CLIX}\n${enable}  mov r15, r9\n  call #foo_start\n`, atomBoard(), FOO);
    expect(e.m.run({ maxCycles: 1e6 }).stop).toBe('halt');
    expect(e.m.r[9]).toBe(1); // enable succeeded inside the section
    expect(e.u.violations).toHaveLength(1);
    expect(e.u.violations[0]).toMatchObject({ kind: 'atomicity', address: e.sym('foo_start'), module: 1, from: 0 });
    expect(e.m.r[7]).toBe(1);
    expect(e.m.r[10]).toBe(0xbeef); // the entry's first instruction ran: the violation is taken at its end
  });

  it('after the section, entering a module on an atomicity board errors "not implemented" (entry period)', () => {
    const e = program(`${enable}  call #foo_start\n`, atomBoard(), FOO);
    expect(() => e.m.run({ maxCycles: 1e6 })).toThrow(/not implemented: entering module 1/);
  });

  it('a clix with a module enabled errors "not implemented" (SANCUS_RESTRICT_GIE)', () => {
    const e = program(`${enable}  mov #5, r15\n  ${CLIX}\n`, atomBoard(), FOO);
    expect(() => e.m.run({ maxCycles: 1e6 })).toThrow(/not implemented: SM_CLIX/);
  });
});
