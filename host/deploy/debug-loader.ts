// Loading and enabling modules through the openMSP430 serial debug interface (omsp_dbg.v protocol: command byte
// [WR | BW | reg], LSB-first data; MEM_CTL/MEM_ADDR/MEM_CNT bursts; CPU_CTL halt/run/reset; BRK0 instruction
// breakpoint), the way a loader reaches a real FPGA board. The port here is the emulator's DebugUart
// (toolchain/emulator/debug-uart.ts); a serial-line port for a board would implement the same two calls.
import { OperationError } from '../../toolchain/common/errors.ts';
import { DebugUart } from '../../toolchain/emulator/debug-uart.ts';
import type { Machine } from '../../toolchain/emulator/machine.ts';
import type { Image } from '../../toolchain/link/image.ts';

/** A byte link to a debug interface: send bytes (returns the bytes it answered) and let the CPU run until it halts. */
export interface DebugPort {
  exchange(bytes: number[]): number[];
  waitHalted(): void;
}

const WR = 0x80, BW = 0x40;
const CPU_ID_LO = 0x00, CPU_CTL = 0x02, CPU_STAT = 0x03, MEM_CTL = 0x04, MEM_ADDR = 0x05, MEM_DATA = 0x06, MEM_CNT = 0x07;
const BRK0_CTL = 0x08, BRK0_STAT = 0x09, BRK0_ADDR0 = 0x0a;
const CTL_HALT = 0x01, CTL_RUN = 0x02, CTL_RST = 0x40;
const MEM_START = 0x01, MEM_WRITE = 0x02, MEM_REG = 0x04;
const BRK_INST = 0x0c; // INST_EN | BREAK_EN

/** The emulator's debug interface as a port; `budget` bounds each run in CPU cycles. */
export function emulatorDebugPort(m: Machine, budget = 5_000_000): DebugPort {
  const d = new DebugUart(m);
  let got: number[] = [];
  d.onSend = (b) => got.push(...b);
  return {
    exchange(bytes) {
      got = [];
      d.receive(bytes);
      return got;
    },
    waitHalted() {
      d.run(m.cycle + budget);
      if (!d.isHalted) throw new OperationError(`debug interface: the CPU did not stop within ${budget} cycles`);
    },
  };
}

export class DebugLoader {
  constructor(private readonly port: DebugPort) {}

  private write(reg: number, v: number, byte = false): void {
    this.port.exchange(byte ? [WR | BW | reg, v & 0xff] : [WR | reg, v & 0xff, (v >> 8) & 0xff]);
  }

  private read(reg: number): number {
    const r = this.port.exchange([reg]);
    if (r.length !== 2) throw new OperationError(`debug interface: register ${reg} answered ${r.length} bytes`);
    return r[0]! | (r[1]! << 8);
  }

  cpuId(): number {
    return this.read(CPU_ID_LO);
  }

  halted(): boolean {
    return (this.read(CPU_STAT) & 1) === 1;
  }

  /** Words from `addr` (even) in one burst; an odd tail byte goes as a word with the byte after it kept. */
  writeMemory(addr: number, bytes: Uint8Array): void {
    if (addr & 1) throw new OperationError(`debug loader: segment at odd address 0x${addr.toString(16)}`);
    const n = Math.ceil(bytes.length / 2);
    if (n === 0) return;
    const words: number[] = [];
    for (let i = 0; i < n; i++) {
      const lo = bytes[2 * i]!;
      const hi = 2 * i + 1 < bytes.length ? bytes[2 * i + 1]! : this.readWord(addr + 2 * i) >> 8;
      words.push(lo | (hi << 8));
    }
    this.write(MEM_ADDR, addr);
    this.write(MEM_CNT, n - 1);
    if (n === 1) this.write(MEM_DATA, words[0]!);
    this.write(MEM_CTL, MEM_START | MEM_WRITE);
    if (n > 1) this.port.exchange(words.flatMap((w) => [w & 0xff, w >> 8]));
  }

  readWord(addr: number): number {
    this.write(MEM_ADDR, addr & 0xfffe);
    this.write(MEM_CNT, 0);
    this.write(MEM_CTL, MEM_START);
    return this.read(MEM_DATA);
  }

  setRegister(n: number, v: number): void {
    this.write(MEM_ADDR, n);
    this.write(MEM_CNT, 0);
    this.write(MEM_DATA, v);
    this.write(MEM_CTL, MEM_START | MEM_WRITE | MEM_REG);
  }

  registers(): number[] {
    this.write(MEM_ADDR, 0);
    this.write(MEM_CNT, 15);
    const b = this.port.exchange([WR | MEM_CTL, MEM_START | MEM_REG, 0]);
    if (b.length !== 32) throw new OperationError(`debug interface: register burst answered ${b.length} bytes`);
    return Array.from({ length: 16 }, (_, i) => b[2 * i]! | (b[2 * i + 1]! << 8));
  }

  /** Halts the CPU and writes every segment of the image (program memory included, as the debug unit may). */
  flash(image: Image): void {
    this.write(CPU_CTL, CTL_HALT, true);
    for (const s of image.segments) this.writeMemory(s.address, s.bytes);
  }

  /** Runs (after a reset when asked) until the instruction at `stopAt` is fetched; the CPU is halted there. */
  runUntil(stopAt: number, reset = false): void {
    if (reset) this.write(CPU_CTL, CTL_RST | CTL_HALT, true);
    this.write(BRK0_ADDR0, stopAt);
    this.write(BRK0_CTL, BRK_INST, true);
    this.write(CPU_CTL, CTL_RUN, true);
    this.port.waitHalted();
    const pc = this.registers()[0]!;
    this.write(BRK0_CTL, 0, true);
    this.write(BRK0_STAT, 0xff, true);
    if (pc !== stopAt) throw new OperationError(`debug loader: CPU stopped at 0x${pc.toString(16)}, expected 0x${stopAt.toString(16)}`);
  }

  /** Lets the halted CPU run on its own (no breakpoint): the node's software takes over. */
  release(): void {
    this.write(CPU_CTL, CTL_RUN, true);
  }

  /** Sets registers, runs from `pc` to `stopAt` and returns the registers there. */
  runRoutine(pc: number, regs: Record<number, number>, stopAt: number): number[] {
    for (const [n, v] of Object.entries(regs)) this.setRegister(Number(n), v);
    this.setRegister(0, pc);
    this.runUntil(stopAt);
    return this.registers();
  }
}
