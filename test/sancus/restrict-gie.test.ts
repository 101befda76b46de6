// `sancus.restrict_gie` (toolchain/emulator/sancus/secure-irq.ts, issue 20: "interrupts that untrusted code cannot
// mask for longer than a bounded atomic section"; SANCUS_RESTRICT_GIE of later sancus-core builds): only SM 1 — the
// first module enabled, the protected scheduler — holds a pending interrupt off without bound; any other module that
// clears GIE gets ATOM_BOUND cycles, then the interrupt is taken inside it (registers saved) and the module resumed.
// Each against secure_irq alone, where every module may mask.
import { describe, expect, it } from 'vitest';
import { ATOM_BOUND } from '../../toolchain/emulator/sancus/atomicity.ts';
import { PROLOGUE, W, boardWith, emu } from './emu.ts';

const P1IFG = 0x0023;
const P1IE = 0x0025;
const P1_VECTOR = 0xffe0 + 2 * 2;
/** Each module's masked loop: 20,000 passes of 3 cycles, six times the bound. */
const PASSES = 20000;

const enable = (start: string, end: string, data: number) => `
  mov #0x1234, r11
  clr r10
  mov #${start}, r12
  mov #${end}, r13
  mov #0x${data.toString(16)}, r14
  mov #0x${(data + 16).toString(16)}, r15
  ${W.enable}
`;

/** Module X: clears GIE, raises P1's interrupt, spins PASSES times masked, sets GIE again, stores its count. Called
 *  with r12 = 1, module a instead clears GIE and enters module b (SM 1's call-out: b inherits the clear GIE). */
const moduleText = (x: string, data: number) => `
  .section .text.${x}, "ax"
${x}_start:
${x === 'a' ? '  dint\n  nop\n  cmp #1, r12\n  jne 1f\n  br #b_start\n1:\n' : ''}  dint
  nop
  bis.b #1, &${P1IFG}
${x}_raised:
  mov #${PASSES}, r10
1:
  dec r10
  jnz 1b
${x}_unmasked:
  eint
  nop
  dint
  nop
  mov #${PASSES}, &0x${data.toString(16)}
${x}_done:
  jmp ${x}_done
${x}_end:
`;

/** SM 1 is module a, SM 2 module b; the unprotected code calls `target` with P1's interrupt enabled. */
function run(target: 'a' | 'b', restrict: boolean, viaSm1 = false, bText = moduleText('b', 0x0410)) {
  const src = `${PROLOGUE}${enable('a_start', 'a_end', 0x0400)}  mov r15, &0x0300
${enable('b_start', 'b_end', 0x0410)}  mov r15, &0x0302
  bis.b #1, &${P1IE}
  mov #${viaSm1 ? 1 : 0}, r12
  call #${viaSm1 ? 'a' : target}_start
halt:
  jmp halt
isr:
  bic.b #1, &${P1IFG}
  reti
viol:
  jmp viol
${moduleText('a', 0x0400)}${bText}`;
  const e = emu(src, { board: boardWith({ secure_irq: true, restrict_gie: restrict, violation: 'irq' }) });
  e.m.bus.poke(P1_VECTOR, e.sym('isr') & 0xff);
  e.m.bus.poke(P1_VECTOR + 1, e.sym('isr') >> 8);
  e.m.bus.poke(0xfffa, e.sym('viol') & 0xff);
  e.m.bus.poke(0xfffb, e.sym('viol') >> 8);
  const at: Record<string, number> = {};
  const marks = ['isr', `${target}_raised`, `${target}_unmasked`, `${target}_done`];
  e.m.tracer = (pc) => {
    for (const k of marks) if (pc === e.sym(k) && at[k] === undefined) at[k] = e.m.cycle;
  };
  e.m.run({ maxCycles: 400_000 });
  const data = target === 'a' ? 0x0400 : 0x0410;
  return { e, at, raised: at[`${target}_raised`]!, isr: at.isr!, unmasked: at[`${target}_unmasked`]!, count: e.m.bus.peekWord(data) };
}

describe('restrict_gie: who may hold interrupts off', () => {
  it('the modules are SM 1 and SM 2', () => {
    const { e } = run('a', true);
    expect([e.m.bus.peekWord(0x0300), e.m.bus.peekWord(0x0302)]).toEqual([1, 2]);
  });

  it('SM 1 (the scheduler\'s place) masks without bound: the interrupt waits for its eint', () => {
    const r = run('a', true);
    expect(r.isr).toBeGreaterThan(r.unmasked);
    expect(r.unmasked - r.raised).toBeGreaterThan(3 * ATOM_BOUND);
    expect(r.count).toBe(PASSES);
    expect(r.e.u.violations).toEqual([]);
  });

  it(`SM 2 gets ATOM_BOUND (${ATOM_BOUND}) cycles: the interrupt is taken inside it, and it resumes and finishes`, () => {
    const r = run('b', true);
    expect(r.isr - r.raised).toBeGreaterThanOrEqual(ATOM_BOUND);
    expect(r.isr - r.raised).toBeLessThanOrEqual(ATOM_BOUND + 20);
    expect(r.isr).toBeLessThan(r.unmasked);
    expect(r.e.u.secureIrq!.resumed).toBe(1);
    expect(r.e.u.secureIrq!.midRun).toBe(1);
    expect(r.count).toBe(PASSES); // its masked loop's registers were saved and restored
    expect(r.e.u.violations).toEqual([]);
  });

  it('SM 2 entered by SM 1 (the scheduler\'s call-out) keeps SM 1\'s unbounded mask', () => {
    const r = run('b', true, true);
    expect(r.isr).toBeGreaterThan(r.unmasked);
    expect(r.unmasked - r.raised).toBeGreaterThan(3 * ATOM_BOUND);
    expect(r.e.u.secureIrq!.midRun).toBe(0);
    expect(r.count).toBe(PASSES);
  });

  it('an interrupt taken mid-run leaves what the module\'s entry saved on the caller\'s stack intact (our stubs: SR, r4–r11)', () => {
    // Module b here saves nine words on the caller's stack before its masked loop, as the entry stub does, and
    // checks them after: the interrupt frame, pushed while the module ran, must lie below them (a frame at the
    // entry SP overwrote the saved SR and r11; the module's return then restored garbage).
    const words = Array.from({ length: 9 }, (_, i) => 0x1111 * (i + 1));
    const body = moduleText('b', 0x0410).replace(
      'bis.b #1, &' + P1IFG,
      `${words.map((w) => `push #${w}`).join('\n  ')}\n  bis.b #1, &${P1IFG}`,
    ).replace(
      `mov #${PASSES}, &0x410`,
      `clr r9\n  ${[...words].reverse().map((w) => `pop r8\n  cmp #${w}, r8\n  jeq 2f\n  inc r9\n2:`).join('\n  ')}\n  add #0x100, r9\n  mov r9, &0x410`,
    );
    expect(body).toContain('push #4369');
    expect(body).toContain('add #0x100, r9');
    const { e } = run('b', true, false, body);
    expect(e.u.secureIrq!.midRun).toBe(1);
    expect(e.u.secureIrq!.resumed).toBe(1);
    expect(e.m.bus.peekWord(0x0410)).toBe(0x100); // it finished (0x100), all nine words as saved (+0)
    expect(e.u.violations).toEqual([]);
  });

  it('twin, secure_irq alone: SM 2 too masks until its eint', () => {
    const r = run('b', false);
    expect(r.isr).toBeGreaterThan(r.unmasked);
    expect(r.count).toBe(PASSES);
  });
});
