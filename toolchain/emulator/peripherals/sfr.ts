// Special function registers of the openMSP430 (omsp_sfr.v; research/openmsp430.md §1): IE1 (WDTIE bit 0,
// NMIIE bit 4), IFG1 (WDTIFG bit 0, NMIIFG bit 4), CPU_ID_LO/HI, CPU_NR. WDTIFG/WDTIE belong to the watchdog.
// On boards with a Basic Timer1, IE2 (0x0001) and IFG2 (0x0003) hold its BTIE/BTIFG in bit 7, as on the MSP430x4xx
// (family guide SLAU056, "Special Function Registers"); without one the high bytes read 0 and ignore writes.
import type { Device, DeviceHost } from '../device.ts';
import type { Watchdog } from './watchdog.ts';
import { laneRead } from './registers.ts';

/** The NMI is vector 0xFFFC (line 14), above every maskable interrupt and not masked by GIE. */
export const NMI_LINE = 14;

export interface SfrOptions {
  base: number;
  cpuId: number;
  cpuNr: number;
}

export class Sfr implements Device {
  readonly name = 'sfr';
  readonly addresses: number[];
  private nmiie = false;
  private nmiifg = false;

  constructor(
    private readonly host: DeviceHost,
    private readonly opts: SfrOptions,
    private readonly watchdog: Watchdog | undefined,
    /** The owner of IE2.7/IFG2.7 (Basic Timer1), if the board has one. */
    private readonly ie2: { readonly ie: boolean; setIe(v: boolean, now: number): void; ifgAt(now: number): boolean; setIfg(v: boolean, now: number): void } | undefined = undefined,
  ) {
    this.addresses = Array.from({ length: 10 }, (_, i) => opts.base + i);
  }

  reset(): void {
    this.nmiie = false;
  }

  private word(off: number, now: number): number {
    switch (off) {
      case 0:
        return (this.watchdog?.ie ? 1 : 0) | (this.nmiie ? 0x10 : 0) | (this.ie2?.ie ? 0x8000 : 0);
      case 2:
        return (this.watchdog?.ifg ? 1 : 0) | (this.nmiifg ? 0x10 : 0) | (this.ie2?.ifgAt(now) ? 0x8000 : 0);
      case 4:
        return this.opts.cpuId & 0xffff;
      case 6:
        return (this.opts.cpuId >>> 16) & 0xffff;
      default:
        return this.opts.cpuNr & 0xffff;
    }
  }

  read(addr: number, byte: boolean, now: number): number {
    return laneRead(this.word((addr - this.opts.base) & 0xe, now), addr, byte);
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    const off = addr - this.opts.base;
    // IE1/IFG1 are 8-bit registers in the low byte; the high byte is IE2/IFG2 (only bit 7, Basic Timer1, exists).
    if (off < 4 && this.ie2 && (!byte || off & 1)) {
      const hi = byte ? value & 0xff : (value >> 8) & 0xff;
      if ((off & 0xe) === 0) this.ie2.setIe((hi & 0x80) !== 0, now);
      else this.ie2.setIfg((hi & 0x80) !== 0, now);
    }
    if (byte && off & 1) {
      this.host.changed();
      return;
    }
    if ((off & 0xe) === 0) {
      if (this.watchdog) this.watchdog.ie = (value & 1) !== 0;
      this.nmiie = (value & 0x10) !== 0;
    } else if ((off & 0xe) === 2) {
      if (this.watchdog) this.watchdog.ifg = (value & 1) !== 0;
      this.nmiifg = (value & 0x10) !== 0;
    }
    this.host.changed();
  }

  nextEvent(): number {
    return Infinity;
  }

  advance(): void {}

  /** The NMI pin's active edge (the edge select of WDTNMIES is not modelled): sets NMIIFG. */
  nmi(): void {
    this.nmiifg = true;
    this.host.changed();
  }

  irq(): number {
    return this.nmiifg && this.nmiie ? 1 << NMI_LINE : 0;
  }

  acknowledge(line: number): void {
    // accepting the NMI clears NMIIE (family guide 2.2.1: the enable is reset so a bouncing pin cannot nest)
    if (line === NMI_LINE) {
      this.nmiie = false;
      this.nmiifg = false;
      this.host.changed();
    }
  }
}
