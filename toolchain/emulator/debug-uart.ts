// The openMSP430 serial debug interface (omsp_dbg.v + omsp_dbg_uart.v; doc "Serial Debug Interface"), so one flasher
// talks to the emulator and to a real FPGA board. Frames: a command byte [WR | BW | ADDR(6)], then for a write the
// data (1 byte with BW, else 2, LSB first); a read answers with the data the same way. Registers: CPU_ID_LO/HI,
// CPU_CTL (HALT, RUN, ISTEP, SW_BRK_EN, FRZ_BRK_EN, RST_BRK_EN, CPU_RST), CPU_STAT, MEM_CTL (START, RW, MEM/REG,
// B/W), MEM_ADDR, MEM_DATA, MEM_CNT (bursts), BRKn_CTL/STAT/ADDR0/ADDR1 (instruction breakpoints), CPU_NR.
// The line's bit timing is not modelled: a command acts at the CPU's next instruction boundary.
import type { Machine } from './machine.ts';

const CPU_ID_LO = 0x00, CPU_ID_HI = 0x01, CPU_CTL = 0x02, CPU_STAT = 0x03, MEM_CTL = 0x04, MEM_ADDR = 0x05;
const MEM_DATA = 0x06, MEM_CNT = 0x07, CPU_NR = 0x18;
const HALT = 0x01, RUN = 0x02, ISTEP = 0x04, SW_BRK_EN = 0x08, CPU_RST = 0x40;
const START = 0x01, WRITE = 0x02, REG = 0x04, BYTE = 0x08;
/** BRKn_CTL: BREAK_EN (bit 2) and INST_EN (bit 3): stop when an instruction is fetched from ADDR0 (or ADDR1). */
const BRK_BREAK_EN = 0x04, BRK_INST_EN = 0x08;
/** The software breakpoint instruction the debug unit traps when SW_BRK_EN is set (DBG_SWBRK_OP). */
export const SWBRK_OP = 0x4343;

export class DebugUart {
  /** Bytes the interface sends back to the host. */
  onSend: (bytes: number[]) => void = () => {};
  private rx: number[] = [];
  private ctl = 0;
  private halted = true;
  private stat = 0;
  private memCtl = 0;
  private memAddr = 0;
  private memData = 0;
  private memCnt = 0;
  /** A burst in progress: remaining transfers and their direction/width. */
  private burst: { left: number; write: boolean; byte: boolean; reg: boolean } | undefined;
  private readonly brk = Array.from({ length: 4 }, () => ({ ctl: 0, stat: 0, addr0: 0, addr1: 0 }));

  constructor(private readonly m: Machine, cpuNr = 0) {
    this.cpuNr = cpuNr;
    // the reset state holds the CPU (CPU_CTL resets with RST_BRK_EN | FRZ_BRK_EN when the debug unit is enabled)
    this.ctl = 0x30;
  }

  private readonly cpuNr: number;

  /** True while the debugger holds the CPU. */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Host → interface bytes. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
    this.process();
  }

  private process(): void {
    for (;;) {
      if (this.burst) {
        const n = this.burst.byte ? 1 : 2;
        if (!this.burst.write) {
          this.burstRead();
          continue;
        }
        if (this.rx.length < n) return;
        const v = n === 1 ? this.rx.shift()! : this.rx.shift()! | (this.rx.shift()! << 8);
        this.access(true, this.burst.byte, this.burst.reg, v);
        this.stepBurst();
        continue;
      }
      if (this.rx.length === 0) return;
      const cmd = this.rx[0]!;
      const wr = (cmd & 0x80) !== 0;
      const bw = (cmd & 0x40) !== 0;
      const addr = cmd & 0x3f;
      if (!wr) {
        this.rx.shift();
        const v = this.readReg(addr);
        this.onSend(bw ? [v & 0xff] : [v & 0xff, (v >> 8) & 0xff]);
        continue;
      }
      const n = bw ? 1 : 2;
      if (this.rx.length < 1 + n) return;
      this.rx.shift();
      const v = n === 1 ? this.rx.shift()! : this.rx.shift()! | (this.rx.shift()! << 8);
      this.writeReg(addr, v);
    }
  }

  private burstRead(): void {
    const b = this.burst!;
    const v = this.access(false, b.byte, b.reg, 0);
    this.onSend(b.byte ? [v & 0xff] : [v & 0xff, (v >> 8) & 0xff]);
    this.stepBurst();
  }

  private stepBurst(): void {
    const b = this.burst!;
    this.memAddr = (this.memAddr + (b.reg || b.byte ? 1 : 2)) & 0xffff;
    b.left--;
    this.memCnt = b.left;
    if (b.left <= 0) this.burst = undefined;
  }

  private readReg(addr: number): number {
    const id = this.m.board.cpu.cpu_id ?? 0;
    switch (addr) {
      case CPU_ID_LO:
        return id & 0xffff;
      case CPU_ID_HI:
        return (id >>> 16) & 0xffff;
      case CPU_CTL:
        return this.ctl & 0x78;
      case CPU_STAT:
        return this.stat | (this.halted ? 1 : 0) | this.brk.reduce((a, k, i) => a | (k.stat ? 0x10 << i : 0), 0);
      case MEM_CTL:
        return this.memCtl & 0x0e;
      case MEM_ADDR:
        return this.memAddr;
      case MEM_DATA:
        return this.memData;
      case MEM_CNT:
        return this.memCnt;
      case CPU_NR:
        return this.cpuNr;
      default: {
        const n = (addr - 0x08) >> 2;
        const k = this.brk[n];
        if (!k || addr < 0x08 || addr > 0x17) return 0;
        return [k.ctl, k.stat, k.addr0, k.addr1][(addr - 0x08) & 3]!;
      }
    }
  }

  private writeReg(addr: number, v: number): void {
    switch (addr) {
      case CPU_CTL:
        this.ctl = v & 0x78;
        if (v & CPU_RST) {
          this.m.reset();
          this.stat |= 0x04; // PUC_PND
        }
        if (v & HALT) this.halted = true;
        if (v & RUN) this.halted = false;
        this.m.setSoftwareBreakpoint(v & SW_BRK_EN ? SWBRK_OP : undefined);
        if (v & ISTEP && this.halted) this.m.step();
        this.syncBreakpoints();
        return;
      case CPU_STAT:
        this.stat &= ~(v & 0x0c);
        this.brk.forEach((k, i) => {
          if (v & (0x10 << i)) k.stat = 0;
        });
        return;
      case MEM_CTL:
        this.memCtl = v & 0x0e;
        if (v & START) {
          const write = (v & WRITE) !== 0;
          const byte = (v & BYTE) !== 0;
          const reg = (v & REG) !== 0;
          if (this.memCnt === 0) {
            const r = this.access(write, byte, reg, this.memData);
            if (!write) this.memData = r;
          } else this.burst = { left: this.memCnt + 1, write, byte, reg };
        }
        return;
      case MEM_ADDR:
        this.memAddr = v & 0xffff;
        return;
      case MEM_DATA:
        this.memData = v & 0xffff;
        return;
      case MEM_CNT:
        this.memCnt = v & 0xffff;
        return;
      default: {
        if (addr < 0x08 || addr > 0x17) return;
        const k = this.brk[(addr - 0x08) >> 2]!;
        const field = (addr - 0x08) & 3;
        if (field === 0) k.ctl = v & 0x1f;
        else if (field === 1) k.stat &= ~v;
        else if (field === 2) k.addr0 = v & 0xffff;
        else k.addr1 = v & 0xffff;
        this.syncBreakpoints();
      }
    }
  }

  /** One memory or register access (the debug unit may write program memory; CPU registers by number). */
  private access(write: boolean, byte: boolean, reg: boolean, v: number): number {
    const m = this.m;
    const a = this.memAddr;
    if (reg) {
      if (write) m.r[a & 15] = v;
      return m.r[a & 15]!;
    }
    if (write) {
      m.bus.poke(byte ? a : a & 0xfffe, v & 0xff);
      if (!byte) m.bus.poke((a & 0xfffe) + 1, (v >> 8) & 0xff);
      return v;
    }
    return byte ? m.bus.mem[a]! : m.bus.peekWord(a);
  }

  private readonly installed = new Set<number>();

  private syncBreakpoints(): void {
    for (const a of this.installed) this.m.clearBreakpoint(a);
    this.installed.clear();
    for (const k of this.brk) {
      if ((k.ctl & (BRK_BREAK_EN | BRK_INST_EN)) === (BRK_BREAK_EN | BRK_INST_EN)) {
        for (const a of [k.addr0, k.addr1]) {
          this.m.setBreakpoint(a);
          this.installed.add(a);
        }
      }
    }
  }

  /** Runs the CPU while the debugger lets it (RUN), up to `maxCycles`; stops at hardware or software breakpoints. */
  run(maxCycles: number): void {
    if (this.halted) return;
    const res = this.m.run({ maxCycles });
    if (res.stop === 'breakpoint') {
      this.halted = true;
      this.brk.forEach((k) => {
        if ((k.ctl & BRK_INST_EN) && (res.pc === k.addr0 || res.pc === k.addr1)) k.stat |= 0x01;
      });
      if (this.ctl & SW_BRK_EN && this.m.bus.peekWord(res.pc) === SWBRK_OP) this.stat |= 0x08; // SWBRK_PND
    } else if (res.stop === 'sleep') {
      // Asleep with no device event due: the CPU is still running (an interrupt from outside — a byte on a UART —
      // wakes it), so time passes up to the bound as on the device.
      if (this.m.cycle < maxCycles && Number.isFinite(maxCycles)) this.m.cycle = maxCycles;
    } else if (res.stop !== 'max-cycles') this.halted = true;
  }
}
