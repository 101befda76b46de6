// Basic Timer1 of the MSP430x4xx family (family guide SLAU056, chapter "Basic Timer1"): BTCTL at base (0x0040),
// BTCNT1 at base+6, BTCNT2 at base+7, all 8-bit; the interrupt enable and flag are BTIE = IE2.7 and BTIFG = IFG2.7
// (the SFR device shows them), BTIFG is reset when the interrupt is accepted; vector 0xFFE0 on the x4xx (line 0).
// ACLK comes from a watch crystal of `aclk_hz` (32,768 Hz): its edges fall at exact rational cycle times of MCLK, so
// time kept with this timer does not drift against the CPU clock (Timer_A's ACLK is an integer divider of MCLK).
//
// BTCTL: BTSSEL (7), BTHOLD (6), BTDIV (5), BTFRFQ1..0 (4..3, LCD frame frequency: stored, no LCD), BTIP2..0 (2..0).
// BTCNT1 counts ACLK. BTCNT2 counts fCLK2 = ACLK (BTSSEL 0, BTDIV 0), ACLK/256 = BTCNT1's carry (BTDIV 1), or
// SMCLK = MCLK (BTSSEL 1, BTDIV 0). BTHOLD stops BTCNT2, and BTCNT1 too when BTDIV = 1. BTIFG is set every
// 2^(BTIP+1) fCLK2 periods (the BTIP-selected output of BTCNT2; with BTDIV the two counters form one 16-bit counter).
import type { PeripheralConfig } from '../../../boards/board.ts';
import type { Device, DeviceHost } from '../device.ts';
import { optNumber } from './registers.ts';

export interface BasicTimerOptions {
  base: number;
  irq: number;
  clockHz: number;
  aclkHz: number;
}

export function basicTimerOptions(cfg: PeripheralConfig, clockHz: number): BasicTimerOptions {
  return { base: cfg.base, irq: optNumber(cfg, 'irq', 0), clockHz, aclkHz: optNumber(cfg, 'aclk_hz', 32768) };
}

const BTSSEL = 0x80;
const BTHOLD = 0x40;
const BTDIV = 0x20;
/** IE2/IFG2 bit of Basic Timer1. */
export const BT_IE2_BIT = 0x80;

export class BasicTimer implements Device {
  readonly name: string;
  readonly addresses: number[];
  private ieBit = false;
  /** BTIFG as of cycle t0 (sync sets it when the counter passes an interval boundary). */
  private flag = false;
  private ctl = 0;
  /** Counter values at cycle `t0`, and the ACLK edge count at that cycle. */
  private c1 = 0;
  private c2 = 0;
  private t0 = 0;
  private a0 = 0n;
  private next = Infinity;
  private readonly num: bigint;
  private readonly den: bigint;

  constructor(
    private readonly host: DeviceHost,
    private readonly opts: BasicTimerOptions,
    name = 'basic_timer',
  ) {
    this.name = name;
    this.addresses = [opts.base, opts.base + 6, opts.base + 7];
    // ACLK edges up to cycle t: floor(t · aclk / mclk), reduced.
    const g = gcd(opts.aclkHz, opts.clockHz);
    this.num = BigInt(opts.aclkHz / g);
    this.den = BigInt(opts.clockHz / g);
  }

  /** BTIE (IE2.7) for the SFR. Events are scheduled only while it is set; otherwise reads compute the flag. */
  get ie(): boolean {
    return this.ieBit;
  }

  /** The SFR writes IE2 at cycle `now`. */
  setIe(v: boolean, now: number): void {
    this.sync(now);
    this.ieBit = v;
    this.schedule();
  }

  /** BTIFG (IFG2.7) as the SFR reads it at cycle `now`. */
  ifgAt(now: number): boolean {
    this.sync(now);
    return this.flag;
  }

  setIfg(v: boolean, now: number): void {
    this.sync(now);
    this.flag = v;
  }

  /** ACLK edges in (0, t]. */
  private aclkAt(t: number): bigint {
    return (BigInt(t) * this.num) / this.den;
  }

  /** First cycle at which `aclkAt` reaches k. */
  private cycleOfAclk(k: bigint): number {
    return Number((k * this.den + this.num - 1n) / this.num);
  }

  reset(): void {
    // PUC: BTIE (IE2.7) is cleared; the timer itself keeps counting so that time-keeping survives a watchdog or
    // Sancus-violation reset (this model's choice for BTCTL/BTCNTx; a power-on clears them: powerOn).
    this.sync(this.host.now);
    this.ieBit = false;
    this.schedule();
  }

  /** Power-on: registers cleared too. */
  powerOn(): void {
    this.ctl = this.c1 = this.c2 = 0;
    this.flag = false;
    this.t0 = this.host.now;
    this.a0 = this.aclkAt(this.t0);
    this.schedule();
  }

  private get smclk(): boolean {
    return (this.ctl & (BTSSEL | BTDIV)) === BTSSEL;
  }

  /** Brings the counters to cycle `now`, setting BTIFG when they pass a multiple of the interval. */
  private sync(now: number): void {
    if (now <= this.t0) return;
    const a = this.aclkAt(now);
    const dA = Number(a - this.a0);
    const dS = now - this.t0;
    const hold = (this.ctl & BTHOLD) !== 0;
    if (!hold) {
      const div = (this.ctl & BTDIV) !== 0;
      const per = (1 << ((this.ctl & 7) + 1)) * (div ? 256 : 1);
      const cnt = div ? (this.c2 << 8) | this.c1 : this.c2;
      if ((this.smclk ? dS : dA) >= per - (cnt % per)) this.flag = true;
    }
    if (this.ctl & BTDIV) {
      if (!hold) {
        const v = (((this.c2 << 8) | this.c1) + dA) & 0xffff;
        this.c1 = v & 0xff;
        this.c2 = v >> 8;
      }
    } else {
      this.c1 = (this.c1 + dA) & 0xff;
      if (!hold) this.c2 = (this.c2 + (this.smclk ? dS : dA)) & 0xff;
    }
    this.t0 = now;
    this.a0 = a;
  }

  /** Next cycle at which BTIFG is set, while BTIE is set (otherwise reads compute the flag). */
  private schedule(): void {
    if (this.ctl & BTHOLD || !this.ieBit) {
      this.next = Infinity;
      return;
    }
    const div = (this.ctl & BTDIV) !== 0;
    const per = (1 << ((this.ctl & 7) + 1)) * (div ? 256 : 1);
    const cnt = div ? (this.c2 << 8) | this.c1 : this.c2;
    const need = per - (cnt % per); // counts until the counter next reaches a multiple of the interval
    this.next = this.smclk ? this.t0 + need : this.cycleOfAclk(this.a0 + BigInt(need));
  }

  read(addr: number, byte: boolean, now: number): number {
    this.sync(now);
    const v = (a: number) => (a === this.opts.base ? this.ctl : a === this.opts.base + 6 ? this.c1 : a === this.opts.base + 7 ? this.c2 : 0);
    if (byte) return v(addr);
    return v(addr & ~1) | (v((addr & ~1) + 1) << 8);
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    this.sync(now);
    const set = (a: number, x: number) => {
      if (a === this.opts.base) this.ctl = x & 0xff;
      else if (a === this.opts.base + 6) this.c1 = x & 0xff;
      else if (a === this.opts.base + 7) this.c2 = x & 0xff;
    };
    if (byte) set(addr, value);
    else {
      set(addr & ~1, value);
      set((addr & ~1) + 1, value >> 8);
    }
    this.schedule();
    this.host.changed();
  }

  nextEvent(): number {
    return this.next;
  }

  advance(now: number): void {
    this.sync(now);
    this.schedule();
  }

  irq(): number {
    return this.ieBit && this.flag ? 1 << this.opts.irq : 0;
  }

  acknowledge(line: number): void {
    if (line === this.opts.irq) this.flag = false;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
