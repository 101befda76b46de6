// Builds the devices a board file lists (boards/*.json `peripherals`), one module per device type.
import type { Board, PeripheralConfig } from '../../../boards/board.ts';
import { InputError } from '../../common/errors.ts';
import type { Bus } from '../bus.ts';
import type { Device, DeviceHost } from '../device.ts';
import { Ade7953, ade7953Options } from './ade7953.ts';
import { BasicTimer, basicTimerOptions } from './basic-timer.ts';
import { Gpio, gpioOptions } from './gpio.ts';
import { MonotonicCounter } from './monotonic-counter.ts';
import { Multiplier } from './multiplier.ts';
import { optNumber } from './registers.ts';
import { Relay } from './relay.ts';
import { Sfr } from './sfr.ts';
import { Switch } from './switch.ts';
import { TimerA, timerAOptions } from './timer-a.ts';
import { Uart, uartOptions } from './uart.ts';
import { Watchdog } from './watchdog.ts';

export interface BuiltDevices {
  list: Device[];
  byType: Map<string, Device>;
  /** The serial debug interface is not on the CPU's bus: its configuration, for debug-uart.ts. */
  debugUart?: PeripheralConfig;
}

/** Extra device types (timer, uart, gpio, debug uart) register here, each from its own file. */
export type DeviceFactory = (cfg: PeripheralConfig, ctx: { host: DeviceHost; bus: Bus; board: Board; index: number }) => Device;
export const FACTORIES = new Map<string, DeviceFactory>();

export function buildDevices(board: Board, host: DeviceHost, bus: Bus): BuiltDevices {
  const byType = new Map<string, Device>();
  const list: Device[] = [];
  let debugUart: PeripheralConfig | undefined;
  const cfgs = board.peripherals;
  // The SFR exposes the watchdog's and Basic Timer1's flags and enables, so those come first; the board components on
  // GPIO pins (relay, switches, the metrology chip's IRQ/CF1 lines) after the GPIO, the relay before the front end
  // its contacts feed (so a contact change is seen before the front end's own events at the same boundary).
  const rank = (t: string) => (t === 'watchdog' || t === 'basic_timer' ? 0 : t === 'relay' ? 2 : t === 'switch' ? 3 : t === 'ade7953' ? 4 : 1);
  const order = [...cfgs.keys()].sort((a, b) => rank(cfgs[a]!.type) - rank(cfgs[b]!.type) || a - b);
  const gpio = () => {
    const g = list.find((d) => d instanceof Gpio) as Gpio | undefined;
    if (!g) throw new InputError(`board '${board.name}': relay, switch and ade7953 sit on GPIO pins, and the board has no gpio`, { file: board.file });
    return g;
  };
  for (const i of order) {
    const cfg = cfgs[i]!;
    let dev: Device;
    if (cfg.type === 'debug_uart') {
      debugUart = cfg;
      continue;
    }
    switch (cfg.type) {
      case 'watchdog':
        dev = new Watchdog(host, { base: cfg.base });
        break;
      case 'sfr':
        dev = new Sfr(host, { base: cfg.base, cpuId: board.cpu.cpu_id ?? 0, cpuNr: board.cpu.cpu_nr ?? 0 }, byType.get('watchdog') as Watchdog | undefined, list.find((d) => d instanceof BasicTimer) as BasicTimer | undefined);
        break;
      case 'basic_timer':
        dev = new BasicTimer(host, basicTimerOptions(cfg, board.cpu.clock_hz), cfg.name ?? 'basic_timer');
        break;
      case 'relay':
        dev = new Relay(host, gpio(), cfg, board.cpu.clock_hz);
        break;
      case 'switch':
        dev = new Switch(host, gpio(), cfg);
        break;
      case 'ade7953': {
        const g = cfg.irq_pin !== undefined || cfg.cf1_pin !== undefined ? gpio() : undefined;
        const ade = new Ade7953(host, g, ade7953Options(cfg, board.cpu.clock_hz, g), cfg.name ?? 'ade7953');
        // The household's current flows through the supply relay's contacts (the board has at most one relay).
        const relay = list.find((d) => d instanceof Relay) as Relay | undefined;
        if (relay) {
          ade.throughRelay = true;
          relay.listeners.push((closed, cycle) => ade.setSupply(closed, cycle));
        }
        dev = ade;
        break;
      }
      case 'multiplier':
        dev = new Multiplier({ base: cfg.base, width: optNumber(cfg, 'width', 8) as 8 | 16 }, bus);
        break;
      case 'gpio':
        dev = new Gpio(host, gpioOptions(cfg));
        break;
      case 'timer_a':
        dev = new TimerA(host, timerAOptions(cfg, board.cpu.clock_hz));
        break;
      case 'uart':
        dev = new Uart(host, uartOptions(cfg), cfg.name ?? 'uart');
        break;
      case 'monotonic_counter':
        dev = new MonotonicCounter(cfg.name ?? 'monotonic_counter', cfg.base);
        break;
      default: {
        const f = FACTORIES.get(cfg.type);
        if (!f) throw new InputError(`board field /peripherals/${i}/type: unknown peripheral '${cfg.type}'`, { file: board.file });
        dev = f(cfg, { host, bus, board, index: i });
      }
    }
    byType.set(cfg.name ?? cfg.type, dev);
    list.push(dev);
    bus.attach(dev);
  }
  return { list, byType, debugUart };
}
