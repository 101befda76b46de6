// The one interface every peripheral implements (STYLE.md: one small interface per device, mspdebug simio shape),
// but time-driven: a device says when its next event is, so a sleeping CPU runs straight to it.

/** What a device may ask of the machine it sits in. */
export interface DeviceHost {
  /** The current CPU cycle (absolute, from the release of reset). */
  readonly now: number;
  /** Call after the device's interrupt flags/enables or its next event time changed. */
  changed(): void;
  /** Power-up clear: the watchdog's reset of the CPU and peripherals. */
  puc(reason: string): void;
}

export interface Device {
  readonly name: string;
  /** Byte addresses this device answers (word registers list both bytes). */
  readonly addresses: readonly number[];
  /** Back to the PUC state (also called at power-on, after `powerOn`). */
  reset(): void;
  /** Power-on only (Machine.reset): state a PUC keeps — an external chip, a relay's contacts, a crystal clock. */
  powerOn?(): void;
  /** Word reads get the even address; byte reads the exact one. `now` is the cycle of the access. */
  read(addr: number, byte: boolean, now: number): number;
  write(addr: number, value: number, byte: boolean, now: number): void;
  /**
   * True when reading `addr` has no side effect and returns the same value until this device's next event or a
   * write to it (not the case for a free-running counter): a polling loop on it may be skipped to the next event
   * (Machine, blocks.ts `spin`). Absent: false.
   */
  readStable?(addr: number, byte: boolean): boolean;
  /** Absolute cycle of the device's next own event (Infinity when none). */
  nextEvent(): number;
  /** Brings the device to cycle `now` (called at or after its nextEvent). */
  advance(now: number): void;
  /** Bit mask of interrupt lines (bit n = IRQ n, vector 0xFFE0 + 2n) requesting service right now. */
  irq(): number;
  /** The CPU accepted IRQ `line`: single-source flags clear themselves. */
  acknowledge?(line: number): void;
}
