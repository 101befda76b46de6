// The openMSP430 serial debug interface protocol, driven byte by byte as a flasher would: identify the core, flash
// a program through a burst write, reset, run to a hardware breakpoint, single-step, read registers in a burst,
// and stop at a software breakpoint.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { DebugUart } from '../../toolchain/emulator/debug-uart.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { link } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';

const WR = 0x80, BW = 0x40;
const CPU_ID_LO = 0, CPU_ID_HI = 1, CPU_CTL = 2, CPU_STAT = 3, MEM_CTL = 4, MEM_ADDR = 5, MEM_DATA = 6, MEM_CNT = 7;
const BRK0_CTL = 8, BRK0_ADDR0 = 0x0a;

function host(d: DebugUart) {
  let got: number[] = [];
  d.onSend = (b) => got.push(...b);
  const write = (reg: number, v: number, byte = false) => d.receive(byte ? [WR | BW | reg, v] : [WR | reg, v & 0xff, v >> 8]);
  const read = (reg: number, byte = false): number => {
    got = [];
    d.receive([(byte ? BW : 0) | reg]);
    return byte ? got[0]! : got[0]! | (got[1]! << 8);
  };
  const readBurst = (): number[] => {
    const words: number[] = [];
    for (let i = 0; i < got.length; i += 2) words.push(got[i]! | (got[i + 1]! << 8));
    got = [];
    return words;
  };
  return { write, read, readBurst, clear: () => (got = []) };
}

describe('openMSP430 serial debug interface', () => {
  it('identify, flash by burst, reset, run to a hardware breakpoint, step, read registers, software breakpoint', () => {
    const board = loadBoard('openmsp430');
    const img = link([assemble('start:\n  mov #0x5a80, &0x0120\n  mov #7, r5\nbrk:\n  inc r5\n  inc r5\n  .word 0x4343\n  mov #0x99, r6\nhalt: jmp halt\n', 'f.s')], { board });
    const text = img.sections.find((s) => s.name === '.text')!;
    const brk = img.symbols.find((s) => s.name === 'brk')!.address;
    const m = new Machine(board); // empty memories: the debug interface flashes them
    const d = new DebugUart(m);
    const h = host(d);
    expect([h.read(CPU_ID_LO), h.read(CPU_ID_HI)]).toEqual([0x0203, 0x1011]);
    expect(h.read(CPU_STAT) & 1).toBe(1); // halted
    // burst write of the program (program memory is writable from the debug unit) and the reset vector
    const words = Array.from({ length: text.bytes.length / 2 }, (_, i) => text.bytes[2 * i]! | (text.bytes[2 * i + 1]! << 8));
    h.write(MEM_ADDR, text.address);
    h.write(MEM_CNT, words.length - 1);
    h.write(MEM_CTL, 0x03); // START | WRITE, word
    d.receive(words.flatMap((w) => [w & 0xff, w >> 8]));
    h.write(MEM_ADDR, 0xfffe);
    h.write(MEM_DATA, text.address);
    h.write(MEM_CTL, 0x03);
    // read back one word
    h.write(MEM_ADDR, text.address + 2);
    h.write(MEM_CTL, 0x01);
    expect(h.read(MEM_DATA)).toBe(words[1]);
    // reset, then a hardware breakpoint on instruction fetch at `brk`
    h.write(CPU_CTL, 0x40 | 0x01, true); // CPU_RST | HALT
    h.write(BRK0_ADDR0, brk);
    h.write(BRK0_CTL, 0x0c, true); // INST_EN | BREAK_EN
    h.write(CPU_CTL, 0x02, true); // RUN
    d.run(10_000);
    expect(d.isHalted).toBe(true);
    expect(m.r[0]).toBe(brk);
    expect(h.read(CPU_STAT) & 0x11).toBe(0x11); // halted, BRK0 pending
    h.write(CPU_CTL, 0x04, true); // ISTEP
    // all registers in one burst read
    h.clear();
    h.write(MEM_ADDR, 0);
    h.write(MEM_CNT, 15);
    h.write(MEM_CTL, 0x05); // START | REG
    const regs = h.readBurst();
    expect(regs.length).toBe(16);
    expect(regs[0]).toBe(brk + 2);
    expect(regs[5]).toBe(8);
    // software breakpoint: 0x4343 stops the run when SW_BRK_EN is set
    h.write(BRK0_CTL, 0, true);
    h.write(CPU_CTL, 0x08 | 0x02, true); // SW_BRK_EN | RUN
    d.run(10_000);
    expect(d.isHalted).toBe(true);
    expect(m.r[5]).toBe(9);
    expect(m.r[6]).toBe(0);
    expect(h.read(CPU_STAT) & 0x08).toBe(0x08);
  });
});
