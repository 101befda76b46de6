// Peripherals with the expected values of research/openmsp430.md §1–§3: multiplier (operands, SUMEXT, byte access,
// one-cycle result latency), watchdog (WDTIFG at W+65 in interval /64, password, watchdog-mode PUC), SFR, interrupt
// acceptance latency and state, low-power modes with virtual time.
import { describe, expect, it } from 'vitest';
import type { Watchdog } from '../../toolchain/emulator/peripherals/watchdog.ts';
import { machineFor, PROLOGUE } from './asm.ts';

function run(body: string, tail = '') {
  const r = machineFor(`${PROLOGUE}\n${body}\n  dint\nhalt:\n  jmp halt\n${tail}`);
  const res = r.m.run({ maxCycles: 200_000 });
  return { ...r, res };
}

describe('hardware multiplier (research §3)', () => {
  it('MPY, MPYS, MAC, MACS results and SUMEXT', () => {
    const { m } = run(`
  mov #0x1234, &0x0130
  mov #0x5678, &0x0138
  mov &0x013a, r4
  mov &0x013c, r5
  mov #-2, &0x0132
  mov #3, &0x0138
  mov &0x013a, r6
  mov &0x013c, r7
  mov &0x013e, r8
  mov #-1, &0x013a
  mov #-1, &0x013c
  mov #1, &0x0134
  mov #1, &0x0138
  mov &0x013a, r9
  mov &0x013c, r10
  mov &0x013e, r11
  mov #0x7fff, &0x013c
  mov #-1, &0x013a
  mov #1, &0x0136
  mov #1, &0x0138
  mov &0x013c, r12
  mov &0x013e, r13
  mov &0x0136, r14
  mov &0x0138, r15`);
    expect([m.r[4], m.r[5]]).toEqual([0x0060, 0x0626]); // 0x1234 × 0x5678 = 0x06260060
    expect([m.r[6], m.r[7], m.r[8]]).toEqual([0xfffa, 0xffff, 0xffff]); // −2 × 3, SUMEXT = sign
    expect([m.r[9], m.r[10], m.r[11]]).toEqual([0, 0, 1]); // MAC: 0xFFFFFFFF + 1 carries out
    expect([m.r[12], m.r[13]]).toEqual([0x8000, 0xffff]); // MACS: 0x7FFFFFFF + 1 → bit 31 set
    expect([m.r[14], m.r[15]]).toEqual([1, 1]); // operand registers read back
  });

  it('byte writes: even address clears the high byte, odd address lands in both halves; byte reads', () => {
    const { m } = run(`
  mov.b #0x05, &0x0130
  mov.b #0x80, &0x0139
  mov &0x0138, r4
  mov &0x013a, r5
  mov &0x013c, r6
  mov.b &0x013b, r7
  mov.b &0x013a, r8`);
    expect(m.r[4]).toBe(0x8080);
    expect([m.r[5], m.r[6]]).toEqual([0x8280, 0x0002]); // 5 × 0x8080 = 0x28280
    expect([m.r[7], m.r[8]]).toEqual([0x82, 0x80]);
  });

  it('one-cycle latency: @Rn right after the OP2 write reads the pre-operation value, X(Rn) and later reads the result', () => {
    const { m } = run(`
  mov #0x013a, r4
  mov #2, &0x0130
  mov #3, &0x0138
  mov @r4, r5
  mov #4, &0x0138
  mov 0(r4), r6
  mov #5, &0x0138
  nop
  mov @r4, r7
  mov #0x013e, r8
  mov #-1, &0x0132
  mov #1, &0x0138
  mov @r8, r9
  mov #10, &0x013a
  clr &0x013c
  mov #1, &0x0134
  mov #1, &0x0138
  mov @r4+, r10
  mov #1, &0x0138
  push @r4
  pop r11`);
    expect(m.r[5]).toBe(0); // MPY cleared RESLO; the product is not there yet
    expect(m.r[6]).toBe(8);
    expect(m.r[7]).toBe(10);
    expect(m.r[9]).toBe(0); // SUMEXT reads 0 in cycle T+1
    expect(m.r[10]).toBe(10); // MAC: the previous accumulator
    expect(m.r[11]).toBe(0); // PUSH @Rn right after: RESHI before the operation (0)
  });
});

describe('watchdog and SFR (research §1, §2)', () => {
  it('WDTCTL reads 0x69xx (0x5A80 reads 0x69A0); CPU_ID and CPU_NR as measured', () => {
    const { m } = run('mov &0x0120, r4\n  mov &0x0004, r5\n  mov &0x0006, r6\n  mov &0x0008, r7');
    expect(m.r[4]).toBe(0x69a0);
    expect([m.r[5], m.r[6], m.r[7]]).toEqual([0x0203, 0x1011, 0]);
  });

  it('interval mode /64: WDTIFG is set from cycle W+65; the interrupt is accepted 6 cycles later with SR cleared', () => {
    const nops = Array.from({ length: 120 }, () => '  nop').join('\n');
    const { m, sym } = machineFor(`${PROLOGUE}
  mov #0x0107, sr
  mov #0x5a1b, &0x0120   ; WDTPW | TMSEL | CNTCL | IS=/64
wrote:
${nops}
  dint
halt: jmp halt
isr:
  mov sr, r5
  mov &0x0002, r6
  dint
halt2: jmp halt2
  .section __interrupt_vector_11,"ax",@progbits
  .word isr
`);
    const wd = m.deviceByName.get('watchdog') as Watchdog;
    m.setBreakpoint(sym('wrote'));
    m.run();
    const W = m.cycle;
    let first = -1;
    while (m.r[0] < sym('halt')) {
      m.step();
      if (wd.ifg && first < 0) first = m.cycle;
    }
    expect(first).toBe(W + 65);
    // again with the interrupt enabled: accepted at the first boundary from W+65, ISR decoded 6 cycles later
    const b = machineFor(`${PROLOGUE}
  mov.b #1, &0x0000      ; WDTIE
  mov #0x5a1b, &0x0120
wrote:
  eint
${nops}
  dint
halt: jmp halt
isr:
  mov sr, r5
  mov &0x0002, r6
  dint
halt2: jmp halt2
  .section __interrupt_vector_11,"ax",@progbits
  .word isr
`);
    b.m.setBreakpoint(b.sym('wrote'));
    b.m.run();
    const W2 = b.m.cycle;
    b.m.clearBreakpoint(b.sym('wrote'));
    b.m.setBreakpoint(b.sym('isr'));
    expect(b.m.run().stop).toBe('breakpoint');
    expect(b.m.cycle).toBe(W2 + 65 + 6);
    const sp = b.m.r[1]!;
    expect(sp).toBe(0x5fc);
    expect(b.m.bus.peekWord(sp) & 8).toBe(8); // stacked SR had GIE
    expect(b.m.run().stop).toBe('halt');
    expect(b.m.r[5]).toBe(0); // all of SR cleared on entry
    expect(b.m.r[6]! & 1).toBe(0); // WDTIFG cleared by the acceptance (single source)
  });

  it('watchdog mode: a PUC after 2^15 cycles when nobody stops it; a wrong password is a PUC too', () => {
    const { m } = machineFor(`start:\n  mov #0x0600, sp\n  inc &0x0200\nloop: jmp loop2\nloop2: jmp loop\n`);
    const res = m.run({ maxCycles: 70_000 });
    expect(res.stop).toBe('max-cycles');
    expect(m.pucLog.length).toBe(2);
    expect(m.pucLog[0]!.cycle).toBeGreaterThanOrEqual(32768);
    expect(m.pucLog[0]!.cycle).toBeLessThan(32768 + 8);
    expect(m.bus.peekWord(0x200)).toBe(3); // RAM survives a PUC
    const bad = machineFor(`start:\n  inc &0x0200\n  mov #0x1234, &0x0120\nhalt: jmp halt\n`);
    bad.m.run({ maxCycles: 100 });
    expect(bad.m.pucLog[0]!.reason).toMatch(/password/);
  });
});

describe('low-power modes and virtual time', () => {
  it('CPUOFF sleeps until the watchdog interrupt; time jumps to the event; RETI 5 cycles returns to sleep or wakes', () => {
    const { m, sym } = machineFor(`${PROLOGUE}
  clr r9
  mov.b #1, &0x0000
  mov #0x5a18, &0x0120   ; interval /32768
  bis #0x18, sr          ; GIE | CPUOFF
after:
  dint
halt: jmp halt
isr:
  inc r9
  cmp #3, r9
  jne back
  bic #0x10, 0(sp)       ; wake up on the third interrupt
back:
  reti
  .section __interrupt_vector_11,"ax",@progbits
  .word isr
`);
    const t0 = performance.now();
    const res = m.run({ maxCycles: 1_000_000 });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(res.stop).toBe('halt');
    expect(m.r[9]).toBe(3);
    expect(res.cycles).toBeGreaterThan(3 * 32768);
    expect(res.cycles).toBeLessThan(3 * 32768 + 200);
    expect(res.instructions).toBeLessThan(40); // slept, not spun
    expect(sym('after')).toBeGreaterThan(0);
  });

  it('asleep with nothing left to wake it: stop "sleep"; an idle jump-to-self with GIE on and no events: "sleep"', () => {
    expect(run('bis #0x10, sr').res.stop).toBe('sleep');
    const { m } = machineFor(`${PROLOGUE}\n  eint\nidle: jmp idle\n`);
    expect(m.run({ maxCycles: 1000 }).stop).toBe('sleep');
  });
});

describe('interrupt priorities and the NMI', () => {
  it('two pending interrupts: the higher vector first (watchdog IRQ 10 before port 1 IRQ 2); NMI with GIE off', () => {
    const { m } = machineFor(`start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
  clr r9
  mov #0x5a9b, &0x0120    ; interval mode, held (no counting)
  mov.b #0x01, &0x0000    ; WDTIE
  mov.b #0x01, &0x0002    ; WDTIFG set by software
  bis.b #0x01, &0x0025    ; P1IE.0
  bis.b #0x01, &0x0023    ; P1IFG.0 set by software
  eint
  nop
  dint
  mov.b #0x10, &0x0000    ; NMIIE (GIE stays off)
wait:
  cmp #3, r9
  jne wait
  dint
halt: jmp halt
wdt_isr:
  rla r9
  rla r9
  add #1, r9              ; r9 = 1
  reti
p1_isr:
  bic.b #0x01, &0x0023
  rla r9
  rla r9
  add #2, r9              ; r9 = 1 << 2 | 2 = 6 if after the watchdog
  mov #2, r9              ; (then 2)
  reti
nmi_isr:
  add #1, r9              ; 3
  reti
  .section __interrupt_vector_11,"ax",@progbits
  .word wdt_isr
  .section __interrupt_vector_3,"ax",@progbits
  .word p1_isr
  .section __interrupt_vector_15,"ax",@progbits
  .word nmi_isr
`, 'emulated');
    const order: string[] = [];
    m.tracer = (pc) => {
      const name = ['wdt_isr', 'p1_isr', 'nmi_isr'].find((n) => m.bus.peekWord(0xffe0 + 2 * { wdt_isr: 10, p1_isr: 2, nmi_isr: 14 }[n]!) === pc);
      if (name) order.push(name);
    };
    expect(m.run({ maxCycles: 2000 }).stop).toBe('max-cycles'); // waiting for the NMI
    m.nmi();
    expect(m.run({ maxCycles: 4000 }).stop).toBe('halt');
    expect(order).toEqual(['wdt_isr', 'p1_isr', 'nmi_isr']);
    expect(m.r[9]).toBe(3);
  });
});

describe('interrupt acceptance and GIE timing', () => {
  it('after EINT one more instruction runs before a pending interrupt is taken; RETI lets the next one in at once', () => {
    const { m } = machineFor(`start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
  clr r9
  clr r10
  bis.b #0x03, &0x0025    ; P1IE.0, P1IE.1
  bis.b #0x03, &0x0023    ; P1IFG.0 and .1 pending
  eint
  inc r9                  ; runs before the interrupt
  inc r9
  dint
halt: jmp halt
isr:
  mov r9, r10
  bic.b #0x01, &0x0023
  inc r11
  cmp #2, r11
  jeq 1f
  reti
1:
  bic.b #0x02, &0x0023
  mov r9, r12
  reti
  .section __interrupt_vector_3,"ax",@progbits
  .word isr
`, 'emulated');
    expect(m.run({ maxCycles: 2000 }).stop).toBe('halt');
    expect(m.r[10]).toBe(1); // first ISR entered after exactly one instruction following EINT
    expect(m.r[12]).toBe(1); // the second was taken right after the first RETI, before `inc r9` ran again
    expect(m.r[9]).toBe(2);
  });
});
