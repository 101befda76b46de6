// The openMSP430 watchdog (omsp_watchdog.v; research/openmsp430.md §1–§2): WDTCTL with password 0x5A, reads
// 0x69xx, watchdog mode (PUC on expiry) after reset, interval mode (WDTIFG, IRQ 10 = vector 0xFFF4).
import type { Device, DeviceHost } from '../device.ts';
import { laneRead } from './registers.ts';

const HOLD = 0x80;
const TMSEL = 0x10;
const CNTCL = 0x08;
/** Stored bits: HOLD, NMIES, TMSEL, SSEL, IS1..0 (WDTCTL_MASK with NMI and clock mux built in). */
const STORED = 0xd7;
/** WDTNMI reads 1 when NMI support is built in (measured: 0x5A80 written reads 0x69A0). */
const READ_OR = 0x20;
/** WDTIS → interval in clock cycles (counter bit 15, 13, 9, 6 of the incremented counter). */
const INTERVALS = [32768, 8192, 512, 64];
export const WDT_IRQ = 10;

export interface WatchdogOptions {
  base: number;
}

export class Watchdog implements Device {
  readonly name = 'watchdog';
  readonly addresses: number[];
  private ctl = 0;
  /** Running: the counter is (t - origin). Held: the counter is `heldCount`. */
  private origin = 0;
  private heldCount = 0;
  /** WDTIFG and WDTIE live in the SFR's IFG1/IE1 but belong to this module. */
  ifg = false;
  ie = false;
  private next = Infinity;

  constructor(
    private readonly host: DeviceHost,
    private readonly opts: WatchdogOptions,
  ) {
    this.addresses = [opts.base, opts.base + 1];
    this.reset();
  }

  /** PUC: watchdog mode, counting from 0 (WDTIFG survives: software reads it to learn why it restarted). */
  reset(): void {
    this.ctl = 0;
    this.origin = this.host.now;
    this.heldCount = 0;
    this.ie = false;
    this.scheduleFrom(this.host.now);
  }

  private get period(): number {
    return INTERVALS[this.ctl & 3]!;
  }

  read(addr: number, byte: boolean): number {
    return laneRead(0x6900 | this.ctl | READ_OR, addr, byte);
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    // A byte write cannot carry the password (high byte), so it is a password violation, as is a wrong one.
    if (byte || (value >> 8) !== 0x5a) {
      this.ifg = true;
      this.host.puc(`watchdog password violation (wrote 0x${value.toString(16)} to WDTCTL)`);
      return;
    }
    const wasHeld = (this.ctl & HOLD) !== 0;
    const count = wasHeld ? this.heldCount : now - this.origin;
    this.ctl = value & STORED;
    const held = (this.ctl & HOLD) !== 0;
    // Counter clear: the first event comes period + 1 cycles after the write (measured: WDTIFG at W + 65 for /64).
    if (value & CNTCL) {
      this.origin = now + 1;
      this.heldCount = 0;
    } else if (held) this.heldCount = count;
    else this.origin = now - count;
    this.scheduleFrom(now);
    this.host.changed();
  }

  private scheduleFrom(now: number): void {
    if (this.ctl & HOLD) {
      this.next = Infinity;
      return;
    }
    const elapsed = now - this.origin;
    this.next = elapsed < 0 ? this.origin + this.period : this.origin + (Math.floor(elapsed / this.period) + 1) * this.period;
  }

  nextEvent(): number {
    return this.next;
  }

  advance(now: number): void {
    while (this.next <= now) {
      const at = this.next;
      if (this.ctl & TMSEL) {
        this.ifg = true;
        this.next = at + this.period;
      } else {
        this.ifg = true;
        this.next = Infinity;
        this.host.puc('watchdog expired');
        return;
      }
    }
    this.host.changed();
  }

  irq(): number {
    return this.ifg && this.ie && this.ctl & TMSEL ? 1 << WDT_IRQ : 0;
  }

  acknowledge(line: number): void {
    // Interval mode: the single-source flag is cleared when the interrupt is accepted (wdtifg_irq_clr).
    if (line === WDT_IRQ) this.ifg = false;
  }
}
