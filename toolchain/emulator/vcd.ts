// Value Change Dump (IEEE 1364 §18; GTKWave opens it) of the CPU clock, the program counter, the UART lines and the
// GPIO pins (named ones by their board name). Times in ns from the release of reset at the board's clock.
//
// Written to the file as the run goes, so a long run does not hold its whole dump in memory. A UART frame is known
// only when it ends (transmit) or is queued ahead of time (receive), so changes are kept in a window, sorted, and
// written once no earlier change can still arrive.
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../common/errors.ts';
import type { Machine } from './machine.ts';
import { Gpio } from './peripherals/gpio.ts';
import { Uart } from './peripherals/uart.ts';

interface Signal {
  /** What --vcd-signals calls it: clk, pc, wan.tx, p1.3 (or the board's pin name). */
  key: string;
  /** Groups that select it too: p1 for p1.3. */
  groups: string[];
  /** The VCD variable's name. */
  name: string;
  width: number;
  initial: number;
}

/** The signals a board offers, in the order the dump declares them. */
export function vcdSignals(m: Machine): Signal[] {
  const out: Signal[] = [
    { key: 'clk', groups: [], name: 'clk', width: 1, initial: 0 },
    { key: 'pc', groups: [], name: 'pc', width: 16, initial: 0 },
  ];
  for (const u of m.devices.filter((d): d is Uart => d instanceof Uart)) {
    out.push({ key: `${u.name}.tx`, groups: [u.name], name: `${u.name}_txd`, width: 1, initial: 1 });
    if (u.canReceive) out.push({ key: `${u.name}.rx`, groups: [u.name], name: `${u.name}_rxd`, width: 1, initial: 1 });
  }
  const gpio = m.devices.find((d): d is Gpio => d instanceof Gpio);
  if (gpio) {
    const names = new Map<string, string>();
    for (const [name, [port, pin]] of gpio.opts.pins) names.set(`${port}.${pin}`, name);
    for (const port of gpio.opts.ports) {
      for (let pin = 0; pin < 8; pin++) {
        const named = names.get(`${port}.${pin}`);
        out.push({ key: `p${port}.${pin}`, groups: [`p${port}`, ...(named ? [named] : [])], name: named ?? `P${port}_${pin}`, width: 1, initial: 0 });
      }
    }
  }
  return out;
}

/** `selection`: keys or groups (pc, clk, wan, wan.tx, p1, p1.3, led); all signals when absent. */
export function attachVcd(m: Machine, file: string, selection?: string[]): { finish(): void } {
  const all = vcdSignals(m);
  let chosen = all;
  if (selection) {
    const unknown = selection.filter((s) => !all.some((x) => x.key === s.toLowerCase() || x.groups.includes(s.toLowerCase()) || x.groups.includes(s)));
    if (unknown.length) throw new UsageError(`--vcd-signals: no signal ${unknown.map((u) => `'${u}'`).join(', ')} on board '${m.board.name}' (it has: ${[...new Set(all.flatMap((x) => [x.key, ...x.groups]))].join(', ')})`);
    chosen = all.filter((x) => selection.some((s) => x.key === s.toLowerCase() || x.groups.includes(s.toLowerCase()) || x.groups.includes(s)));
  }
  const id = (n: number) => String.fromCharCode(33 + (n % 90)) + (n >= 90 ? String.fromCharCode(33 + Math.floor(n / 90)) : '');
  const ids = new Map(chosen.map((s, i) => [s.key, id(i)]));
  const value = (s: Signal, v: number) => (s.width === 1 ? `${v}${ids.get(s.key)}` : `b${v.toString(2)} ${ids.get(s.key)}`);
  const ns = 1e9 / m.board.cpu.clock_hz;

  const fd = openSync(file, 'w');
  const write = (lines: string[]) => writeSync(fd, lines.join('\n') + '\n');
  write([
    '$date hasm run $end',
    '$version hasm openMSP430 emulator $end',
    `$comment CPU clock ${m.board.cpu.clock_hz} Hz $end`,
    '$timescale 1 ns $end',
    `$scope module ${m.board.name.replace(/[^A-Za-z0-9_]/g, '_')} $end`,
    ...chosen.map((s) => `$var wire ${s.width} ${ids.get(s.key)} ${s.name} $end`),
    '$upscope $end',
    '$enddefinitions $end',
    '#0',
    '$dumpvars',
    ...chosen.map((s) => value(s, s.initial)),
    '$end',
  ]);

  // Pending changes, by time in half cycles (the clock's falling edge is mid-cycle).
  let pending: { t: number; text: string }[] = [];
  const clk = chosen.find((s) => s.key === 'clk');
  let clockDoneTo = 0; // clock edges are written for every cycle before this one
  let lastTime = 0; // the header ends at #0
  const emit = (upTo: number) => {
    const ready = pending.filter((p) => p.t < 2 * upTo).sort((a, b) => a.t - b.t);
    pending = pending.filter((p) => p.t >= 2 * upTo);
    const lines: string[] = [];
    for (const p of ready) {
      const t = Math.round((p.t / 2) * ns);
      if (t !== lastTime) lines.push(`#${t}`);
      lastTime = t;
      lines.push(p.text);
    }
    if (lines.length) write(lines);
  };
  /** Writes every change before cycle `upTo`; the clock's edges in blocks, so a quiet stretch stays small in memory. */
  const flush = (upTo: number) => {
    if (!clk) return emit(upTo);
    while (clockDoneTo < upTo) {
      const to = Math.min(upTo, clockDoneTo + 16384);
      for (let c = clockDoneTo; c < to; c++) pending.push({ t: 2 * c, text: value(clk, 1) }, { t: 2 * c + 1, text: value(clk, 0) });
      clockDoneTo = to;
      emit(to);
    }
    emit(upTo);
  };
  // Changes reach back at most one UART frame (a transmitted frame is reported when it ends).
  const uarts = m.devices.filter((d): d is Uart => d instanceof Uart);
  const reach = Math.max(0, ...uarts.map((u) => u.frameCycles)) + 1;
  // Flushed in batches; changes still ahead of the watermark (received bytes queued for later) raise the batch size
  // so that they are not sorted again on every change.
  let batch = 65536;
  const add = (cycle: number, text: string) => {
    pending.push({ t: Math.round(2 * cycle), text });
    if (pending.length > batch) {
      flush(Math.max(0, m.cycle - reach));
      batch = Math.max(65536, 2 * pending.length);
    }
  };

  const pc = chosen.find((s) => s.key === 'pc');
  if (pc) {
    const prev = m.tracer;
    let last = -1;
    m.tracer = (at) => {
      prev?.(at);
      if (at !== last) add(m.cycle, value(pc, at));
      last = at;
    };
  }
  const gpio = m.devices.find((d): d is Gpio => d instanceof Gpio);
  if (gpio) {
    const last = new Map<number, number>();
    gpio.listeners.push((port, driven, cycle) => {
      const before = last.get(port) ?? 0;
      for (let pin = 0; pin < 8; pin++) {
        const s = chosen.find((x) => x.key === `p${port}.${pin}`);
        if (s && ((before ^ driven) >> pin) & 1) add(cycle, value(s, (driven >> pin) & 1));
      }
      last.set(port, driven);
    });
  }
  // A frame's bits: start 0, 8 data bits LSB first, stop 1.
  const frame = (s: Signal, byte: number, start: number, length: number) =>
    [0, ...Array.from({ length: 8 }, (_, i) => (byte >> i) & 1), 1].forEach((b, i) => add(start + (i * length) / 10, value(s, b)));
  for (const u of uarts) {
    const tx = chosen.find((s) => s.key === `${u.name}.tx`);
    if (tx) {
      const prev = u.onTransmit;
      u.onTransmit = (byte, cycle) => {
        prev(byte, cycle);
        frame(tx, byte, cycle - u.frameCycles, u.frameCycles);
      };
    }
    const rx = chosen.find((s) => s.key === `${u.name}.rx`);
    if (rx) {
      // Bytes given to receive() arrive back to back from now on, one frame each (the UART model's timing).
      const receive = u.receive.bind(u);
      let freeAt = 0;
      u.receive = (bytes) => {
        const list = [...bytes];
        for (const b of list) {
          const start = Math.max(m.cycle, freeAt);
          frame(rx, b, start, u.frameCycles);
          freeAt = start + u.frameCycles;
        }
        receive(list);
      };
    }
  }
  return {
    finish() {
      // Everything up to the stop, queued receive frames included.
      const end = pending.reduce((e, p) => Math.max(e, Math.ceil(p.t / 2)), m.cycle);
      flush(end + 1);
      write([`#${Math.round((end + 1) * ns)}`]);
      closeSync(fd);
    },
  };
}
