// Timer_A, UART and GPIO on the emulated board, and the board files themselves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import type { Gpio } from '../../toolchain/emulator/peripherals/gpio.ts';
import type { Uart } from '../../toolchain/emulator/peripherals/uart.ts';
import { machineFor } from './asm.ts';

const PRO = `start:\n  mov #0x5a80, &0x0120\n  mov #0x2a00, sp\n`;

describe('Timer_A', () => {
  it('up mode: the CCR0 interrupt every CCR0+1 timer clocks (SMCLK, and /8)', () => {
    for (const [ctl, per] of [[0x0214, 100], [0x02d4, 800]] as const) {
      const { m, sym } = machineFor(`${PRO}
  mov #99, &0x0172
  mov #0x0010, &0x0162
  mov #${ctl}, &0x0160
  bis #0x18, sr
halt: jmp halt
isr:
  reti
  .section __interrupt_vector_10,"ax",@progbits
  .word isr
`, 'emulated');
      m.setBreakpoint(sym('isr'));
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        expect(m.run({ maxCycles: 100_000 }).stop).toBe('breakpoint');
        times.push(m.cycle);
      }
      expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([per, per, per]);
    }
  });

  it('continuous mode: TAIFG through TAIV (reads 10, then 0) and TAR counts SMCLK', () => {
    const { m } = machineFor(`${PRO}
  mov #0x0222, &0x0160   ; SMCLK, continuous, TAIE
  eint
  bis #0x10, sr
  dint
halt: jmp halt
isr:
  mov &0x012e, r5
  mov &0x012e, r6
  mov &0x0170, r7
  bic #0x10, 0(sp)
  reti
  .section __interrupt_vector_9,"ax",@progbits
  .word isr
`, 'emulated');
    const res = m.run({ maxCycles: 200_000 });
    expect(res.stop).toBe('halt');
    expect([m.r[5], m.r[6]]).toEqual([10, 0]);
    expect(m.r[7]).toBeGreaterThan(0);
    expect(m.r[7]).toBeLessThan(40);
    expect(res.cycles).toBeGreaterThan(65536);
  });
});

describe('UART (omsp_uart)', () => {
  it('a frame takes 10 × (BAUD+1) cycles; TX_BUSY meanwhile; the TX interrupt when it is done; RX wakes the CPU', () => {
    const { m, sym } = machineFor(`${PRO}
  mov.b #9, &0x0082        ; 10 cycles a bit
  mov.b #0x51, &0x0080     ; enable, IEN_RX, IEN_TX
  mov.b #0x41, &0x0084     ; 'A'
sent:
  mov.b &0x0081, r5        ; STATUS right after
  eint
wait:
  bis #0x10, sr
  cmp #2, r9
  jne wait
  dint
halt: jmp halt
tx_isr:
  mov.b #0x40, &0x0081     ; clear TX pending
  inc r9
  bic #0x10, 0(sp)
  reti
rx_isr:
  mov.b &0x0085, r8
  mov.b #0x10, &0x0081
  inc r9
  bic #0x10, 0(sp)
  reti
  .section __interrupt_vector_7,"ax",@progbits
  .word tx_isr
  .section __interrupt_vector_8,"ax",@progbits
  .word rx_isr
`, 'emulated');
    const uart = m.deviceByName.get('wan') as Uart;
    const sent: [number, number][] = [];
    uart.onTransmit = (b, c) => sent.push([b, c]);
    m.setBreakpoint(sym('sent'));
    m.run();
    const W = m.cycle;
    m.clearBreakpoint(sym('sent'));
    uart.receive([0x5a]);
    const res = m.run({ maxCycles: 100_000 });
    expect(res.stop).toBe('halt');
    expect(m.r[5]! & 0x04).toBe(0x04); // TX_BUSY
    expect(sent).toEqual([[0x41, W + 1 + 100]]);
    expect(m.r[8]).toBe(0x5a);
    expect(m.r[9]).toBe(2);
  });
});

describe('GPIO', () => {
  it('output changes reach the listeners; an input edge sets P1IFG and interrupts (IRQ 2)', () => {
    const { m } = machineFor(`${PRO}
  bis.b #0x01, &0x0022     ; P1DIR.0
  bis.b #0x01, &0x0021     ; P1OUT.0 = 1 (relay on)
  bis.b #0x02, &0x0025     ; P1IE.1, rising edge
  eint
  bis #0x10, sr
  dint
halt: jmp halt
isr:
  mov.b &0x0023, r5
  bic.b #0x02, &0x0023
  bic.b #0x01, &0x0021     ; relay off
  bic #0x10, 0(sp)
  reti
  .section __interrupt_vector_3,"ax",@progbits
  .word isr
`, 'emulated');
    const gpio = m.deviceByName.get('gpio') as Gpio;
    const seen: [number, number][] = [];
    gpio.listeners.push((port, v) => seen.push([port, v]));
    expect(m.run().stop).toBe('sleep');
    gpio.setInput(1, 1, true);
    expect(m.run().stop).toBe('halt');
    // P1.1 set the flag; on the meter board P1.3 (relay feedback, rising when the contacts closed) did too
    expect(m.r[5]! & 0x02).toBe(0x02);
    expect(seen).toEqual([[1, 1], [1, 0]]);
  });
});

describe('board files', () => {
  it('the three boards load and build a machine', () => {
    for (const name of ['openmsp430', 'emulated', 'sancus-atlys']) {
      const m = new Machine(loadBoard(name));
      expect(m.devices.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('a bad board names the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-board-'));
    try {
      const b = JSON.parse(JSON.stringify(loadBoard('openmsp430')));
      delete b.file;
      b.peripherals[2].width = 12;
      const f = join(dir, 'bad.json');
      writeFileSync(f, JSON.stringify(b));
      expect(() => loadBoard(f)).toThrow(/bad\.json.*\/peripherals\/2/);
      b.peripherals[2] = { type: 'multiplier', base: '0x0130', widht: 16 };
      writeFileSync(f, JSON.stringify(b));
      expect(() => loadBoard(f)).toThrow(/bad\.json.*\/peripherals\/2/);
      b.peripherals[2] = { type: 'dma', base: '0x0130' };
      writeFileSync(f, JSON.stringify(b));
      expect(() => loadBoard(f)).toThrow(/bad\.json.*\/peripherals\/2\/type/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
