// A non-volatile monotonic counter (seed §4.6.3, state across a reset; issue 18 item 3): the hardware anchor a
// module needs to tell its latest sealed state from an older copy, since the non-volatile memory itself is
// untrusted and can be rolled back. Modelled on the monotonic counters of secure elements and TPMs (a TPM 2.0 NV
// counter: read, increment by one, never written or decremented): CNT_LO at base, CNT_HI at base + 2 read the
// 32-bit count; any write to base adds one (saturating). Anyone on the bus may read or advance it — advancing only
// makes the sealed copies older, which a module treats as rollback (fail-safe: firmware/lib/persist.ts). The count
// survives a PUC and a power cycle (no reset clears it); a fresh board starts at 0.
import type { Device } from '../device.ts';

export class MonotonicCounter implements Device {
  readonly addresses: number[];
  /** The count (32 bits). */
  count = 0;

  constructor(readonly name: string, private readonly base: number) {
    this.addresses = [base, base + 1, base + 2, base + 3];
  }

  reset(): void {}

  read(addr: number, byte: boolean): number {
    const off = addr - this.base;
    const word = off < 2 ? this.count & 0xffff : this.count >>> 16;
    return byte ? (off & 1 ? word >> 8 : word & 0xff) : word;
  }

  write(addr: number): void {
    if (addr - this.base < 2 && this.count < 0xffffffff) this.count++;
  }

  readStable(): boolean {
    return true;
  }

  nextEvent(): number {
    return Infinity;
  }

  advance(): void {}

  irq(): number {
    return 0;
  }
}
