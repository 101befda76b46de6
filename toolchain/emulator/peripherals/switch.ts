// A contact on a GPIO input: the meter's tamper switch (the pin reads 1 while the case is open) and its local
// reconnect button (1 while held). The pin idles at 0 (a pull-down); each change is an edge on the GPIO pin, so
// P1/P2 interrupts (PxIE, PxIES) see it. A press of a given length releases itself in virtual time.
import type { PeripheralConfig } from '../../../boards/board.ts';
import { OperationError } from '../../common/errors.ts';
import type { Device, DeviceHost } from '../device.ts';
import type { Gpio } from './gpio.ts';

export class Switch implements Device {
  readonly name: string;
  readonly addresses: readonly number[] = [];
  private active = false;
  private releaseAt = Infinity;
  private readonly port: number;
  private readonly bit: number;

  constructor(
    private readonly host: DeviceHost,
    private readonly gpio: Gpio,
    cfg: PeripheralConfig,
  ) {
    this.name = cfg.name ?? 'switch';
    [this.port, this.bit] = gpio.pin(cfg.pin as string, `switch '${this.name}'`);
  }

  /** Is the contact active (case open, button held)? */
  get isActive(): boolean {
    return this.active;
  }

  /** Opens (true) or closes (false) the contact's active state now; an edge on the pin when it changes. */
  set(active: boolean): void {
    this.releaseAt = Infinity;
    this.apply(active);
  }

  /** Holds the contact active for `cycles` CPU cycles from now (a button press), then releases it. */
  press(cycles: number): void {
    if (!(cycles > 0)) throw new OperationError(`switch '${this.name}': a press lasts a positive number of cycles, got ${cycles}`);
    this.apply(true);
    this.releaseAt = this.host.now + Math.round(cycles);
    this.host.changed();
  }

  private apply(active: boolean): void {
    this.active = active;
    this.gpio.setInput(this.port, this.bit, active); // calls host.changed()
  }

  reset(): void {
    // A PUC does not move a switch: the pin keeps its level (the GPIO keeps PxIN across reset).
  }

  powerOn(): void {
    this.gpio.preset(this.port, this.bit, this.active);
  }

  read(): number {
    return 0;
  }

  write(): void {}

  nextEvent(): number {
    return this.releaseAt;
  }

  advance(now: number): void {
    if (this.releaseAt <= now) {
      this.releaseAt = Infinity;
      this.apply(false);
    }
  }

  irq(): number {
    return 0;
  }
}
