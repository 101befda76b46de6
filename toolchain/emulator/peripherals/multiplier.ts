// The openMSP430 hardware multiplier (omsp_multiplier.v; research/openmsp430.md §3): MPY, MPYS, MAC, MACS, OP2,
// RESLO, RESHI, SUMEXT; odd-address byte writes land in both halves; results one cycle late for @Rn reads.
import type { Device } from '../device.ts';
import { wordAddresses } from './registers.ts';

export interface MultiplierOptions {
  base: number;
  /** 8: the 16×8 unit as shipped; 16: the MPY_16x16 build option. Both finish by cycle T+2 (§3). */
  width: 8 | 16;
}

const MPY = 0;
const MPYS = 2;
const MAC = 4;
const MACS = 6;
const OP2 = 8;
const RESLO = 10;
const RESHI = 12;
const SUMEXT = 14;

export class Multiplier implements Device {
  readonly name = 'multiplier';
  readonly addresses: number[];
  op1 = 0;
  op2 = 0;
  reslo = 0;
  reshi = 0;
  sumext = 0;
  private signed = false;
  private accumulate = false;
  /** Cycle T of the last OP2 write and the values a read in cycle T+1 still sees. */
  private opAt = -1;
  private oldLo = 0;
  private oldHi = 0;

  constructor(
    private readonly opts: MultiplierOptions,
    /** The bus: `early` is true while the CPU reads an @Rn/@Rn+ source in the cycle after decode, `start` is
     *  the decode cycle of the instruction doing the access. */
    private readonly bus: { readonly early: boolean; readonly start: number },
  ) {
    this.addresses = wordAddresses(opts.base, 8);
  }

  reset(): void {
    this.op1 = this.op2 = this.reslo = this.reshi = this.sumext = 0;
    this.signed = this.accumulate = false;
    this.opAt = -1;
  }

  private word(off: number): number {
    switch (off) {
      case OP2:
        return this.op2;
      case RESLO:
      case RESHI:
      case SUMEXT: {
        // §3: a read in cycle T+1 (an @Rn/@Rn+ source of the very next instruction) sees the pre-operation value.
        if (this.bus.early && this.bus.start === this.opAt) return off === RESLO ? this.oldLo : off === RESHI ? this.oldHi : 0;
        return off === RESLO ? this.reslo : off === RESHI ? this.reshi : this.sumext;
      }
      default:
        return this.op1;
    }
  }

  read(addr: number, byte: boolean): number {
    const v = this.word((addr - this.opts.base) & 0xe);
    if (!byte) return v;
    return addr & 1 ? v >> 8 : v & 0xff;
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    const off = (addr - this.opts.base) & 0xe;
    // §3: a byte written to the even address clears the high byte; to the odd address it lands in both halves.
    const v = !byte ? value & 0xffff : addr & 1 ? ((value & 0xff) << 8) | (value & 0xff) : value & 0xff;
    switch (off) {
      case MPY:
      case MPYS:
      case MAC:
      case MACS:
        this.op1 = v;
        this.signed = off === MPYS || off === MACS;
        this.accumulate = off === MAC || off === MACS;
        return;
      case OP2:
        this.op2 = v;
        this.multiply(now);
        return;
      case RESLO:
        this.reslo = v;
        return;
      case RESHI:
        this.reshi = v;
        return;
      default:
        return; // SUMEXT is read-only
    }
  }

  private multiply(now: number): void {
    this.opAt = now;
    const a = this.signed ? (this.op1 << 16) >> 16 : this.op1;
    const b = this.signed ? (this.op2 << 16) >> 16 : this.op2;
    const product = Math.imul(a, b) >>> 0; // exact: |a·b| < 2^31 signed, < 2^32 unsigned (imul gives the low 32 bits)
    if (this.accumulate) {
      this.oldLo = this.reslo;
      this.oldHi = this.reshi;
      const acc = ((this.reshi << 16) | this.reslo) >>> 0;
      const sum = acc + product;
      const res = sum >>> 0;
      this.sumext = this.signed ? (res >>> 31 ? 0xffff : 0) : sum > 0xffffffff ? 1 : 0;
      this.reslo = res & 0xffff;
      this.reshi = res >>> 16;
    } else {
      this.oldLo = 0;
      this.oldHi = 0;
      this.sumext = this.signed ? (product >>> 31 ? 0xffff : 0) : 0;
      this.reslo = product & 0xffff;
      this.reshi = product >>> 16;
    }
  }

  nextEvent(): number {
    return Infinity;
  }

  advance(): void {}

  irq(): number {
    return 0;
  }
}
