// Timer_A with three capture/compare registers, compare mode (MSP430x1xx family guide ch. 11; the openMSP430's
// periph/omsp_timerA.v at TACTL 0x0160, TAR 0x0170, TACCRx 0x0172.., TAIV 0x012E). Up, continuous and up/down
// modes; SMCLK (= MCLK) or ACLK (a board-given divider of MCLK) with ID /1 /2 /4 /8. Capture mode and output units
// are not modelled (writes are stored, no edges produced).
import type { PeripheralConfig } from '../../../boards/board.ts';
import type { Device, DeviceHost } from '../device.ts';
import { laneMerge, laneRead, optNumber } from './registers.ts';

export interface TimerAOptions {
  base: number;
  taiv: number;
  irqCcr0: number;
  irqTaiv: number;
  /** MCLK cycles per ACLK cycle. */
  aclkDivider: number;
}

export function timerAOptions(cfg: PeripheralConfig, clockHz: number): TimerAOptions {
  const aclk = optNumber(cfg, 'aclk_hz', 32768);
  return {
    base: cfg.base,
    taiv: optNumber(cfg, 'taiv', 0x012e),
    irqCcr0: optNumber(cfg, 'irq_ccr0', 9),
    irqTaiv: optNumber(cfg, 'irq_taiv', 8),
    aclkDivider: Math.max(1, Math.round(clockHz / aclk)),
  };
}

const TAIFG = 0x0001;
const TAIE = 0x0002;
const TACLR = 0x0004;
const CCIFG = 0x0001;
const CCIE = 0x0010;
const MC_STOP = 0;
const MC_UP = 1;
const MC_CONT = 2;

export class TimerA implements Device {
  readonly name = 'timer_a';
  readonly addresses: number[];
  private ctl = 0;
  private tar = 0;
  private down = false;
  private readonly cctl = [0, 0, 0];
  private readonly ccr = [0, 0, 0];
  /** Cycle of the last tick boundary the state is brought to. */
  private t0 = 0;
  private next = Infinity;

  constructor(
    private readonly host: DeviceHost,
    private readonly opts: TimerAOptions,
  ) {
    this.addresses = [...Array.from({ length: 8 }, (_, i) => opts.base + i), ...Array.from({ length: 8 }, (_, i) => opts.base + 0x10 + i), opts.taiv, opts.taiv + 1];
  }

  reset(): void {
    this.ctl = this.tar = 0;
    this.down = false;
    this.cctl.fill(0);
    this.ccr.fill(0);
    this.t0 = this.host.now;
    this.next = Infinity;
  }

  private get mode(): number {
    return (this.ctl >> 4) & 3;
  }

  /** MCLK cycles per timer tick, or 0 when the timer does not count. */
  private get period(): number {
    const sel = (this.ctl >> 8) & 3;
    const src = sel === 2 ? 1 : sel === 1 ? this.opts.aclkDivider : 0;
    return this.mode === MC_STOP ? 0 : src << ((this.ctl >> 6) & 3);
  }

  /** Ticks from the current state until the next boundary (a compare match or the wrap). No allocation: hot. */
  private ticksToBoundary(): number {
    const mode = this.mode;
    const top = mode === MC_CONT ? 0xffff : this.ccr[0]!;
    let best = this.distance(0, mode, top); // the wrap (TAIFG)
    for (let i = 0; i < 3; i++) {
      const c = this.ccr[i]!;
      if (c <= top) {
        const d = this.distance(c, mode, top);
        if (d < best) best = d;
      }
    }
    return best;
  }

  /** Ticks until TAR next equals `target` (at least 1). */
  private distance(target: number, mode: number, top: number): number {
    if (mode === 3) {
      // up/down: positions along the triangle 0..top..0 (period 2·top)
      const period = 2 * top || 1;
      const pos = this.down ? period - this.tar : this.tar;
      const a = (target - pos + period) % period || period;
      const b = (period - target - pos + 2 * period) % period || period;
      return a < b ? a : b;
    }
    return (target - this.tar + top + 1) % (top + 1) || top + 1;
  }

  /** Moves TAR by one tick, setting flags as the counter reaches compare values and wraps. */
  private tick(): void {
    const mode = this.mode;
    const top = mode === MC_CONT ? 0xffff : this.ccr[0]!;
    if (mode === 3) {
      if (this.down) {
        this.tar--;
        if (this.tar <= 0) {
          this.tar = 0;
          this.down = false;
          this.ctl |= TAIFG;
        }
      } else {
        this.tar++;
        if (this.tar >= top) {
          this.tar = top;
          this.down = true;
        }
      }
    } else if (this.tar >= top) {
      this.tar = 0;
      this.ctl |= TAIFG;
    } else this.tar++;
    for (let i = 0; i < 3; i++) if (this.tar === this.ccr[i]) this.cctl[i]! |= CCIFG;
  }

  /** Brings TAR and the flags to cycle `now`, boundary by boundary (never tick by tick across a long sleep). */
  private sync(now: number): void {
    const p = this.period;
    if (p === 0) {
      this.t0 = now;
      return;
    }
    let n = Math.floor((now - this.t0) / p);
    this.t0 += n * p;
    while (n > 0) {
      const d = this.ticksToBoundary();
      if (d > n) {
        // no boundary in between: move linearly
        this.moveLinear(n);
        return;
      }
      this.moveLinear(d - 1);
      this.tick();
      n -= d;
    }
  }

  private moveLinear(n: number): void {
    if (n <= 0) return;
    if (this.mode === 3 && this.down) this.tar -= n;
    else this.tar += n;
  }

  private schedule(): void {
    const p = this.period;
    const wants = this.ctl & TAIE || (this.cctl[0]! | this.cctl[1]! | this.cctl[2]!) & CCIE;
    this.next = p === 0 || !wants ? Infinity : this.t0 + this.ticksToBoundary() * p;
  }

  private taiv(): number {
    if (this.cctl[1]! & CCIFG && this.cctl[1]! & CCIE) return 2;
    if (this.cctl[2]! & CCIFG && this.cctl[2]! & CCIE) return 4;
    if (this.ctl & TAIFG && this.ctl & TAIE) return 10;
    return 0;
  }

  read(addr: number, byte: boolean, now: number): number {
    this.sync(now);
    const a = addr & ~1;
    let v = 0;
    if (a === this.opts.taiv) {
      v = this.taiv();
      // reading TAIV clears the flag it reports (family guide 11.2.6)
      if (v === 2) this.cctl[1]! &= ~CCIFG;
      else if (v === 4) this.cctl[2]! &= ~CCIFG;
      else if (v === 10) this.ctl &= ~TAIFG;
      this.schedule();
      this.host.changed();
    } else {
      const off = a - this.opts.base;
      if (off === 0) v = this.ctl;
      else if (off < 8) v = this.cctl[off / 2 - 1]!;
      else if (off === 0x10) v = this.tar;
      else v = this.ccr[(off - 0x12) / 2]!;
    }
    return laneRead(v, addr, byte);
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    this.sync(now);
    const a = addr & ~1;
    const off = a - this.opts.base;
    if (a === this.opts.taiv) return;
    if (off === 0) {
      const v = laneMerge(this.ctl, addr, value, byte);
      this.ctl = v & ~TACLR;
      if (v & TACLR) {
        this.tar = 0;
        this.down = false;
      }
      this.t0 = now;
    } else if (off < 8) this.cctl[off / 2 - 1] = laneMerge(this.cctl[off / 2 - 1]!, addr, value, byte);
    else if (off === 0x10) this.tar = laneMerge(this.tar, addr, value, byte);
    else this.ccr[(off - 0x12) / 2] = laneMerge(this.ccr[(off - 0x12) / 2]!, addr, value, byte);
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
    let lines = 0;
    if (this.cctl[0]! & CCIFG && this.cctl[0]! & CCIE) lines |= 1 << this.opts.irqCcr0;
    if (this.taiv() !== 0) lines |= 1 << this.opts.irqTaiv;
    return lines;
  }

  acknowledge(line: number): void {
    // TACCR0's flag is single-source: cleared when its interrupt is accepted
    if (line === this.opts.irqCcr0) {
      this.cctl[0]! &= ~CCIFG;
      this.host.changed();
    }
  }
}
