// Value Change Dump of GPIO pins (named ones by their board name) and the UART TX line (IEEE 1364 §18; GTKWave
// opens it). Times in ns from the release of reset at the board's clock.
import type { Machine } from './machine.ts';
import { Gpio } from './peripherals/gpio.ts';
import { Uart } from './peripherals/uart.ts';

export function attachVcd(m: Machine): { finish(): string } {
  const signals: { id: string; name: string }[] = [];
  const changes: string[] = [];
  let lastTime = -1;
  const id = (n: number) => String.fromCharCode(33 + (n % 90)) + (n >= 90 ? String.fromCharCode(33 + Math.floor(n / 90)) : '');
  const ns = 1e9 / m.board.cpu.clock_hz;
  const at = (cycle: number) => {
    const t = Math.round(cycle * ns);
    if (t !== lastTime) {
      changes.push(`#${t}`);
      lastTime = t;
    }
  };
  const gpio = m.devices.find((d): d is Gpio => d instanceof Gpio);
  if (gpio) {
    const names = new Map<string, string>();
    for (const [name, [port, pin]] of gpio.opts.pins) names.set(`${port}.${pin}`, name);
    const ids = new Map<string, string>();
    for (const port of gpio.opts.ports) {
      for (let pin = 0; pin < 8; pin++) {
        const key = `${port}.${pin}`;
        const sid = id(signals.length);
        ids.set(key, sid);
        signals.push({ id: sid, name: names.get(key) ?? `P${port}_${pin}` });
      }
    }
    const last = new Map<number, number>();
    gpio.listeners.push((port, driven, cycle) => {
      const before = last.get(port) ?? 0;
      at(cycle);
      for (let pin = 0; pin < 8; pin++) if (((before ^ driven) >> pin) & 1) changes.push(`${(driven >> pin) & 1}${ids.get(`${port}.${pin}`)}`);
      last.set(port, driven);
    });
  }
  for (const u of m.devices.filter((d): d is Uart => d instanceof Uart)) {
    const sid = id(signals.length);
    signals.push({ id: sid, name: `${u.name}_txd` });
    const prev = u.onTransmit;
    u.onTransmit = (byte, cycle) => {
      prev(byte, cycle);
      // the frame's bits, reconstructed at the end of the frame: start 0, 8 data bits LSB first, stop 1
      const bit = u.frameCycles / 10;
      const start = cycle - u.frameCycles;
      const bits = [0, ...Array.from({ length: 8 }, (_, i) => (byte >> i) & 1), 1];
      bits.forEach((b, i) => {
        at(Math.round(start + i * bit));
        changes.push(`${b}${sid}`);
      });
    };
  }
  return {
    finish() {
      const head = [
        '$date hasm run $end',
        '$version hasm openMSP430 emulator $end',
        `$comment CPU clock ${m.board.cpu.clock_hz} Hz $end`,
        '$timescale 1 ns $end',
        `$scope module ${m.board.name.replace(/[^A-Za-z0-9_]/g, '_')} $end`,
        ...signals.map((s) => `$var wire 1 ${s.id} ${s.name} $end`),
        '$upscope $end',
        '$enddefinitions $end',
        '#0',
        '$dumpvars',
        ...signals.map((s) => `${s.name.endsWith('_txd') ? 1 : 0}${s.id}`),
        '$end',
      ];
      at(m.cycle);
      return [...head, ...changes].join('\n') + '\n';
    },
  };
}
