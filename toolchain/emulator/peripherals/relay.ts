// The meter's supply relay (the off-switch): a monostable relay whose coil is a GPIO output (contacts closed — supply
// on — while the pin drives 1) and whose auxiliary contact is a GPIO input (reads 1 while the main contacts are
// closed). The contacts follow the coil after the operate time (closing) or the release time (opening); a coil change
// before the contacts moved restarts that delay. A PUC leaves the port undriven (PxDIR = 0), so the relay releases:
// the supply is off until the firmware drives the coil again. Contact changes go to `listeners` (the metrology front
// end: no current flows through open contacts) and to `history`.
import type { PeripheralConfig } from '../../../boards/board.ts';
import type { Device, DeviceHost } from '../device.ts';
import type { Gpio } from './gpio.ts';

export interface ContactChange {
  cycle: number;
  closed: boolean;
}

export class Relay implements Device {
  readonly name: string;
  readonly addresses: readonly number[] = [];
  /** Every movement of the contacts since power-on. */
  readonly history: ContactChange[] = [];
  readonly listeners: ((closed: boolean, cycle: number) => void)[] = [];
  private closedNow = false;
  private coil = false;
  private moveAt = Infinity;
  private readonly coilPin: [number, number];
  private readonly fbPin: [number, number];
  private readonly operate: number;
  private readonly release: number;

  constructor(
    private readonly host: DeviceHost,
    private readonly gpio: Gpio,
    cfg: PeripheralConfig,
    clockHz: number,
  ) {
    this.name = cfg.name ?? 'relay';
    this.coilPin = gpio.pin(cfg.coil as string, `relay '${this.name}' coil`);
    this.fbPin = gpio.pin(cfg.feedback as string, `relay '${this.name}' feedback`);
    this.operate = Math.round((((cfg.operate_ms as number | undefined) ?? 10) * clockHz) / 1000);
    this.release = Math.round((((cfg.release_ms as number | undefined) ?? 5) * clockHz) / 1000);
    gpio.listeners.push((port, driven, cycle) => {
      if (port === this.coilPin[0]) this.drive((driven & (1 << this.coilPin[1])) !== 0, cycle);
    });
  }

  /** The main contacts are closed (the supply is connected). */
  get closed(): boolean {
    return this.closedNow;
  }

  /** The coil is energised. */
  get energised(): boolean {
    return this.coil;
  }

  private drive(on: boolean, cycle: number): void {
    if (on === this.coil) return;
    this.coil = on;
    this.moveAt = on === this.closedNow ? Infinity : cycle + (on ? this.operate : this.release);
    this.host.changed();
  }

  reset(): void {
    // PUC: the GPIO's reset makes the coil pin an input (undriven); its listener is not called for a reset, so
    // release here.
    this.drive((this.gpio.output(this.coilPin[0]) & (1 << this.coilPin[1])) !== 0, this.host.now);
  }

  powerOn(): void {
    this.closedNow = false;
    this.coil = false;
    this.moveAt = Infinity;
    this.history.length = 0;
    this.gpio.preset(this.fbPin[0], this.fbPin[1], false);
  }

  read(): number {
    return 0;
  }

  write(): void {}

  nextEvent(): number {
    return this.moveAt;
  }

  advance(now: number): void {
    if (this.moveAt > now) return;
    const at = this.moveAt;
    this.moveAt = Infinity;
    this.closedNow = this.coil;
    this.history.push({ cycle: at, closed: this.closedNow });
    this.gpio.setInput(this.fbPin[0], this.fbPin[1], this.closedNow);
    for (const l of this.listeners) l(this.closedNow, at);
  }

  irq(): number {
    return 0;
  }
}
