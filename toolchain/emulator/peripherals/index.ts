// Builds the devices a board file lists (boards/*.json `peripherals`), one module per device type.
import type { Board, PeripheralConfig } from '../../../boards/board.ts';
import { InputError } from '../../common/errors.ts';
import type { Bus } from '../bus.ts';
import type { Device, DeviceHost } from '../device.ts';
import { Gpio, gpioOptions } from './gpio.ts';
import { Multiplier } from './multiplier.ts';
import { optNumber } from './registers.ts';
import { Sfr } from './sfr.ts';
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
  // The SFR exposes the watchdog's flag and enable, so the watchdog is built first.
  const order = [...cfgs.keys()].sort((a, b) => Number(cfgs[b]!.type === 'watchdog') - Number(cfgs[a]!.type === 'watchdog'));
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
        dev = new Sfr(host, { base: cfg.base, cpuId: board.cpu.cpu_id ?? 0, cpuNr: board.cpu.cpu_nr ?? 0 }, byType.get('watchdog') as Watchdog | undefined);
        break;
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
