// The register window of a board peripheral: the address range [start, end) a driver owns through its exclusive MMIO
// module (firmware/README.md "Drivers and their MMIO modules"). The window per peripheral type is the device's
// register map (toolchain/emulator/README.md "The meter node"; test/sancus/mmio.test.ts checks each against the
// emulator's device), the base is the board's — so no peripheral address is kept anywhere but in boards/*.json.
import { InputError } from '../toolchain/common/errors.ts';
import type { Board, PeripheralConfig } from './board.ts';

/** Bytes of the window from the base, per peripheral type (the decoded registers, rounded up to whole words). */
const WINDOW: Record<string, number> = { ade7953: 8, basic_timer: 8, uart: 8, timer_a: 0x18 };
/** omsp_gpio: each port's first register from the GPIO base and its register count (P1/P2 with interrupts). */
const GPIO_PORTS: Record<number, { at: number; bytes: number }> = {
  1: { at: 0x08, bytes: 8 },
  2: { at: 0x10, bytes: 8 },
  3: { at: 0x00, bytes: 4 },
  4: { at: 0x04, bytes: 4 },
  5: { at: 0x18, bytes: 4 },
  6: { at: 0x1c, bytes: 4 },
};

export interface RegisterWindow {
  peripheral: string;
  start: number;
  end: number;
}

/** The peripheral named `name` (its `name`, else its `type`) — for gpio, the contiguous window of `ports`. */
export function registerWindow(board: Board, name: string, ports?: readonly number[]): RegisterWindow {
  const p: PeripheralConfig | undefined = board.peripherals.find((x) => (x.name ?? x.type) === name);
  if (!p) throw new InputError(`board '${board.name}' has no peripheral '${name}' (peripherals: ${board.peripherals.map((x) => x.name ?? x.type).join(', ')})`, { file: board.file });
  if (p.type === 'gpio') {
    const have = (p.ports as number[] | undefined) ?? [1, 2];
    if (!ports?.length) throw new InputError(`peripheral '${name}': a GPIO window names its ports (e.g. "ports": [1, 2])`, { file: board.file });
    const spans = ports.map((n) => {
      const g = GPIO_PORTS[n];
      if (!g || !have.includes(n)) throw new InputError(`peripheral '${name}': board '${board.name}' has no port ${n} (ports: ${have.join(', ')})`, { file: board.file });
      return { start: p.base + g.at, end: p.base + g.at + g.bytes };
    }).sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.start !== spans[i - 1]!.end) throw new InputError(`peripheral '${name}': ports ${ports.join(', ')} are not one contiguous window (a Sancus module has one data section)`, { file: board.file });
    }
    return { peripheral: name, start: spans[0]!.start, end: spans[spans.length - 1]!.end };
  }
  if (ports?.length) throw new InputError(`peripheral '${name}' (${p.type}) has no ports`, { file: board.file });
  const bytes = WINDOW[p.type];
  if (bytes === undefined) throw new InputError(`peripheral '${name}' (${p.type}): no register window is known for this type (known: gpio, ${Object.keys(WINDOW).join(', ')})`, { file: board.file });
  return { peripheral: name, start: p.base, end: p.base + bytes };
}
