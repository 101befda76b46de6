// An emulated Sancus node running the untrusted firmware runtime (firmware/runtime): its image loaded, the CPU
// released from reset and run to the runtime's main loop; from then on the host reaches the node only as a real
// board's host would, through frames on its WAN UART (wan.ts) — no backdoor into memory or module entries. The
// HAN UART's bytes are collected with their cycles (transmit-only). Virtual time: the machine runs only while the host waits for an
// answer or advances the clock (meter runs).
import type { Board } from '../../boards/board.ts';
import { OperationError } from '../../toolchain/common/errors.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import type { Uart } from '../../toolchain/emulator/peripherals/uart.ts';
import { attachSancus, type SancusUnit } from '../../toolchain/emulator/sancus/unit.ts';
import type { Image } from '../../toolchain/link/image.ts';
import { RUNTIME_READY, runtimeBoard } from './runtime-image.ts';
import { FrameParser, NoAnswerError, type Frame, type WanLink } from './wan.ts';

/** Cycles the host waits for an answer before it gives up (10 s at 20 MHz: a module call is far shorter). */
const ANSWER_BUDGET = 200_000_000;
const SLICE = 50_000;

export class FirmwareNode {
  readonly machine: Machine;
  readonly sancus: SancusUnit;
  readonly wan: Uart;
  readonly han: Uart | undefined;
  /** Cycles an exchange waits for the runtime's answer before it throws NoAnswerError; a caller that can carry on
   *  without the answer (the closing reads of `hasm meter run`) may shorten it. */
  answerBudget = ANSWER_BUDGET;
  private readonly wanParser = new FrameParser();
  /** Frames from the WAN UART not yet consumed by an exchange. */
  private pending: Frame[] = [];
  /** Every byte the node sent on the HAN UART, and the cycle its stop bit ended. */
  readonly hanBytes: number[] = [];
  readonly hanCycles: number[] = [];
  readonly symbols = new Map<string, number>();
  /** Listeners to every byte the node sends on its WAN UART (`hasm meter run --uart wan=tcp:PORT`). */
  readonly wanTaps: ((byte: number) => void)[] = [];
  /** Cycles from each request's first byte to its answer's last, summed (what the host waited: start-up times). */
  busyCycles = 0;
  private lastTx = 0;

  constructor(readonly name: string, readonly board: Board, image: Image) {
    this.machine = new Machine(board);
    const u = attachSancus(this.machine);
    if (!u) throw new OperationError(`board '${board.name}' has no Sancus unit (no "sancus" object in its board file)`);
    this.sancus = u;
    const rb = runtimeBoard(board);
    this.wan = this.machine.deviceByName.get(rb.wan.name ?? 'uart') as Uart;
    this.han = rb.han ? (this.machine.deviceByName.get(rb.han.name!) as Uart) : undefined;
    this.wan.onTransmit = (b, cycle) => {
      this.lastTx = cycle;
      this.pending.push(...this.wanParser.push([b]));
      for (const t of this.wanTaps) t(b);
    };
    if (this.han) {
      this.han.onTransmit = (b, cycle) => {
        this.hanBytes.push(b);
        this.hanCycles.push(cycle);
      };
    }
    for (const s of image.symbols) this.symbols.set(s.name, s.address);
    this.machine.load(image);
    this.boot();
  }

  symbol(name: string): number {
    const a = this.symbols.get(name);
    if (a === undefined) throw new OperationError(`node ${this.name}: no symbol '${name}' in its image`);
    return a;
  }

  /** Reset and run to the runtime's main loop. */
  boot(): void {
    this.machine.reset();
    const ready = this.symbol(RUNTIME_READY);
    this.machine.setBreakpoint(ready);
    const r = this.machine.run({ maxCycles: this.machine.cycle + 5_000_000 });
    this.machine.clearBreakpoint(ready);
    if (r.stop !== 'breakpoint') throw new OperationError(`node ${this.name}: the runtime's start-up ended with '${r.stop}' at 0x${r.pc?.toString(16)}, not at its main loop`);
  }

  /** Runs the node for `cycles` of virtual time (or until it sleeps with nothing left to wake it). */
  advance(cycles: number): void {
    const until = this.machine.cycle + cycles;
    while (this.machine.cycle < until) {
      const r = this.machine.run({ maxCycles: until });
      // Asleep with no peripheral event left (its timers stopped, e.g. by hostile untrusted code, issue 20), or
      // halted (a jump to itself with interrupts off: `dint` and a spin): nothing but the host or a reset can change
      // that, so the virtual time simply passes (returning early left callers looping for ever).
      if (r.stop === 'sleep' || r.stop === 'halt') {
        this.machine.cycle = until;
        return;
      }
      if (r.stop !== 'max-cycles') throw new OperationError(`node ${this.name}: stopped with '${r.stop}' at 0x${r.pc?.toString(16)}`);
    }
  }

  /** Output frames the node sent on its own (not answers), taken. */
  takeFrames(): Frame[] {
    return this.pending.splice(0, this.pending.length);
  }

  readonly link: WanLink = {
    exchange: async (request, isAnswer) => this.exchange(request, isAnswer),
    close: async () => {},
  };

  exchange(request: Uint8Array, isAnswer: (f: Frame) => boolean): Frame[] {
    this.wan.receive(request);
    const start = this.machine.cycle;
    const done = (i: number): Frame[] => {
      this.busyCycles += this.lastTx - start;
      return this.pending.splice(0, i + 1);
    };
    for (;;) {
      const i = this.pending.findIndex(isAnswer);
      if (i >= 0) return done(i);
      if (this.machine.cycle - start > this.answerBudget) throw new NoAnswerError(`node ${this.name}: no answer from the runtime within ${this.answerBudget} cycles`);
      const r = this.machine.run({ maxCycles: this.machine.cycle + SLICE });
      if (r.stop === 'sleep') {
        const j = this.pending.findIndex(isAnswer);
        if (j >= 0) return done(j);
        throw new NoAnswerError(`node ${this.name}: the runtime went to sleep without answering (frame lost?)`);
      }
      if (r.stop !== 'max-cycles') throw new OperationError(`node ${this.name}: stopped with '${r.stop}' at 0x${r.pc?.toString(16)} while the host waited for an answer`);
    }
  }
}
