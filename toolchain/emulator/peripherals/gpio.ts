// Digital I/O ports of the openMSP430 (periph/omsp_gpio.v): P1 and P2 with interrupts (PxIN, PxOUT, PxDIR, PxIFG,
// PxIES, PxIE, PxSEL at 0x20.. and 0x28..), P3–P6 plain (PxIN, PxOUT, PxDIR, PxSEL at 0x18, 0x1C, 0x30, 0x34).
import type { PeripheralConfig } from '../../../boards/board.ts';
import type { Device, DeviceHost } from '../device.ts';
import { InputError } from '../../common/errors.ts';
import { optNumber } from './registers.ts';

/** Offset from the GPIO base (0x0018) of each port's first register, and whether it has interrupt registers. */
const PORTS: Record<number, { at: number; irq: boolean }> = {
  1: { at: 0x08, irq: true },
  2: { at: 0x10, irq: true },
  3: { at: 0x00, irq: false },
  4: { at: 0x04, irq: false },
  5: { at: 0x18, irq: false },
  6: { at: 0x1c, irq: false },
};
// register order within a port
const IN = 0, OUT = 1, DIR = 2, IFG = 3, IES = 4, IE = 5; // then PxSEL (P1/P2: offset 6; P3–P6: offset 3)

export interface GpioOptions {
  base: number;
  ports: number[];
  irqP1: number;
  irqP2: number;
  /** Signal name → [port, pin]. */
  pins: Map<string, [number, number]>;
}

export function gpioOptions(cfg: PeripheralConfig): GpioOptions {
  const pins = new Map<string, [number, number]>();
  for (const [name, where] of Object.entries((cfg.pins as Record<string, string> | undefined) ?? {})) {
    const m = /^P([1-6])\.([0-7])$/.exec(where)!;
    pins.set(name, [Number(m[1]), Number(m[2])]);
  }
  return { base: cfg.base, ports: (cfg.ports as number[] | undefined) ?? [1, 2], irqP1: optNumber(cfg, 'irq_p1', 2), irqP2: optNumber(cfg, 'irq_p2', 3), pins };
}

interface Port {
  n: number;
  irq: boolean;
  regs: Uint8Array;
}

export class Gpio implements Device {
  readonly name = 'gpio';
  readonly addresses: number[] = [];
  private readonly ports = new Map<number, Port>();
  private readonly byAddr = new Map<number, [Port, number]>();
  /** Called when a port's driven output changes: value = PxOUT & PxDIR (pins not driven read as 0). */
  readonly listeners: ((port: number, driven: number, cycle: number) => void)[] = [];

  constructor(
    private readonly host: DeviceHost,
    readonly opts: GpioOptions,
  ) {
    for (const n of opts.ports) {
      const def = PORTS[n]!;
      const p: Port = { n, irq: def.irq, regs: new Uint8Array(def.irq ? 7 : 4) };
      this.ports.set(n, p);
      for (let i = 0; i < p.regs.length; i++) {
        const a = opts.base + def.at + i;
        this.addresses.push(a);
        this.byAddr.set(a, [p, i]);
      }
    }
  }

  reset(): void {
    for (const p of this.ports.values()) {
      const input = p.regs[IN]!;
      p.regs.fill(0);
      p.regs[IN] = input; // the pins keep their level
    }
  }

  /** Driven output of a port. */
  output(port: number): number {
    const p = this.ports.get(port);
    return p ? p.regs[OUT]! & p.regs[DIR]! : 0;
  }

  /** The port and pin of a signal named in the board's `pins` (a relay coil, a switch, a chip's IRQ line). */
  pin(signal: string, who: string): [number, number] {
    const p = this.opts.pins.get(signal);
    if (!p) throw new InputError(`${who}: signal '${signal}' is not in the gpio's pins`);
    if (!this.ports.has(p[0])) throw new InputError(`${who}: signal '${signal}' is on P${p[0]}, which this board's gpio does not have`);
    return p;
  }

  /** The level an input pin reads now. */
  input(port: number, pin: number): boolean {
    const p = this.ports.get(port);
    return p !== undefined && (p.regs[IN]! & (1 << pin)) !== 0;
  }

  /** Sets a pin's level without an edge (its idle level at power-on: a pull-up, an external chip's output). */
  preset(port: number, pin: number, level: boolean): void {
    const p = this.ports.get(port);
    if (!p) throw new Error(`GPIO: port P${port} is not on this board`);
    p.regs[IN] = level ? p.regs[IN]! | (1 << pin) : p.regs[IN]! & ~(1 << pin);
  }

  /** Sets an input pin from outside (a button, the tamper switch); edges set PxIFG per PxIES. */
  setInput(port: number, pin: number, level: boolean): void {
    const p = this.ports.get(port);
    if (!p) throw new Error(`GPIO: port P${port} is not on this board`);
    const bit = 1 << pin;
    const old = (p.regs[IN]! & bit) !== 0;
    if (old === level) return;
    p.regs[IN] = level ? p.regs[IN]! | bit : p.regs[IN]! & ~bit;
    if (p.irq) {
      const falling = (p.regs[IES]! & bit) !== 0;
      if (falling === !level) p.regs[IFG]! |= bit;
    }
    this.host.changed();
  }

  read(addr: number, byte: boolean): number {
    const lo = this.reg(addr & ~1);
    if (byte) return this.reg(addr);
    return lo | (this.reg((addr & ~1) + 1) << 8);
  }

  private reg(a: number): number {
    const e = this.byAddr.get(a);
    return e ? e[0].regs[e[1]]! : 0;
  }

  write(addr: number, value: number, byte: boolean, now: number): void {
    if (byte) this.writeReg(addr, value & 0xff, now);
    else {
      this.writeReg(addr & ~1, value & 0xff, now);
      this.writeReg((addr & ~1) + 1, (value >> 8) & 0xff, now);
    }
    this.host.changed();
  }

  private writeReg(a: number, v: number, now: number): void {
    const e = this.byAddr.get(a);
    if (!e) return;
    const [p, i] = e;
    if (i === IN) return; // read-only
    const before = p.regs[OUT]! & p.regs[DIR]!;
    p.regs[i] = v;
    const after = p.regs[OUT]! & p.regs[DIR]!;
    if (after !== before) for (const l of this.listeners) l(p.n, after, now);
  }

  nextEvent(): number {
    return Infinity;
  }

  advance(): void {}

  irq(): number {
    let lines = 0;
    const p1 = this.ports.get(1);
    const p2 = this.ports.get(2);
    if (p1 && p1.regs[IFG]! & p1.regs[IE]!) lines |= 1 << this.opts.irqP1;
    if (p2 && p2.regs[IFG]! & p2.regs[IE]!) lines |= 1 << this.opts.irqP2;
    return lines;
  }
}
