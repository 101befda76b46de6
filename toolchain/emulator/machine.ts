// The emulated openMSP430: registers, the predecoded-instruction cache, interrupts, low-power modes, reset/PUC,
// virtual time. Programmatic API for the CLI (`hasm run`), the compiler's tests (`call`) and debuggers.
import type { Board, PeripheralConfig } from '../../boards/board.ts';
import { InputError } from '../common/errors.ts';
import { decode } from '../msp430/decode.ts';
import type { Instruction } from '../msp430/instruction.ts';
import { sizeInWords } from '../msp430/instruction.ts';
import { INTERRUPT_CYCLES, RESET_CYCLES, cycles } from '../msp430/cycles.ts';
import type { Image } from '../link/image.ts';
import { SR_CPUOFF, SR_GIE, daddDigits } from './alu.ts';
import { Bus, KIND_RAM, KIND_ROM } from './bus.ts';
import { RET_HALT, generate, instantiate } from './codegen.ts';
import { buildBlock, touchesMemory, type Block } from './blocks.ts';
import type { Device, DeviceHost } from './device.ts';
import { buildDevices } from './peripherals/index.ts';

export type StopReason = 'halt' | 'max-cycles' | 'sleep' | 'breakpoint' | 'invalid' | 'return' | 'violation' | 'stopped';

export interface RunResult {
  stop: StopReason;
  /** CPU cycles from the release of reset (the 4 reset cycles included) up to the stop. */
  cycles: number;
  instructions: number;
  pc: number;
  /** With stop 'invalid': the instruction word that the table and the extensions do not decode. */
  word?: number;
}

export interface CallResult {
  /** 'return' when the function returned; anything else is a trap or a limit. */
  stop: StopReason;
  cycles: number;
  registers: number[];
  pc: number;
}

/** A translated instruction: runs it and returns its cycles, or RET_HALT for a jump to itself. */
export type InstructionFn = () => number;

/**
 * Extension point for instruction words the MSP430 table leaves invalid (the Sancus words 0x1380–0x1389 are
 * hooked here): return a translated instruction and its size in words, or undefined to keep it invalid.
 */
export interface InstructionExtension {
  translate(word: number, addr: number, machine: Machine): { fn: InstructionFn; words: number; cycles: number } | undefined;
}

export interface RunOptions {
  maxCycles?: number;
  /** Stop (reason 'stopped') after this many executed instructions or accepted interrupts. */
  maxSteps?: number;
}

/**
 * Protection domains for the fast path (Sancus, toolchain/emulator/sancus/unit.ts): while `guard` is set, translated
 * code still runs as long as the guard would only confirm that the instruction is in the domain already current;
 * the run loop hands every other fetch (a domain transition, a pending violation, a stack guard, a clix section) to
 * the guard. Blocks hold the instructions of one domain only; the owner calls `protectionChanged` when domains move.
 */
export interface ProtectionDomains {
  /** Per word address: the domain an instruction starting there runs in (0: unprotected, n: module slot n − 1). */
  readonly domainOf: Uint8Array;
  /** The domain of the instruction executing now. */
  readonly current: number;
  /** The guard has nothing to do at a fetch that stays in the current domain. */
  readonly quiet: boolean;
}

/** `Machine.guard` results besides 0 (go on). */
export const GUARD_REFUSED = 1;
export const GUARD_STOP = 2;

const VECTOR_BASE = 0xffe0;
const RESET_VECTOR = 0xfffe;
const BP_BREAK = 1;
const BP_RETURN = 2;
/** Line 14 (vector 0xFFFC): the non-maskable interrupt, taken with GIE off. */
const NMI_BIT = 1 << 14;
/** A translated instruction's marker for the debug unit's software breakpoint. */
const RET_SWBREAK = -2;
/**
 * `meta` per word (one load per instruction in the run loop instead of four tables; issue 18 "Simulation speed"):
 * bits 0–7 the translated instruction's cycles, META_STAMP, META_RETI, bits 16–30 the heat (HEAT_ONE a step). Every
 * value stays below 2^31, a small integer to V8 (above it, V8's unoptimised tiers load a Uint32 as a heap number).
 */
const META_CYCLES = 0xff;
/** The instruction needs the bus's time stamps and PC set before it runs (it touches memory, or it is an extension
 *  or invalid word); register-only instructions skip those three stores (nothing reads them outside an access). */
const META_STAMP = 1 << 8;
/** A RETI starts here (its SR restore counts at once for interrupts). */
const META_RETI = 1 << 9;
/** Executions of an entry word on the fast path while no block is built there, in bits 16–30. */
const HEAT_ONE = 1 << 16;
/** Heat of an entry whose block was decided (built, or none possible). */
const HEAT_DECIDED = 0x7fff;
/** Default executions before a block of straight-line code (see the constructor). */
const STRAIGHT_AFTER = 16384;

export class Machine implements DeviceHost {
  readonly bus: Bus;
  /** r0..r15; r3 holds what was written to it (the constant generator is decoded, not stored). */
  readonly r = new Uint16Array(16);
  cycle = 0;
  instructions = 0;
  readonly devices: Device[];
  readonly deviceByName: Map<string, Device>;
  readonly extensions: InstructionExtension[] = [];
  /** The board's serial debug interface, if it has one (attach a DebugUart from debug-uart.ts to drive it). */
  readonly debugUartConfig: PeripheralConfig | undefined;
  /** Called before each instruction when set (slow path: traces, profilers). */
  tracer: ((pc: number) => void) | undefined;
  /**
   * Protection hook (Sancus, toolchain/emulator/sancus/): called before each instruction fetch when set, unset while
   * no module is enabled. Returns 0 to execute, GUARD_REFUSED when it refused the fetch and changed the machine
   * state (a PUC requested or a violation interrupt taken), GUARD_STOP to end the run with stop 'violation'.
   */
  guard: ((pc: number) => number) | undefined;
  /** With `guard`: the domains that let translated code run between transitions (see ProtectionDomains). */
  domains: ProtectionDomains | undefined;
  /**
   * Interrupt-enable hook (Sancus atomicity monitor, toolchain/emulator/sancus/atomicity.ts): when set, maps the GIE
   * the interrupt logic would sample (0 or SR_GIE) and the last cycle of the instruction just ended to the GIE used.
   */
  gieGate: ((gie: number, last: number) => number) | undefined;
  /**
   * Interrupt policy of Sancus secure-IRQ boards (toolchain/emulator/sancus/secure-irq.ts): a pending interrupt held
   * off by a clear GIE for `maskBound` cycles is taken anyway where `forceable()` (unprotected code), and `accept()`
   * runs as any interrupt is accepted, before its frame is pushed (it may save a module's context, move PC and SP).
   */
  irqPolicy: { readonly maskBound: number; forceable(): boolean; accept(): void } | undefined;
  /**
   * Skip idle time (default): asleep (CPUOFF), time jumps to the next device event; an idle jump-to-self or a
   * polling loop on a stable register (blocks.ts `spin`) runs its remaining passes at once up to that event. Off,
   * the same time passes one cycle (or one pass) at a time: the oracle that the skip lands every event on the same
   * cycle (test/emulator/idle-skip.test.ts).
   */
  skipIdle: boolean;
  /** Cycles spent asleep (CPUOFF) since reset. */
  asleepCycles = 0;
  /** Instructions of idle loops and polling passes counted in `instructions` without being run one by one. */
  skippedInstructions = 0;
  /** PUCs so far, with their reasons (the watchdog). */
  readonly pucLog: { cycle: number; reason: string }[] = [];

  private readonly fns: (InstructionFn | undefined)[] = new Array(0x8000); // holey: unfilled is cheap to make
  /** Per word: cycles, META_STAMP, META_RETI and the heat (see META_CYCLES). */
  private readonly meta = new Uint32Array(0x8000);
  private readonly blocks: (Block | undefined)[] = new Array(0x8000);
  /**
   * With protection domains: blocks by the domain they run in (a block at w is kept in the table of domain
   * domainOf[w], made lazily), so a block found in the current domain's table needs no domain check. Domain 0
   * (unprotected, and every block without domains) uses `blocks`.
   */
  private readonly domainBlocks: (Block | undefined)[][] = [this.blocks];
  private readonly blockOwners = new Map<number, number[]>();
  private readonly bp = new Uint8Array(0x8000);
  private bpCount = 0;
  private irqLines = 0;
  /** With `irqPolicy`: the cycle since which a pending interrupt is held off by a clear GIE (−1: none). */
  private maskedSince = -1;
  private nextEv = Infinity;
  private pucReason: string | undefined;
  private stopped = false;
  /** Set when a device changed, a PUC or a stop was requested: the fast loop returns to the slow checks. */
  private dirty = false;
  private lastInvalid = 0;
  /** GIE as the interrupt logic sees it at the current instruction boundary (see run). */
  private gieSeen = 0;
  private softwareBreak: number | undefined;
  /** Registers before a polling block's pass (see `spin`). */
  private readonly spinRegs = new Uint16Array(16);

  /** Fast-path executions of an address before a polling-loop block is built there (0: at once; -1: never). */
  private readonly hot: number;
  /** Fast-path executions of an address before any block is built there (-1: never). */
  private readonly hotStraight: number;

  /**
   * `blockAfter`: executions of an entry before its block is built (default: 16 for a polling loop, whose block the
   * idle skip needs, and STRAIGHT_AFTER for other code); -1 never. Why so late for straight-line code: a block is
   * a function of its own, which V8 runs interpreted until that function alone has run thousands of times, while
   * the per-instruction functions are shared by every instruction of a shape and optimised early — on the meter,
   * whose paths run a few times per simulated second, early blocks made the run 1.6× slower than none
   * (test/bench/meter-speed.ts); a hot loop (CRC, test/bench/emulator-speed.ts) reaches the count at once.
   */
  constructor(
    readonly board: Board,
    options: { blockAfter?: number; skipIdle?: boolean } = {},
  ) {
    this.hot = options.blockAfter ?? 16;
    this.hotStraight = options.blockAfter ?? STRAIGHT_AFTER;
    this.skipIdle = options.skipIdle ?? true;
    if (this.hot >= HEAT_DECIDED) throw new Error(`blockAfter must be below ${HEAT_DECIDED} (or -1 for never)`);
    this.bus = new Bus(board);
    this.bus.onCodeWrite = (a) => this.invalidate(a);
    const built = buildDevices(board, this, this.bus);
    this.devices = built.list;
    this.deviceByName = built.byType;
    this.debugUartConfig = built.debugUart;
    this.reset();
  }

  // ---- DeviceHost ------------------------------------------------------------------------------------------
  get now(): number {
    return this.cycle;
  }

  changed(): void {
    this.dirty = true;
    let lines = 0;
    let next = Infinity;
    for (const d of this.devices) {
      lines |= d.irq();
      const e = d.nextEvent();
      if (e < next) next = e;
    }
    this.irqLines = lines;
    this.nextEv = next;
  }

  puc(reason: string): void {
    this.dirty = true;
    this.pucReason = reason;
  }

  /** A running `run` returns to its slow checks after the current instruction (a violation was recorded). */
  attention(): void {
    this.dirty = true;
  }

  /** The protection domains changed (a module enabled or disabled, a PUC): translated blocks are rebuilt. */
  protectionChanged(): void {
    this.dirty = true;
    this.clearBlocks();
  }

  private clearBlocks(): void {
    for (const t of this.domainBlocks) t?.fill(undefined);
    const meta = this.meta;
    for (let w = 0; w < meta.length; w++) meta[w] = meta[w]! & 0xffff;
    this.blockOwners.clear();
  }

  private blocksOf(domain: number): (Block | undefined)[] {
    return (this.domainBlocks[domain] ??= new Array(0x8000));
  }

  // ---- Loading and reset -----------------------------------------------------------------------------------
  /** Copies the image into program/data memory (as the loader or debug unit would) and resets the CPU. */
  load(image: Image): void {
    for (const s of image.segments) {
      for (let i = 0; i < s.bytes.length; i++) {
        const a = s.address + i;
        const k = this.bus.kind[a & 0xffff];
        if (a > 0xffff || (k !== KIND_RAM && k !== KIND_ROM)) {
          throw new InputError(`segment ${s.name ?? ''} at 0x${s.address.toString(16)}: byte 0x${a.toString(16)} is outside the memories of board '${this.board.name}'`, { file: image.file });
        }
        this.bus.poke(a, s.bytes[i]!);
      }
    }
    this.reset();
  }

  /** Power-on reset: registers and peripherals cleared, 4 cycles of reset-vector fetch (research §1). */
  reset(): void {
    this.cycle = 0;
    this.instructions = 0;
    this.asleepCycles = 0;
    this.skippedInstructions = 0;
    for (const d of this.devices) d.powerOn?.();
    this.resetCore();
  }

  private resetCore(): void {
    this.r.fill(0);
    this.gieSeen = 0;
    for (const d of this.devices) d.reset();
    this.r[0] = this.bus.peekWord(RESET_VECTOR) & 0xfffe;
    this.cycle += RESET_CYCLES;
    this.changed();
  }

  private doPuc(): void {
    this.pucLog.push({ cycle: this.cycle, reason: this.pucReason! });
    this.pucReason = undefined;
    this.resetCore();
  }

  // ---- Code cache ------------------------------------------------------------------------------------------
  private invalidate(addr: number): void {
    const w = addr >> 1;
    for (let i = 0; i < 3; i++) this.fns[(w - i) & 0x7fff] = undefined;
    const owners = this.blockOwners.get(w);
    if (owners) {
      for (const entry of owners) {
        this.blocksOf(this.domains === undefined ? 0 : this.domains.domainOf[entry]!)[entry] = undefined;
        this.meta[entry] = this.meta[entry]! & 0xffff;
      }
      this.blockOwners.delete(w);
    }
  }

  /** Translates the hot straight-line code at `pc` into one block function (blocks.ts); only a polling loop's when
   *  `spinOnly`. */
  private makeBlock(pc: number, spinOnly: boolean): void {
    // Extension words (Sancus) decode as invalid here, so a block ends before them; with protection domains a block
    // stays inside its entry's domain and checks the bus's fault flag after each memory access (violations).
    const sw = this.softwareBreak;
    const dom = this.domains?.domainOf;
    const d0 = dom === undefined ? 0 : dom[pc >> 1]!;
    const blk = buildBlock(pc, (a) => (sw !== undefined && this.bus.peekWord(a) === sw) || (dom !== undefined && dom[a >> 1] !== d0) ? undefined : this.decodeAt(a), { r: this.r, b: this.bus, dadd: daddDigits }, dom !== undefined, (a, byte) => this.bus.readStable(a, byte), spinOnly);
    if (!blk) return;
    const entry = pc >> 1;
    this.blocksOf(d0)[entry] = blk;
    for (const w of blk.words) {
      this.bus.code[w] = 1;
      const list = this.blockOwners.get(w);
      if (list) list.push(entry);
      else this.blockOwners.set(w, [entry]);
    }
  }

  /** Decodes (from the instruction table) and translates the instruction at `pc`. */
  private translate(pc: number): InstructionFn {
    const w = pc >> 1;
    const ins = this.softwareBreak !== undefined && this.bus.peekWord(pc) === this.softwareBreak ? undefined : this.decodeAt(pc);
    let fn: InstructionFn;
    let words: number;
    let cyc = 0;
    let flags = 0;
    if (ins) {
      fn = instantiate(generate(ins, pc), this.r, this.bus, daddDigits);
      if (ins.op.timing === 'reti') flags |= META_RETI;
      words = sizeInWords(ins);
      cyc = cycles(ins);
      if (touchesMemory(ins)) flags |= META_STAMP;
    } else {
      flags |= META_STAMP;
      const word = this.bus.peekWord(pc);
      const ext = this.extensions.map((e) => e.translate(word, pc, this)).find((x) => x !== undefined);
      if (ext) {
        fn = ext.fn;
        words = ext.words;
        cyc = ext.cycles;
      } else if (word === this.softwareBreak) {
        fn = () => RET_SWBREAK;
        words = 1;
      } else {
        fn = () => {
          this.lastInvalid = word;
          return -1;
        };
        words = 1;
      }
    }
    for (let i = 0; i < words; i++) this.bus.code[(w + i) & 0x7fff] = 1;
    this.fns[w] = fn;
    // cycles as stored before (a byte: the bus's `now` stamp of an extension word is its first cycle's plus that)
    this.meta[w] = (this.meta[w]! & ~0xffff) | flags | (cyc & META_CYCLES);
    return fn;
  }

  decodeAt(pc: number): Instruction | undefined {
    return decode((i) => this.bus.peekWord(pc + 2 * i));
  }

  // ---- Breakpoints -----------------------------------------------------------------------------------------
  setBreakpoint(addr: number): void {
    if (!this.bp[addr >> 1]) this.bpCount++;
    this.bp[addr >> 1] = BP_BREAK;
  }

  clearBreakpoint(addr: number): void {
    if (this.bp[addr >> 1]) this.bpCount--;
    this.bp[addr >> 1] = 0;
  }

  /** Asks a running `run` to return at the next instruction boundary (from a device callback or a debugger). */
  requestStop(): void {
    this.dirty = true;
    this.stopped = true;
  }

  // ---- Execution -------------------------------------------------------------------------------------------
  private service(): void {
    const now = this.cycle;
    for (const d of this.devices) if (d.nextEvent() <= now) d.advance(now);
    this.changed();
  }

  /** Raises the NMI pin (an SFR with NMIIE set turns it into the vector 0xFFFC interrupt). */
  nmi(): void {
    const sfr = this.devices.find((d) => d.name === 'sfr') as { nmi(): void } | undefined;
    if (!sfr) throw new Error(`board '${this.board.name}' has no SFR: no NMI`);
    sfr.nmi();
  }

  private interrupt(gie: number): void {
    // highest line first; without GIE only the NMI is eligible
    const eligible = gie ? this.irqLines : this.irqLines & NMI_BIT;
    this.maskedSince = -1;
    this.irqPolicy?.accept();
    this.gieSeen = 0; // SR is cleared
    let line = 15;
    while (!(eligible & (1 << line))) line--;
    const r = this.r;
    const b = this.bus;
    b.start = this.cycle;
    b.now = this.cycle + INTERRUPT_CYCLES;
    // Return PC to SP-2, then SR to SP-4; all of SR is cleared (omsp_register_file.v line 247, research §2).
    const sp = (r[1]! - 2) & 0xfffe;
    b.writeWord(sp, r[0]!);
    b.writeWord(sp - 2, r[2]!);
    r[1] = (sp - 2) & 0xfffe;
    r[2] = 0;
    for (const d of this.devices) d.acknowledge?.(line);
    // The frontend fetches the vector (omsp_frontend.v: irq_addr on the program-memory bus), not the execution
    // unit: no Sancus data-access check, so a table inside a protected module's text (issue 20) still vectors.
    r[0] = b.peekWord(VECTOR_BASE + 2 * line) & 0xfffe;
    this.cycle += INTERRUPT_CYCLES;
    this.changed();
  }

  /** Executes one instruction (or accepts one interrupt); for debuggers. A breakpoint here does not stop it. */
  step(): RunResult {
    return this.run({ maxSteps: 1 });
  }

  /**
   * Runs until a stop: the conventional halt (a jump to itself with GIE off; `cycles` then counts up to its
   * decode), `maxCycles` reached at an instruction boundary, asleep with no event left, a breakpoint (not at the
   * first instruction, so a resumed run passes it), an invalid instruction, or `maxSteps` instructions/interrupts.
   */
  run(options: RunOptions = {}): RunResult {
    const limit = options.maxCycles ?? Infinity;
    const maxSteps = options.maxSteps ?? Infinity;
    const r = this.r;
    const b = this.bus;
    const fns = this.fns;
    const meta = this.meta;
    const bp = this.bp;
    let steps = 0;
    this.stopped = false;
    for (;;) {
      if (this.cycle >= this.nextEv) this.service();
      if (this.pucReason !== undefined) this.doPuc();
      if (steps >= maxSteps) return this.result('stopped');
      const sr = r[2]!;
      // The interrupt logic samples GIE in the last cycle of an instruction, before that instruction's own write
      // to SR lands: after EINT one more instruction runs, right after DINT an interrupt is still taken; RETI
      // restores SR earlier, so it counts at once (omsp_frontend.v irq_detect; family guide: EINT). Asleep, the
      // idle state sees the current GIE.
      let gie = sr & SR_CPUOFF ? sr & SR_GIE : this.gieSeen;
      if (this.gieGate !== undefined) gie = this.gieGate(gie, sr & SR_CPUOFF ? this.cycle : this.cycle - 1);
      if (this.irqLines !== 0 && (gie || this.irqLines & NMI_BIT)) {
        this.interrupt(gie);
        steps++;
        continue;
      }
      if (this.irqPolicy !== undefined && this.irqLines !== 0) {
        // Bounded masking: held off at most maskBound cycles, then taken as if GIE were set.
        if (this.maskedSince < 0) this.maskedSince = this.cycle;
        else if (this.cycle >= this.maskedSince + this.irqPolicy.maskBound && this.irqPolicy.forceable()) {
          this.interrupt(SR_GIE);
          steps++;
          continue;
        }
      } else this.maskedSince = -1;
      let forceAt = this.maskedSince < 0 ? Infinity : this.maskedSince + this.irqPolicy!.maskBound;
      // A bound that ran out in a context that may not be forced (restrict_gie: SM 1 and what it calls hold the mask
      // without bound) is no stop: as a budget it would end every pass before its first instruction, for ever. The
      // check above looks again at every boundary the run loop comes back to (each change of protection domain).
      if (forceAt <= this.cycle) forceAt = Infinity;
      if (sr & SR_CPUOFF) {
        // Asleep: time runs straight to the next peripheral event (virtual time).
        const wake = Math.min(this.nextEv, forceAt);
        if (wake === Infinity) return this.result('sleep');
        if (wake >= limit) {
          if (this.cycle < limit) this.asleepCycles += limit - this.cycle;
          this.cycle = Math.max(this.cycle, limit);
          return this.result('max-cycles');
        }
        const to = this.skipIdle ? wake : this.cycle + 1;
        this.asleepCycles += to - this.cycle;
        this.cycle = to;
        continue;
      }
      if (this.cycle >= limit) return this.result('max-cycles');
      if (this.stopped) return this.result('stopped');
      let rc: number;
      const dm = this.guard === undefined ? undefined : this.domains;
      if (this.bpCount === 0 && this.tracer === undefined && maxSteps === Infinity && (this.guard === undefined || (dm !== undefined && dm.quiet && dm.domainOf[r[0]! >> 1] === dm.current))) {
        // Fast path: no breakpoints, no tracer. Runs until the next device event or the limit; leaves early when a
        // device changed (an interrupt may be pending), SR asks for attention, or an instruction returns a marker.
        const budget = Math.min(this.nextEv, limit, forceAt);
        const pending = this.irqLines !== 0; // a pending NMI never reaches here: the check above takes it first
        let seen = this.gieSeen;
        let cycle = this.cycle;
        let n = 0;
        this.dirty = false;
        rc = 1;
        const hot = this.hot;
        const hotStraight = this.hotStraight;
        // Protected: leave for the guard when the next fetch changes domain (domains only change through it). A
        // block from the current domain's table is in that domain; other fetches are checked below.
        const dom = dm?.domainOf;
        const cd = dm === undefined ? 0 : dm.current;
        const blocks = cd === 0 ? this.blocks : this.blocksOf(cd);
        while (cycle < budget) {
          const w = r[0]! >> 1;
          const blk = blocks[w];
          if (blk !== undefined) {
            if (cycle + blk.maxCycles <= budget) {
              const g = r[2]! & SR_GIE; // only a block's last instruction can change GIE
              const spin = blk.spin && this.skipIdle;
              if (spin) this.spinRegs.set(r);
              const x = blk.fn(cycle);
              cycle += x & 0xffff;
              n += x >>> 16;
              seen = blk.endsWithReti ? r[2]! & SR_GIE : g;
              if (this.dirty || r[2]! & SR_CPUOFF || (pending && seen)) break;
              if (spin && r[0]! >> 1 === w && b.fault === 0 && sameRegisters(r, this.spinRegs)) {
                // A polling pass that changed nothing: every pass that would still start before the next event
                // (cycle + maxCycles ≤ budget, as above) reads the same stable values, so it is this pass again.
                const c = x & 0xffff;
                const k = Math.floor((budget - blk.maxCycles - cycle) / c) + 1;
                if (k > 0) {
                  cycle += k * c;
                  n += k * (x >>> 16);
                  this.skippedInstructions += k * (x >>> 16);
                }
              }
              continue;
            }
          } else if (dom !== undefined && dom[w] !== cd) break;
          const mw = meta[w]!;
          const h = mw >>> 16;
          if (blk === undefined && h !== HEAT_DECIDED) {
            meta[w] = mw + HEAT_ONE;
            if (h === hotStraight) {
              meta[w] = (mw & 0xffff) | (HEAT_DECIDED * HEAT_ONE); // a block or none, for good (until the code changes)
              this.makeBlock(r[0]!, false);
            } else if (h === hot) this.makeBlock(r[0]!, true);
          }
          const f = fns[w] ?? this.translate(r[0]!);
          const m2 = meta[w]!; // translate may have filled it
          if (m2 & META_STAMP) {
            b.start = cycle;
            b.now = cycle + (m2 & META_CYCLES);
            b.pc = r[0]!;
          }
          const g = r[2]! & SR_GIE;
          rc = f();
          if (rc <= 0) break;
          seen = m2 & META_RETI ? r[2]! & SR_GIE : g;
          cycle += rc;
          n++;
          if (this.dirty || r[2]! & SR_CPUOFF || (pending && seen)) break;
        }
        this.gieSeen = seen;
        this.cycle = cycle;
        this.instructions += n;
        if (rc > 0) continue;
      } else {
        const pc = r[0]!;
        const w = pc >> 1;
        if (this.bpCount !== 0 && bp[w] !== 0 && steps !== 0) return this.result(bp[w] === BP_RETURN ? 'return' : 'breakpoint');
        if (this.guard !== undefined) {
          const g = this.guard(pc);
          if (g === GUARD_STOP) return this.result('violation');
          if (g !== 0) continue;
        }
        if (this.tracer) this.tracer(pc);
        const f = fns[w] ?? this.translate(pc);
        b.start = this.cycle;
        b.now = this.cycle + (meta[w]! & META_CYCLES);
        b.pc = pc;
        const g = r[2]! & SR_GIE;
        rc = f();
        steps++;
        if (rc > 0) {
          this.gieSeen = meta[w]! & META_RETI ? r[2]! & SR_GIE : g;
          this.cycle += rc;
          this.instructions++;
          continue;
        }
      }
      if (rc === RET_HALT) {
        // secure_irq with a module enabled: unprotected code's clear GIE is bounded, so this is no halt while time
        // can still bring an interrupt (the halt convention of plain programs stays).
        if (!(r[2]! & SR_GIE) && !(this.irqPolicy?.forceable() && this.guard !== undefined && (forceAt < Infinity || this.nextEv < Infinity))) return this.result('halt');
        this.gieSeen = r[2]! & SR_GIE;
        // An idle loop with interrupts on (or held off for a bounded time only): skip to the next event in steps of
        // the jump's 2 cycles.
        if (this.nextEv === Infinity && forceAt === Infinity) return this.result('sleep');
        const target = Math.min(this.nextEv, limit, forceAt);
        const n = this.skipIdle ? Math.max(1, Math.ceil((target - this.cycle) / 2)) : 1;
        this.cycle += 2 * n;
        this.instructions += n;
        this.skippedInstructions += n - 1;
        continue;
      }
      if (rc === RET_SWBREAK) return this.result('breakpoint');
      return this.result('invalid');
    }
  }

  /**
   * The debug unit's software breakpoint: fetching this instruction word stops the run (reason 'breakpoint')
   * instead of executing it (openMSP430 DBG_SWBRK_OP 0x4343 with CPU_CTL.SW_BRK_EN). undefined turns it off.
   */
  setSoftwareBreakpoint(word: number | undefined): void {
    if (word === this.softwareBreak) return;
    this.softwareBreak = word;
    this.fns.fill(undefined);
    this.clearBlocks();
  }

  /**
   * Calls the function at `address` with 16-bit argument words in r12, r13, r14, r15 (MSP430 EABI: a 32-bit
   * argument takes a register pair, low word first), a return address that stops the run, and `sp` as the stack
   * top (default: the current SP). Returns the registers and the cycles from the call to the return.
   */
  call(address: number, args: number[] = [], options: { maxCycles?: number; sp?: number; returnAddress?: number } = {}): CallResult {
    if (args.length > 4) throw new Error(`call: at most 4 argument words in registers, got ${args.length}`);
    const ret = options.returnAddress ?? 0x0000; // peripheral space: never code, so it marks the return
    const r = this.r;
    if (options.sp !== undefined) r[1] = options.sp & 0xfffe;
    args.forEach((v, i) => (r[12 + i] = v));
    r[1] = (r[1]! - 2) & 0xfffe;
    this.bus.writeWord(r[1]!, ret);
    r[0] = address & 0xfffe;
    const mark = this.bp[ret >> 1]!;
    if (!mark) this.bpCount++;
    this.bp[ret >> 1] = BP_RETURN;
    const start = this.cycle;
    try {
      const res = this.run({ maxCycles: options.maxCycles === undefined ? undefined : start + options.maxCycles });
      return { stop: res.stop, cycles: res.cycles - start, registers: Array.from(r), pc: res.pc };
    } finally {
      this.bp[ret >> 1] = mark;
      if (!mark) this.bpCount--;
    }
  }

  private result(stop: StopReason): RunResult {
    const res: RunResult = { stop, cycles: this.cycle, instructions: this.instructions, pc: this.r[0]! };
    if (stop === 'invalid') res.word = this.lastInvalid;
    return res;
  }
}

function sameRegisters(a: Uint16Array, b: Uint16Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
