// Skipping idle time is exact (issue 18 "Simulation speed"): asleep the machine jumps to the next device event, and
// a polling loop on a stable register (blocks.ts `spin`: the HAN module's wait for the UART's transmit buffer) runs
// its remaining passes at once; with `skipIdle` off the same time passes a cycle (or a pass) at a time. Both runs
// must land every interrupt, UART byte, metrology pulse and register on the same cycle.
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../toolchain/emulator/machine.ts';
import { meterControls } from '../../toolchain/emulator/meter.ts';
import { machineFor } from './asm.ts';

const PRO = `start:\n  mov #0x5a80, &0x0120\n  mov #0x2a00, sp\n`;
const CLOCK = 20_000_000;
const vec = (line: number, label: string) => `  .section __interrupt_vector_${line + 1},"ax",@progbits\n  .word ${label}\n`;
const wr = (reg: number, v: number) => `  mov #0x${reg.toString(16)}, &0x0180\n  mov #0x${(v & 0xffff).toString(16)}, &0x0182\n  mov #0x${(v >>> 16).toString(16)}, &0x0184\n  mov #2, &0x0186\n`;

/**
 * Sleeps in LPM0 between interrupts: Basic Timer1 at 8 Hz (sends 4 HAN bytes from the ISR, polling TX_FULL with
 * GIE off while other interrupts wait), Timer_A CCR0 on SMCLK every 30,001 cycles (counts), CF1 pulses of the
 * ADE7953 every 10 mWh on P2.3 (counts); the main loop sends one WAN byte per wake-up, polling the same way.
 */
const PROGRAM = `${PRO}
  bis.b #1, &0x0022
  bis.b #1, &0x0021        ; supply on (the relay closes 10 ms later)
${wr(0x103, 10)}           ; CF1DEN = 10: one pulse per 10 mWh
${wr(0x107, 0x0200)}       ; CFMODE: CF1 on
  bis.b #0x08, &0x002C     ; P2IES.3: falling edge
  bis.b #0x08, &0x002D     ; P2IE.3
  mov.b #173, &0x008a      ; HAN and WAN UARTs: 115,200 Bd
  mov.b #0, &0x008b
  mov.b #1, &0x0088
  mov.b #173, &0x0082
  mov.b #0, &0x0083
  mov.b #1, &0x0080
  mov.b #0x23, &0x0040     ; Basic Timer1: ACLK/256/16 = 8 Hz
  bis.b #0x80, &0x0001
  mov #30000, &0x0172      ; TACCR0
  mov #0x0010, &0x0162     ; CCIE
  mov #0x0214, &0x0160     ; SMCLK, up mode, clear
  clr r10
  clr r11
  clr r12
  clr r13
loop:
  bis #0x18, sr
wan_wait:
  bit.b #0x08, &0x0081
  jnz wan_wait
  mov.b r13, &0x0084
  inc r13
  jmp loop
bt_isr:
  push r15
  mov #4, r15
han_next:
  mov.b &0x0089, r14
  bit #0x08, r14
  jne han_next
  mov.b r15, &0x008c
  dec r15
  jnz han_next
  pop r15
  inc r10
  bic #0x10, 0(sp)
  reti
ta_isr:
  inc r11
  bic #0x10, 0(sp)
  reti
p2_isr:
  bic.b #0x08, &0x002B
  inc r12
  bic #0x10, 0(sp)
  reti
${vec(0, 'bt_isr')}${vec(3, 'p2_isr')}${vec(9, 'ta_isr')}`;

function run(skipIdle: boolean, seconds: number) {
  const { m } = machineFor(PROGRAM, 'emulated');
  m.skipIdle = skipIdle;
  const meter = meterControls(m);
  m.run({ maxCycles: 0.011 * CLOCK });
  meter.setLoad(3600); // 1 Wh per second: 100 CF1 pulses per second
  m.run({ maxCycles: m.cycle + seconds * CLOCK });
  return { m, meter };
}

function state(m: Machine, meter: ReturnType<typeof meterControls>) {
  return {
    cycle: m.cycle,
    instructions: m.instructions,
    registers: Array.from(m.r),
    ram: Buffer.from(m.bus.mem.subarray(0x0200, 0x2a00)).toString('base64'),
    han: meter.hanSent,
    wan: meter.wanSent,
    relay: meter.relay.history,
    energy: meter.energy().fedLsb,
  };
}

describe('idle skip', () => {
  it('sleeping and polling loops skipped to the next event land every event on the same cycle as run through', () => {
    const fast = run(true, 1);
    const slow = run(false, 1);
    const a = state(fast.m, fast.meter);
    expect(a).toEqual(state(slow.m, slow.meter));
    // the program did what it says, and the skip did skip
    expect(fast.m.r[10]).toBe(8); // Basic Timer1 interrupts
    expect(Math.abs(fast.m.r[11]! - a.cycle / 30001)).toBeLessThan(1); // Timer_A: one per 30,001 cycles since start-up
    expect(fast.m.r[12]).toBeGreaterThanOrEqual(99); // CF1 pulses
    expect(a.han.length).toBe(32);
    expect(fast.m.asleepCycles).toBeGreaterThan(0.9 * CLOCK);
    expect(fast.m.asleepCycles).toBe(slow.m.asleepCycles);
    expect(fast.m.skippedInstructions).toBeGreaterThan(1000);
    expect(slow.m.skippedInstructions).toBe(0);
  }, 60_000);
});
