// A programmable handle on one deployed meter, for scenario files (host/scenario) and tests: time advances only when
// asked; the central system's commands go in sealed under the connection key the deployer kept (or forged under a
// wrong key, a sealed command replayed, or one sealed under a later counter delivered first: the module's generated
// input path refuses all three, seed §4.6.1); what the meter says comes back only when it opens under the host's
// keys with the next counter; the logs are read back as the central system reads them (a sealed CMD_LOG_READ through
// CS security, answered on `wan.logs`); the board's switches, load and pins are reachable on the emulated node only
// (toolchain/emulator/meter.ts).
//
// Two targets: the emulated node of the descriptor (virtual time; everything available), or a real board on serial
// lines (`serial`: its debug interface for loading, its WAN UART for the runtime's frames): there time is the
// wall clock and only what crosses the WAN exists — commands, uplinks, log reads.
import { randomBytes } from 'node:crypto';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { meterControls, type MeterControls } from '../../toolchain/emulator/meter.ts';
import type { Gpio } from '../../toolchain/emulator/peripherals/gpio.ts';
import { decodeUplink, encodeCommand, LOGS, NOT_HEAD_END, type CommandArgs, type Uplink } from '../central/messages.ts';
import { deploySession, type DeployReport, type DeploySession, type WanEnd } from '../deploy/deploy.ts';
import { loadDescriptor, type Descriptor } from '../deploy/descriptor.ts';
import type { FirmwareNode } from '../deploy/firmware-node.ts';
import { openEvent, sealEvent } from '../deploy/protocol.ts';
import { T, type WanClient } from '../deploy/wan.ts';
import type { UntrustedCode } from '../deploy/runtime-image.ts';
import { decodeStatus, type HanStatus } from '../ihd/han-frame.ts';
import { HanParser } from './han.ts';
import { explainRelay, type ContactMove, type RelayCause } from './relay-cause.ts';

export type LogName = (typeof LOGS)[number];
export type Delivery = 'genuine' | 'forged' | 'replayed' | 'reordered';

/** One entry of a log as the central system reads it; `seq` is the entry's own number (1 = the log's first). */
export interface LogEntry {
  log: LogName;
  seq: number;
  /** The logs module's own time stamp (meter seconds). */
  time: number;
  kind: number;
  result: number;
  aux: number;
  value: number;
}

export interface SerialTarget {
  /** The board's openMSP430 debug interface (loading). */
  debug: string;
  /** The board's WAN UART (the runtime's frames). */
  wan: string;
  baud: number;
}

export interface MeterDriverOptions {
  descriptor: string;
  serial?: SerialTarget;
  random?: (n: number) => Uint8Array;
  /** Hostile code linked into the untrusted runtime (its global `attack`, called every tick; issue 20). */
  untrusted?: UntrustedCode;
}

/** Connection names of firmware/meter.json: the central system's command end and the logs' answers. */
const CENTRAL = 'central';
const LOGS_END = 'logs';
/** Virtual time between two looks at the node while waiting (the relay driver polls every 250 ms). */
const SLICE_S = 0.125;
/** MSP430 status register: CPU off (low-power mode, the runtime's sleep). */
const CPUOFF = 0x10;
/** Cycles per look while waiting for the runtime to sleep (0.1 ms at 20 MHz). */
const IDLE_STEP = 2000;

export class MeterDriver {
  /** What the meter sent the central system and opened under its keys, with the time it was seen (s). */
  readonly uplinks: { t: number; end: string; uplink: Uplink }[] = [];
  /** HAN status frames, decoded, with the time their last byte left (s); emulated node only. */
  readonly han: { t: number; seq: number; status: HanStatus }[] = [];
  /** HAN frames of other types (appliance commands: type 2). */
  readonly hanOther: { t: number; type: number; seq: number; payload: Uint8Array }[] = [];
  /** Commands sent: how, and whether the meter's module took them. */
  readonly sent: { t: number; kind: string; how: Delivery; accepted: boolean }[] = [];
  /** Every authenticated plaintext the meter sent, by WAN endpoint, for a central system that stores them
   *  (host/scenario/central.ts drains it). */
  readonly received: { channel: string; plaintext: Uint8Array }[] = [];
  /**
   * When set, genuine commands (the driver's own log reads included) go through this instead of being sealed here:
   * a central system that reserves the counter in its database, seals and sends through `carry` (one counter
   * authority per key: two sealers would race for the meter's one next value).
   */
  sender: ((kind: string, args: CommandArgs) => Promise<boolean>) | undefined;
  private readonly ins: Map<number, WanEnd>;
  private readonly central: WanEnd;
  private readonly hanParser = new HanParser();
  private lastSealed: Uint8Array | undefined;
  private readonly t0: number;
  private readonly wall0 = Date.now();
  private readonly energy0: number;
  private readonly relay0: number;

  private constructor(
    readonly session: DeploySession,
    readonly report: DeployReport,
    private readonly client: WanClient,
    /** The emulated node, or undefined on a real board. */
    readonly node: FirmwareNode | undefined,
    readonly controls: MeterControls | undefined,
  ) {
    const ends = [...session.wanEnds.values()];
    const central = ends.find((e) => e.direction === 'to-node' && e.name === CENTRAL);
    if (!central) throw new InputError(`the deployment has no connection from wan.${CENTRAL} (the central system's commands to CS security)`);
    this.central = central;
    // The head end's ends only: the data concentrator's masked readings (wan.dc, seed §4.3) and the market
    // evaluators' shares (wan.mpc1..3, seed chapter 6) are not for it.
    this.ins = new Map(ends.filter((e) => e.direction === 'from-node' && !NOT_HEAD_END.includes(e.name)).map((e) => [e.id, e]));
    this.t0 = node ? node.machine.cycle : 0;
    this.energy0 = controls ? controls.energy().fedWh : 0;
    this.relay0 = controls ? controls.relay.history.length : 0;
  }

  static async start(o: MeterDriverOptions): Promise<MeterDriver> {
    const d = o.serial ? onBoard(loadDescriptor(o.descriptor), o.serial) : loadDescriptor(o.descriptor);
    const { report, session } = await deploySession(d, { random: o.random, untrusted: o.untrusted });
    try {
      const handle = [...session.nodes.values()].find((n) => n.wan && session.modules.get('cs')?.node === n);
      if (!handle?.wan) throw new InputError(`${o.descriptor}: no node with the firmware runtime holds the CS security module 'cs'`, { file: o.descriptor });
      const node = handle.firmware;
      return new MeterDriver(session, report, handle.wan, node, node ? meterControls(node.machine) : undefined);
    } catch (e) {
      await session.close();
      throw e;
    }
  }

  get emulated(): boolean {
    return this.node !== undefined;
  }

  /** Seconds since the driver started: virtual time on the emulated node, the wall clock on a board. */
  now(): number {
    return this.node ? (this.node.machine.cycle - this.t0) / this.node.board.cpu.clock_hz : (Date.now() - this.wall0) / 1000;
  }

  /** Energy through the metrology front end since the driver started (Wh; emulated node only). */
  energyFedWh(): number {
    if (!this.controls) throw new OperationError('energy fed: only the emulated node knows what passed its front end');
    return this.controls.energy().fedWh - this.energy0;
  }

  /** Lets `seconds` pass: the node runs (virtual time) or the host waits (a board). */
  async advance(seconds: number): Promise<void> {
    if (!this.node) {
      await new Promise((r) => setTimeout(r, seconds * 1000));
      return;
    }
    const hz = this.node.board.cpu.clock_hz;
    const until = this.node.machine.cycle + Math.round(seconds * hz);
    while (this.node.machine.cycle < until) {
      this.node.advance(Math.min(until - this.node.machine.cycle, Math.round(SLICE_S * hz)));
      this.collect();
    }
  }

  /** Waits (advancing time in small slices) until `check` holds or `timeout` seconds passed; true when it held. */
  async until(check: () => boolean | Promise<boolean>, timeout: number, slice = SLICE_S): Promise<boolean> {
    const end = this.now() + timeout;
    for (;;) {
      if (await check()) return true;
      const left = end - this.now();
      if (left <= 0) return false;
      await this.advance(Math.min(slice, left));
    }
  }

  /** A central-system command (host/central/messages.ts) sent to CS security: genuine, forged or replayed. */
  async command(kind: string, args: CommandArgs = {}, how: Delivery = 'genuine'): Promise<boolean> {
    const accepted = await this.send(kind, args, how);
    this.sent.push({ t: this.now(), kind, how, accepted });
    return accepted;
  }

  private async send(kind: string, args: CommandArgs, how: Delivery): Promise<boolean> {
    if (how === 'genuine' && this.sender) {
      const accepted = await this.sender(kind, args);
      this.collect();
      return accepted;
    }
    const plain = encodeCommand(kind, args);
    const p = plain.length % 2 ? Uint8Array.from([...plain, 0]) : plain; // whole 16-bit words (firmware/README.md)
    if (how === 'replayed') {
      if (!this.lastSealed) throw new OperationError('replay: no genuine command was sent before to replay');
      return this.carry(this.lastSealed);
    }
    // Forged as an attacker would: the right format and the next counter, but a key that is not the connection's.
    if (how === 'forged') return this.carry(sealEvent(Uint8Array.from(randomBytes(this.central.key.length)), this.central.counter, p));
    // Reordered: genuinely sealed, but under the counter after the next — a later command overtaking the one between.
    if (how === 'reordered') return this.carry(sealEvent(this.central.key, this.central.counter + 1, p));
    const value = this.central.counter;
    if (!(await this.carry(sealEvent(this.central.key, value, p), value))) {
      throw new OperationError(`the meter refused a genuine command (counter ${value}): the host's and the module's counters disagree`);
    }
    return true;
  }

  /** The central system's command connection as the host holds it: its id, key and next counter value. */
  get commandEnd(): Readonly<WanEnd> {
    return this.central;
  }

  /**
   * Carries sealed bytes to CS security's command input; true when the module took them. `value`: the counter they
   * were sealed under, for a genuine command — taken, it becomes the last genuine command (what `replayed` resends)
   * and the connection's next value moves past it.
   */
  async carry(sealed: Uint8Array, value?: number): Promise<boolean> {
    this.idle();
    const accepted = await this.client.event(this.central.id, sealed);
    if (accepted && value !== undefined) {
      this.central.counter = value + 1;
      this.lastSealed = sealed;
    }
    this.collect();
    return accepted;
  }

  /** The `index`-th newest entry of a log (0 = newest) and the log's sequence number, read as the central system does. */
  async readLog(log: LogName, index = 0): Promise<{ seq: number; entry: LogEntry | null }> {
    const logsEnd = [...this.ins.values()].find((e) => e.name === LOGS_END);
    if (!logsEnd) throw new InputError(`the deployment has no connection to wan.${LOGS_END} (the logs' answers to the central system)`);
    const before = this.uplinks.length;
    await this.send('log-read', { log, index }, 'genuine');
    // The logs module answers within the same event on the emulated node; on a board the answer may trail (up to
    // the serial line's own answer timeout, host/deploy/serial-wan.ts).
    const got = await this.until(() => this.uplinks.slice(before).some((u) => u.uplink.type === 'log'), this.node ? 1 : 20, this.node ? SLICE_S : 0.05);
    if (!got && !this.node) await this.client.hello(); // a request collects what the board sent meanwhile
    const answer = this.uplinks.slice(before).find((u) => u.uplink.type === 'log');
    if (!answer || answer.uplink.type !== 'log') throw new OperationError(`log read (${log}, ${index}): no authenticated answer from the logs module`);
    const a = answer.uplink;
    this.uplinks.splice(this.uplinks.indexOf(answer), 1); // a log read's answer is not something the meter said on its own
    return { seq: a.seq, entry: a.found ? { log, seq: a.seq - index, time: a.time, kind: a.kind, result: a.result, aux: a.aux, value: a.value } : null };
  }

  /** Every entry of a log appended after sequence number `after` and still held (oldest first). Entries may be
   *  appended between two reads (time runs while the host waits for an answer): each answer carries the log's
   *  sequence number then, so every entry is labelled by its own number and none is skipped or counted twice. */
  async logSince(log: LogName, after: number): Promise<LogEntry[]> {
    const got = new Map<number, LogEntry>();
    for (let index = 0, reads = 0; reads < 256; reads++) {
      const { seq, entry } = await this.readLog(log, index);
      if (!entry || entry.seq <= after) break;
      got.set(entry.seq, entry);
      if (entry.seq === after + 1) break;
      index = seq - (entry.seq - 1); // where the next older entry is now
    }
    return [...got.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The relay's contact movements since the driver started, each with what explains it in the off-switch log
   *  (read back through CS security; relay-cause.ts). Emulated node only: a board's contacts are not visible here. */
  async relayCauses(): Promise<(ContactMove & RelayCause)[]> {
    if (!this.controls || !this.node) throw new OperationError('relay movements: only the emulated node shows its contacts');
    const hz = this.node.board.cpu.clock_hz;
    const moves = this.controls.relay.history.slice(this.relay0).map((c) => ({ t: (c.cycle - this.t0) / hz, state: (c.closed ? 'on' : 'off') as 'on' | 'off' }));
    const causes = explainRelay(moves, await this.logSince('offswitch', 0));
    return moves.map((m, i) => ({ ...m, ...causes[i]! }));
  }

  /** The level of a board pin, by its name in the board's gpio `pins` (relay, tamper, …) or as P<port>.<pin>. */
  pin(name: string): boolean {
    const { gpio, port, bit } = this.gpioPin(name);
    // A driven output's level, else the level on the input.
    return ((gpio.output(port) >> bit) & 1) === 1 || gpio.input(port, bit);
  }

  /** Drives an input pin from outside, as a switch or a chip wired to it would (edges set its interrupt flag). */
  setPin(name: string, level: boolean): void {
    const { gpio, port, bit } = this.gpioPin(name);
    gpio.setInput(port, bit, level);
  }

  private gpioPin(name: string): { gpio: Gpio; port: number; bit: number } {
    if (!this.node) throw new OperationError('pins: only the emulated node exposes its pins');
    const gpio = this.node.machine.deviceByName.get('gpio') as Gpio | undefined;
    if (!gpio) throw new OperationError(`board '${this.node.board.name}' has no gpio`);
    const m = /^P(\d)\.([0-7])$/.exec(name);
    const [port, bit] = m ? [Number(m[1]), Number(m[2])] : gpio.pin(name, 'pin');
    return { gpio, port, bit };
  }

  /** Every byte the firmware sent on a UART of the emulated board since power-on (`wan` or `han`). */
  uartSent(uart: 'wan' | 'han'): readonly { byte: number; cycle: number }[] {
    if (!this.controls) throw new OperationError('UART bytes: only the emulated node is watched here');
    return uart === 'wan' ? this.controls.wanSent : this.controls.hanSent;
  }

  /**
   * Emulated node: lets it run until its CPU sleeps (the runtime's main loop idle, SR.CPUOFF) before a request goes
   * out. A request whose bytes arrive while a module call keeps interrupts off loses a byte to a receive overrun
   * (the WAN UART's RX_OVFLW: measured at a 2 s boundary, where the clock, metrology and relay polls coincide), and
   * neither the runtime nor the host recovers the frame — that is the real-time work's to fix (issue 18's runtime,
   * firmware/runtime); a head end on a real line would time out and resend. Here the host simply sends into an idle
   * slot, which exists after every tick (8 Hz).
   */
  private idle(): void {
    if (!this.node) return;
    const m = this.node.machine;
    const limit = m.cycle + this.node.board.cpu.clock_hz; // a runtime busy for a whole second is broken: send anyway
    while ((m.r[2]! & CPUOFF) === 0 && m.cycle < limit) this.node.advance(IDLE_STEP);
    this.collect();
  }

  /** Takes what the node sent: WAN output frames (opened under the host's keys) and HAN frames. */
  private collect(): void {
    const events = this.client.takeOutputs();
    if (this.node) {
      for (const f of this.node.takeFrames()) {
        if (f.type === T.output && f.payload.length >= 10) events.push({ connection: f.payload[0]! | (f.payload[1]! << 8), sealed: f.payload.slice(2) });
      }
      const hz = this.node.board.cpu.clock_hz;
      for (const h of this.hanParser.push(this.node.hanBytes, this.node.hanCycles)) {
        const t = (h.cycle - this.t0) / hz;
        const status = h.type === 1 ? decodeStatus(h.payload) : undefined;
        if (status) this.han.push({ t, seq: h.seq, status });
        else this.hanOther.push({ t, type: h.type, seq: h.seq, payload: h.payload });
      }
    }
    for (const e of events) {
      const end = this.ins.get(e.connection);
      if (!end) continue;
      const plain = openEvent(end.key, end.counter, e.sealed);
      if (!plain) continue; // not under the key and counter the host expects: not believed
      end.counter++;
      this.uplinks.push({ t: this.now(), end: end.name, uplink: decodeUplink(plain) });
      if (this.sender) this.received.push({ channel: end.name, plaintext: plain });
    }
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** The descriptor with its firmware node moved onto a board's serial lines. */
function onBoard(d: Descriptor, s: SerialTarget): Descriptor {
  const firmware = d.nodes.filter((n) => n.runtime === 'firmware');
  if (firmware.length !== 1) throw new InputError(`${d.file}: a board target needs exactly one node with "runtime": "firmware" (found ${firmware.length})`, { file: d.file });
  const nodes = d.nodes.map((n) => (n === firmware[0] ? { ...n, loader: { serial: s.debug, baud: s.baud }, wan: { serial: s.wan, baud: s.baud } } : n));
  return { ...d, nodes };
}
