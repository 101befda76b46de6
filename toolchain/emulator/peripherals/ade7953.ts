// Metrology front end: the Analog Devices ADE7953 single-phase energy metering IC (register map and bits as in the
// ADE7953 data sheet and Analog Devices' no-OS driver drivers/meter/ade7953; research/meter.md), on current channel A,
// behind a four-register window on the MSP430's peripheral bus (the chip speaks SPI/I2C/UART; this board bridges it):
//
//   base+0 MTR_ADDR     chip register address; its range sets the width as on the chip: 0x000–0x0FF and
//                       0x700–0x8FF 8-bit, 0x100–0x1FF 16-bit, 0x200–0x2FF 24-bit, 0x300–0x3FF 32-bit
//   base+2 MTR_DATA_LO  bits 15..0 of the value read or to write
//   base+4 MTR_DATA_HI  bits 31..16 (24-bit registers: bits 23..16, zero-extended; the 32-bit addresses of
//                       signed 24-bit registers give them sign-extended, as the chip does)
//   base+6 MTR_CMD      write 1: read the register at MTR_ADDR into DATA; write 2: write DATA to it. Reads give
//                       MTR_STATUS: bit 0 ERR — the last command named no register, wrote a read-only or
//                       write-protected one. A command completes within the bus write.
//
// The chip is a separate IC: a PUC of the MSP430 resets only the window, not the chip (Device.powerOn does).
// Load and energy: the household draws a load profile (exact mWh per interval, ../load-profile.ts) or a constant
// power; current flows only while the supply relay's contacts are closed. Energy is kept as an exact rational in
// virtual time (BigInt), so the energy registers are exact: AENERGYA counts floor(E · lsb_per_wh) LSBs of the energy E
// (Wh) fed since power-on, read-with-reset (LCYCMODE.RSTREAD, bit 6, default 1) handing out consecutive slices of it.
// The board's calibration fixes the scales (the chip's gain registers are stored, not applied):
//   AENERGYA/APENERGYA: 1/lsb_per_wh Wh;  AWATT/AVA: 10 mW;  IRMSA: 1 mA;  VRMS: 1 mV;  IA, V: instantaneous mA, mV.
// The load is resistive (power factor 1): AVA = AWATT, APENERGYA counts like AENERGYA, AVAR = RENERGYA = 0; channel B
// has no current transformer (its registers read 0).
// Interrupts (IRQ pin, active low, while IRQSTATA & IRQENA or IRQSTATB & IRQENB is non-zero): RESET (bit 20, at power-up
// and after CONFIG.SWRST; enabled by default), AEHFA/VAEHFA (bits 0/2: the energy register reaches half full,
// 0x400000) and AEOFA/VAEOFA (bits 3/5: it overflows past 0x7FFFFF). CF1 (active low): one pulse per CF1DEN LSBs of
// active energy when CFMODE.CF1DIS (bit 8) is clear and CF1SEL = 0 (active power A); 80 ms low, or half the period
// when pulses come faster than every 160 ms. Not modelled (a write selecting them stops the run with
// "not implemented"): line-cycle accumulation (LCYCMODE bits 5..0), CF1 on other quantities; not readable: CRC, Version.
// Zero-crossing, sag, peak-level, no-load and sign interrupts never fire (a steady resistive load at nominal voltage).
import type { PeripheralConfig } from '../../../boards/board.ts';
import { OperationError } from '../../common/errors.ts';
import type { Device, DeviceHost } from '../device.ts';
import { checkInterval, type LoadProfile } from '../load-profile.ts';
import type { Gpio } from './gpio.ts';
import { optNumber } from './registers.ts';

export const MTR_ADDR = 0;
export const MTR_DATA_LO = 2;
export const MTR_DATA_HI = 4;
export const MTR_CMD = 6;
export const CMD_READ = 1;
export const CMD_WRITE = 2;

// Register addresses (8/16-bit: full address; 24/32-bit: the low byte, at 0x2xx and 0x3xx).
export const REG = {
  SAGCYC: 0x000, DISNOLOAD: 0x001, LCYCMODE: 0x004, PGA_V: 0x007, PGA_IA: 0x008, PGA_IB: 0x009, WRITE_PROTECT: 0x040,
  LAST_OP: 0x0fd, UNLOCK: 0x0fe, LAST_RWDATA8: 0x0ff, VERSION: 0x702, EX_REF: 0x800,
  ZXTOUT: 0x100, LINECYC: 0x101, CONFIG: 0x102, CF1DEN: 0x103, CF2DEN: 0x104, CFMODE: 0x107, PHCALA: 0x108,
  PHCALB: 0x109, PFA: 0x10a, PFB: 0x10b, ANGLE_A: 0x10c, ANGLE_B: 0x10d, PERIOD: 0x10e, ALT_OUTPUT: 0x110,
  RESERVED_120: 0x120, LAST_ADD: 0x1fe, LAST_RWDATA16: 0x1ff,
  // 24/32-bit, low byte
  SAGLVL: 0x00, ACCMODE: 0x01, AP_NOLOAD: 0x03, VAR_NOLOAD: 0x04, VA_NOLOAD: 0x05, AVA: 0x10, BVA: 0x11, AWATT: 0x12,
  BWATT: 0x13, AVAR: 0x14, BVAR: 0x15, IA: 0x16, IB: 0x17, V: 0x18, IRMSA: 0x1a, IRMSB: 0x1b, VRMS: 0x1c,
  AENERGYA: 0x1e, AENERGYB: 0x1f, RENERGYA: 0x20, RENERGYB: 0x21, APENERGYA: 0x22, APENERGYB: 0x23, OVLVL: 0x24,
  OILVL: 0x25, VPEAK: 0x26, RSTVPEAK: 0x27, IAPEAK: 0x28, RSTIAPEAK: 0x29, IBPEAK: 0x2a, RSTIBPEAK: 0x2b,
  IRQENA: 0x2c, IRQSTATA: 0x2d, RSTIRQSTATA: 0x2e, IRQENB: 0x2f, IRQSTATB: 0x30, RSTIRQSTATB: 0x31, CRC: 0x7f,
  LAST_RWDATA24: 0xff,
} as const;

export const IRQ = { AEHFA: 1 << 0, VAEHFA: 1 << 2, AEOFA: 1 << 3, VAEOFA: 1 << 5, RESET: 1 << 20 } as const;
const RSTREAD = 0x40;
const CF1DIS = 0x100;
const SWRST = 0x80;
/** LAST_OP codes (data sheet: 0x35 read, 0xCA write). */
const OP_READ = 0x35;
const OP_WRITE = 0xca;

/** Power-on values of the writable registers (key: 8/16-bit address, or 0x200 | low byte for 24/32-bit). */
const DEFAULTS: [number, number][] = [
  [REG.SAGCYC, 0], [REG.DISNOLOAD, 0], [REG.LCYCMODE, 0x40], [REG.PGA_V, 0], [REG.PGA_IA, 0], [REG.PGA_IB, 0],
  [REG.WRITE_PROTECT, 0], [REG.UNLOCK, 0], [REG.EX_REF, 0], [REG.ZXTOUT, 0xffff], [REG.LINECYC, 0], [REG.CONFIG, 0x8004],
  [REG.CF1DEN, 0x3f], [REG.CF2DEN, 0x3f], [REG.CFMODE, 0x300], [REG.PHCALA, 0], [REG.PHCALB, 0], [REG.ALT_OUTPUT, 0],
  [REG.RESERVED_120, 0],
  [0x200 | REG.SAGLVL, 0], [0x200 | REG.ACCMODE, 0], [0x200 | REG.AP_NOLOAD, 0xe419], [0x200 | REG.VAR_NOLOAD, 0xe419],
  [0x200 | REG.VA_NOLOAD, 0], [0x200 | REG.OVLVL, 0xffffff], [0x200 | REG.OILVL, 0xffffff], [0x200 | REG.IRQENA, 0x100000],
  [0x200 | REG.IRQENB, 0],
  // gains (AIGAIN…AVAGAIN 0x280–0x284, BIGAIN…BVAGAIN 0x28C–0x290) and offsets (0x285–0x28B, 0x291–0x297)
  ...Array.from({ length: 0x18 }, (_, i): [number, number] => [0x280 + i, (i <= 4 || (i >= 0xc && i <= 0x10)) ? 0x400000 : 0]),
];

export interface Ade7953Options {
  base: number;
  irqPin: [number, number] | undefined;
  cf1Pin: [number, number] | undefined;
  lsbPerWh: number;
  vrmsV: number;
  lineHz: number;
  clockHz: number;
}

export function ade7953Options(cfg: PeripheralConfig, clockHz: number, gpio: Gpio | undefined): Ade7953Options {
  const pin = (k: string) => {
    const s = cfg[k] as string | undefined;
    if (s === undefined) return undefined;
    if (!gpio) throw new OperationError(`ade7953 '${cfg.name ?? 'ade7953'}': ${k} needs the board's gpio`);
    return gpio.pin(s, `ade7953 ${k}`);
  };
  return {
    base: cfg.base,
    irqPin: pin('irq_pin'),
    cf1Pin: pin('cf1_pin'),
    lsbPerWh: optNumber(cfg, 'lsb_per_wh', 1000),
    vrmsV: optNumber(cfg, 'vrms_v', 230),
    lineHz: optNumber(cfg, 'line_hz', 50),
    clockHz,
  };
}

/** One energy accumulation register (AENERGYA or APENERGYA): its origin and its half-full/overflow flags. */
interface EnergyRegister {
  base: bigint;
  half: number;
  overflow: number;
}

const HALF = 1n << 22n;
const WRAP = 1n << 24n;

export class Ade7953 implements Device {
  readonly name: string;
  readonly addresses: number[];
  // the window
  private addr = 0;
  private dataLo = 0;
  private dataHi = 0;
  private err = false;
  // the chip
  private readonly regs = new Map<number, number>();
  private statA = 0;
  private statB = 0;
  private lastOp = 0;
  private lastAdd = 0;
  private lastData = [0, 0, 0];
  private peakIa = 0;
  // energy, in units of 1/H mWh (H = cycles per hour), so that a power in mW is a rate per cycle
  private readonly H: bigint;
  private readonly Q: bigint; // acc units per LSB × lsb_per_wh: lsb = acc · L / Q
  private readonly L: bigint;
  private acc = 0n;
  private bypassAcc = 0n;
  private tAcc = 0;
  /** The household's demand now (mW, exact rational numerator per cycle) and the bypass load (mW). */
  private demand = 0n;
  private bypassMw = 0n;
  private contacts = true;
  /** Set when the board routes the load through a relay (index.ts): the contacts are open at power-on. */
  throughRelay = false;
  private readonly energy: EnergyRegister[] = [
    { base: 0n, half: IRQ.AEHFA, overflow: IRQ.AEOFA },
    { base: 0n, half: IRQ.VAEHFA, overflow: IRQ.VAEOFA },
  ];
  /** LSB count of the last CF1 pulse (pulses come at cfBase + k·CF1DEN). */
  private cfBase = 0n;
  private cfLowUntil = Infinity;
  private cfLow = false;
  // the load profile
  private profile: LoadProfile | undefined;
  private profileStart = 0;
  private profileCycles = 0;
  private boundary = Infinity;
  private next = Infinity;

  constructor(
    private readonly host: DeviceHost,
    private readonly gpio: Gpio | undefined,
    readonly opts: Ade7953Options,
    name = 'ade7953',
  ) {
    this.name = name;
    this.addresses = Array.from({ length: 8 }, (_, i) => opts.base + i);
    this.H = BigInt(opts.clockHz) * 3600n;
    this.L = BigInt(opts.lsbPerWh);
    this.Q = 1000n * this.H;
  }

  // ---- Device ------------------------------------------------------------------------------------------------
  reset(): void {
    // PUC of the MSP430: only the bus window; the chip runs on.
    this.addr = this.dataLo = this.dataHi = 0;
    this.err = false;
  }

  powerOn(): void {
    this.acc = this.bypassAcc = 0n;
    this.tAcc = this.host.now;
    this.contacts = !this.throughRelay;
    this.chipReset();
    this.statA = IRQ.RESET;
    if (this.profile) this.setProfile(this.profile, 0);
    if (this.opts.cf1Pin) this.gpio!.preset(this.opts.cf1Pin[0], this.opts.cf1Pin[1], true);
    if (this.opts.irqPin) this.gpio!.preset(this.opts.irqPin[0], this.opts.irqPin[1], !this.irqActive());
    this.schedule();
  }

  /** Power-on register values (also CONFIG.SWRST): energy registers restart from the present accumulation. */
  private chipReset(): void {
    this.regs.clear();
    for (const [k, v] of DEFAULTS) this.regs.set(k, v);
    this.statA = IRQ.RESET;
    this.statB = 0;
    this.lastOp = this.lastAdd = 0;
    this.lastData = [0, 0, 0];
    const lsb = this.lsb();
    for (const e of this.energy) e.base = lsb;
    this.cfBase = lsb;
    this.cfLow = false;
    this.cfLowUntil = Infinity;
    this.peakIa = this.irmsMa() * Math.SQRT2;
  }

  read(addr: number, byte: boolean): number {
    const off = (addr - this.opts.base) & 6;
    const v = off === MTR_ADDR ? this.addr : off === MTR_DATA_LO ? this.dataLo : off === MTR_DATA_HI ? this.dataHi : this.err ? 1 : 0;
    if (!byte) return v;
    return addr & 1 ? v >> 8 : v & 0xff;
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    const off = (addr - this.opts.base) & 6;
    const cur = off === MTR_ADDR ? this.addr : off === MTR_DATA_LO ? this.dataLo : off === MTR_DATA_HI ? this.dataHi : 0;
    const v = !byte ? value & 0xffff : addr & 1 ? (cur & 0xff) | ((value & 0xff) << 8) : (cur & 0xff00) | (value & 0xff);
    if (off === MTR_ADDR) this.addr = v & 0xfff;
    else if (off === MTR_DATA_LO) this.dataLo = v;
    else if (off === MTR_DATA_HI) this.dataHi = v;
    else if ((v & 3) === CMD_READ || (v & 3) === CMD_WRITE) {
      this.settle(now);
      if ((v & 3) === CMD_READ) this.chipRead(now);
      else this.chipWrite(now);
      this.schedule();
      this.host.changed();
    }
  }

  nextEvent(): number {
    return this.next;
  }

  advance(now: number): void {
    while (this.next <= now) {
      const t = this.next;
      this.settle(t);
      if (t >= this.boundary) this.enterInterval(t);
      if (t >= this.cfLowUntil) this.cfPin(false, t);
      const lsb = this.lsb();
      const den = this.cf1Den();
      if (den > 0n && lsb >= this.cfBase + den) {
        this.cfBase += ((lsb - this.cfBase) / den) * den;
        if (this.cfLow) this.cfPin(false, t);
        this.cfPin(true, t);
      }
      for (const e of this.energy) this.flagsFor(e, lsb);
      this.updateIrqPin();
      this.schedule();
    }
  }

  irq(): number {
    return 0; // the chip's IRQ and CF1 lines reach the CPU through GPIO pins
  }

  // ---- Scripting (tests, hasm meter run) ---------------------------------------------------------------------
  /** A constant household load from now on (W, resolution 1 mW); replaces a profile. */
  setLoad(watts: number): void {
    if (!(watts >= 0) || !Number.isFinite(watts)) throw new OperationError(`load must be a non-negative number of watts, got ${watts}`);
    this.settle(this.host.now);
    this.profile = undefined;
    this.boundary = Infinity;
    this.demand = BigInt(Math.round(watts * 1000));
    this.peak();
    this.schedule();
    this.host.changed();
  }

  /** Feeds a load profile from `startCycle` (default now): interval i spans [start + i·T, start + (i+1)·T). */
  setProfile(profile: LoadProfile, startCycle: number = this.host.now): void {
    checkInterval(profile.intervalSeconds);
    this.settle(this.host.now);
    this.profile = profile;
    this.profileStart = startCycle;
    this.profileCycles = profile.intervalSeconds * this.opts.clockHz;
    this.demand = 0n;
    this.boundary = startCycle;
    if (startCycle <= this.host.now) this.enterInterval(this.host.now);
    this.schedule();
    this.host.changed();
  }

  /** Load wired around the front end (and the relay): drawn from the supply, never measured (theft tests). */
  setBypass(watts: number): void {
    if (!(watts >= 0) || !Number.isFinite(watts)) throw new OperationError(`bypass load must be a non-negative number of watts, got ${watts}`);
    this.settle(this.host.now);
    this.bypassMw = BigInt(Math.round(watts * 1000));
  }

  /** The relay's contacts: current flows through the front end only while they are closed. */
  setSupply(closed: boolean, cycle: number = this.host.now): void {
    if (closed === this.contacts) return;
    this.settle(cycle);
    this.contacts = closed;
    this.peak();
    this.schedule();
    this.host.changed();
  }

  /** Energy that has passed through the front end since power-on, exactly: { mwhNum / mwhDen } mWh. */
  fed(): { num: bigint; den: bigint; wh: number } {
    this.settle(this.host.now);
    return { num: this.acc, den: this.H, wh: Number(this.acc) / Number(this.H) / 1000 };
  }

  /** The LSBs the chip has counted since power-on: floor(fed energy · lsb_per_wh). */
  lsbFed(): bigint {
    this.settle(this.host.now);
    return this.lsb();
  }

  /** Energy drawn around the front end (bypass), Wh. */
  bypassWh(): number {
    this.settle(this.host.now);
    return Number(this.bypassAcc) / Number(this.H) / 1000;
  }

  /** Power drawn through the front end now, W. */
  get powerW(): number {
    return Number(this.rate()) / 1000;
  }

  /** The IRQ output (active low) is asserted. */
  irqActive(): boolean {
    return ((this.statA & this.reg(0x200 | REG.IRQENA)) | (this.statB & this.reg(0x200 | REG.IRQENB))) !== 0;
  }

  // ---- Energy ------------------------------------------------------------------------------------------------
  private rate(): bigint {
    return this.contacts ? this.demand : 0n;
  }

  private settle(now: number): void {
    const dt = now - this.tAcc;
    if (dt <= 0) return;
    const d = BigInt(dt);
    this.acc += this.rate() * d;
    this.bypassAcc += this.bypassMw * d;
    this.tAcc = now;
  }

  private lsb(): bigint {
    return (this.acc * this.L) / this.Q;
  }

  /** First cycle at which the LSB count reaches `target` at the present rate (Infinity when it never does). */
  private when(target: bigint): number {
    const r = this.rate();
    const need = (target * this.Q + this.L - 1n) / this.L; // smallest acc with lsb ≥ target
    if (need <= this.acc) return this.tAcc;
    if (r === 0n) return Infinity;
    return this.tAcc + Number((need - this.acc + r - 1n) / r);
  }

  private enterInterval(t: number): void {
    const p = this.profile!;
    const i = Math.floor((t - this.profileStart) / this.profileCycles);
    if (i >= p.mwh.length) {
      this.demand = 0n;
      this.boundary = Infinity;
    } else {
      // E mWh over T s is a steady E·3600/T mW (exact: T divides 3600)
      this.demand = (p.mwh[i]! * 3600n) / BigInt(p.intervalSeconds);
      this.boundary = this.profileStart + (i + 1) * this.profileCycles;
    }
    this.peak();
  }

  private peak(): void {
    const ipk = this.irmsMa() * Math.SQRT2;
    if (ipk > this.peakIa) this.peakIa = ipk;
  }

  private irmsMa(): number {
    return Number(this.rate()) / this.opts.vrmsV;
  }

  private cf1Den(): bigint {
    if (this.reg(REG.CFMODE) & CF1DIS || !this.opts.cf1Pin) return 0n;
    return BigInt(this.reg(REG.CF1DEN) || 1);
  }

  private cfPin(low: boolean, t: number): void {
    this.cfLow = low;
    if (low) {
      // 80 ms low, or half the period when pulses come faster than every 160 ms (at the present rate)
      const r = this.rate();
      const clock = this.opts.clockHz;
      let width = Math.round(0.08 * clock);
      if (r > 0n) {
        const period = Number((this.cf1Den() * this.Q) / (this.L * r));
        if (period < 2 * width) width = Math.max(1, Math.floor(period / 2));
      }
      this.cfLowUntil = t + width;
    } else this.cfLowUntil = Infinity;
    const [port, pin] = this.opts.cf1Pin!;
    this.gpio!.setInput(port, pin, !low);
  }

  /** Sets the half-full and overflow flags the register's value has reached (24-bit two's complement). */
  private flagsFor(e: EnergyRegister, lsb: bigint): void {
    const v = lsb - e.base;
    const inWrap = v % WRAP;
    const laps = v / WRAP;
    if (laps > 0n || inWrap >= 2n * HALF) this.statA |= e.overflow;
    if (laps > 0n || inWrap >= HALF) this.statA |= e.half;
  }

  /** Next crossing of 0x400000 or 0x800000 by the register (in LSB count). */
  private nextFlagTarget(e: EnergyRegister, lsb: bigint): bigint {
    const v = lsb - e.base;
    const lap = (v / WRAP) * WRAP;
    const inWrap = v - lap;
    if (inWrap < HALF) return e.base + lap + HALF;
    if (inWrap < 2n * HALF) return e.base + lap + 2n * HALF;
    return e.base + lap + WRAP + HALF;
  }

  private schedule(): void {
    let next = Math.min(this.boundary, this.cfLowUntil);
    const lsb = this.lsb();
    const den = this.cf1Den();
    if (den > 0n) next = Math.min(next, this.when(this.cfBase + den));
    for (const e of this.energy) next = Math.min(next, this.when(this.nextFlagTarget(e, lsb)));
    this.next = next;
  }

  private updateIrqPin(): void {
    if (!this.opts.irqPin) return;
    const [port, pin] = this.opts.irqPin;
    this.gpio!.setInput(port, pin, !this.irqActive());
  }

  // ---- Registers ---------------------------------------------------------------------------------------------
  private reg(key: number): number {
    return this.regs.get(key) ?? 0;
  }

  /** Width in bits of the register at a chip address, and its key. */
  private static widthOf(a: number): { bits: number; key: number } {
    if (a < 0x100 || a >= 0x700) return { bits: 8, key: a };
    if (a < 0x200) return { bits: 16, key: a };
    if (a < 0x300) return { bits: 24, key: a };
    if (a < 0x400) return { bits: 32, key: 0x200 | (a & 0xff) };
    return { bits: 0, key: a };
  }

  private chipRead(now: number): void {
    const { bits, key } = Ade7953.widthOf(this.addr);
    const v = bits === 0 ? undefined : this.value(key, bits, now);
    if (v === undefined) {
      this.err = true;
      return;
    }
    this.err = false;
    let out = v;
    if (bits === 24) out = v & 0xffffff;
    else if (bits === 32 && key >= 0x200) out = v & 0xffffffff;
    this.dataLo = out & 0xffff;
    this.dataHi = Math.floor(out / 0x10000) & 0xffff;
    this.lastOp = OP_READ;
    this.lastAdd = this.addr;
    this.lastData[bits === 8 ? 0 : bits === 16 ? 1 : 2] = out;
  }

  /** The value a read returns (side effects of read-with-reset registers included), or undefined: no register. */
  private value(key: number, bits: number, now: number): number | undefined {
    if (bits === 8 || bits === 16) {
      switch (key) {
        case REG.LAST_OP:
          return this.lastOp;
        case REG.LAST_RWDATA8:
          return this.lastData[0];
        case REG.LAST_ADD:
          return this.lastAdd;
        case REG.LAST_RWDATA16:
          return this.lastData[1];
        case REG.PFA:
          return this.rate() > 0n ? 0x7fff : 0; // power factor 1.0 (0x7FFF = 1 − 2^-15) for a resistive load
        case REG.PFB:
        case REG.ANGLE_A:
        case REG.ANGLE_B:
          return 0;
        case REG.PERIOD:
          return Math.round(223750 / this.opts.lineHz) - 1; // line period in 223.75 kHz ticks, minus one
        case REG.VERSION:
          throw new OperationError('not implemented: ADE7953 Version register (0x702): the silicon version is not modelled');
        default:
          return this.regs.get(key);
      }
    }
    const sign = bits === 32; // 32-bit reads of signed 24-bit registers are sign-extended
    const s24 = (x: number) => (sign && x & 0x800000 ? x - 0x1000000 : x) >>> 0;
    const lo = key & 0xff;
    switch (lo) {
      case REG.AENERGYA:
      case REG.APENERGYA:
        return s24(this.readEnergy(this.energy[lo === REG.AENERGYA ? 0 : 1]!));
      case REG.AWATT:
      case REG.AVA:
        return s24(Math.min(0x7fffff, Math.floor(Number(this.rate()) / 10)));
      case REG.IRMSA:
        return Math.min(0xffffff, Math.round(this.irmsMa()));
      case REG.VRMS:
        return this.opts.vrmsV * 1000;
      case REG.V:
      case REG.IA: {
        const phase = Math.sin((2 * Math.PI * this.opts.lineHz * now) / this.opts.clockHz);
        const rms = lo === REG.V ? this.opts.vrmsV * 1000 : this.irmsMa();
        return s24(Math.round(rms * Math.SQRT2 * phase) & 0xffffff);
      }
      case REG.VPEAK:
      case REG.RSTVPEAK:
        return Math.round(this.opts.vrmsV * 1000 * Math.SQRT2);
      case REG.IAPEAK:
      case REG.RSTIAPEAK: {
        const v = Math.round(this.peakIa);
        if (lo === REG.RSTIAPEAK) this.peakIa = this.irmsMa() * Math.SQRT2;
        return v;
      }
      case REG.AVAR:
      case REG.BVA:
      case REG.BWATT:
      case REG.BVAR:
      case REG.IB:
      case REG.IRMSB:
      case REG.AENERGYB:
      case REG.RENERGYA:
      case REG.RENERGYB:
      case REG.APENERGYB:
      case REG.IBPEAK:
      case REG.RSTIBPEAK:
        return 0;
      case REG.IRQSTATA:
        return this.statA;
      case REG.RSTIRQSTATA: {
        const v = this.statA;
        this.statA = 0;
        this.updateIrqPin();
        return v;
      }
      case REG.IRQSTATB:
        return this.statB;
      case REG.RSTIRQSTATB: {
        const v = this.statB;
        this.statB = 0;
        this.updateIrqPin();
        return v;
      }
      case REG.LAST_RWDATA24:
        return this.lastData[2];
      case REG.CRC:
        if (bits === 32) throw new OperationError('not implemented: ADE7953 CRC register (0x37F): the checksum algorithm is not modelled');
        return undefined;
      default:
        return this.regs.get(0x200 | lo);
    }
  }

  /** An energy register's value; with RSTREAD the read takes the slice and starts the next one. */
  private readEnergy(e: EnergyRegister): number {
    const lsb = this.lsb();
    const v = Number((lsb - e.base) % WRAP);
    if (this.reg(REG.LCYCMODE) & RSTREAD) e.base = lsb;
    return v;
  }

  private chipWrite(now: number): void {
    const { bits, key } = Ade7953.widthOf(this.addr);
    if (bits === 0 || !this.regs.has(key)) {
      this.err = true;
      return;
    }
    const protect = this.reg(REG.WRITE_PROTECT);
    if ((bits === 8 && protect & 1) || (bits === 16 && protect & 2) || (bits >= 24 && protect & 4)) {
      this.err = true;
      return;
    }
    const raw = this.dataLo + this.dataHi * 0x10000;
    const v = bits === 8 ? raw & 0xff : bits === 16 ? raw & 0xffff : raw & 0xffffff;
    this.err = false;
    this.lastOp = OP_WRITE;
    this.lastAdd = this.addr;
    this.lastData[bits === 8 ? 0 : bits === 16 ? 1 : 2] = v;
    if (key === REG.LCYCMODE && v & 0x3f) {
      throw new OperationError(`not implemented: ADE7953 line-cycle accumulation (LCYCMODE = 0x${v.toString(16)}, bits 5..0)`);
    }
    if (key === REG.CONFIG && v & SWRST) {
      this.chipReset(); // SWRST self-clears; the chip comes back with its power-on values and RESET set
      this.updateIrqPin();
      return;
    }
    const before = this.cf1Den();
    if (key === REG.CFMODE && !(v & CF1DIS) && (v & 0xf) !== 0) {
      throw new OperationError(`not implemented: ADE7953 CF1 on a quantity other than active power A (CFMODE = 0x${v.toString(16)})`);
    }
    this.regs.set(key, v);
    if (key === REG.CFMODE || key === REG.CF1DEN) {
      // pulses count from the moment CF1 is (re)configured
      if (before === 0n || this.cf1Den() !== before) this.cfBase = this.lsb();
    }
    if (key === (0x200 | REG.IRQENA) || key === (0x200 | REG.IRQENB)) this.updateIrqPin();
    void now;
  }
}
