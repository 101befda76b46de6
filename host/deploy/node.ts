// One emulated Sancus node as the loader and the event manager see it: load an image, enable a module, call a
// module entry, read and write unprotected memory. Everything here is untrusted software's view: it can read only
// unprotected memory (the machine's checked bus path, so a peek at module data is refused and recorded).
import type { Board } from '../../boards/board.ts';
import { OperationError } from '../../toolchain/common/errors.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus, type SancusUnit } from '../../toolchain/emulator/sancus/unit.ts';
import { describeViolation } from '../../toolchain/emulator/sancus/violations.ts';
import type { Image } from '../../toolchain/link/image.ts';
import type { ModuleInfo } from '../../toolchain/sancus/module/package.ts';
import { DebugLoader, emulatorDebugPort } from './debug-loader.ts';
import { ENABLE_ROUTINE, IDLE_LOOP, MAILBOX, NODE_STACK_TOP } from './node-runtime.ts';

export interface EntryResult {
  registers: number[];
  cycles: number;
}

const MAX_CALL_CYCLES = 5_000_000;

export class EmulatedNode {
  readonly machine: Machine;
  readonly sancus: SancusUnit;
  private readonly symbols = new Map<string, number>();
  readonly modules = new Map<string, ModuleInfo & { id: number }>();
  /** Set when the node is loaded through its serial debug interface (`loader: 'debug-uart'`). */
  readonly debug: DebugLoader | undefined;

  constructor(readonly name: string, readonly board: Board, image: Image, modules: ModuleInfo[], options: { loader?: 'direct' | 'debug-uart' } = {}) {
    this.machine = new Machine(board);
    const u = attachSancus(this.machine);
    if (!u) throw new OperationError(`board '${board.name}' has no Sancus unit (no "sancus" object in its board file)`);
    this.sancus = u;
    for (const s of image.symbols) this.symbols.set(s.name, s.address);
    if (options.loader === 'debug-uart') {
      if (!this.machine.debugUartConfig) throw new OperationError(`board '${board.name}' has no serial debug interface`);
      this.debug = new DebugLoader(emulatorDebugPort(this.machine));
      this.debug.flash(image);
      // Boot: reset, run the start-up (watchdog held) to the idle loop.
      this.debug.runUntil(this.symbol(IDLE_LOOP), true);
    } else {
      this.machine.load(image);
      this.reboot();
    }
    for (const m of modules) this.modules.set(m.name, { ...m, id: 0 });
  }

  /** Power-on reset (module table cleared, as on the core) and boot: the runtime stops the watchdog and parks. */
  reboot(): void {
    this.machine.reset();
    const boot = this.machine.run({ maxCycles: 100_000 });
    if (boot.stop !== 'halt') throw new OperationError(`node ${this.name}: start-up ended with '${boot.stop}', expected the idle loop`);
    for (const m of this.modules.values()) m.id = 0;
  }

  symbol(name: string): number {
    const a = this.symbols.get(name);
    if (a === undefined) throw new OperationError(`node ${this.name}: no symbol '${name}' in its image`);
    return a;
  }

  module(name: string): ModuleInfo & { id: number } {
    const m = this.modules.get(name);
    if (!m) throw new OperationError(`node ${this.name}: no module '${name}'`);
    return m;
  }

  /** Runs unprotected code at `address` as a function; throws when it ends in anything but a return. */
  call(address: number, args: number[], regs: Record<number, number> = {}): EntryResult {
    const m = this.machine;
    const before = this.sancus.violations.length;
    for (const [r, v] of Object.entries(regs)) m.r[Number(r)] = v & 0xffff;
    const res = m.call(address, args, { sp: NODE_STACK_TOP, maxCycles: MAX_CALL_CYCLES });
    if (res.stop !== 'return') {
      const v = this.sancus.violations.slice(before).map(describeViolation);
      throw new OperationError(`node ${this.name}: call to 0x${address.toString(16)} ended with '${res.stop}'${v.length ? ` after ${v.join('; ')}` : ''}`, { stop: res.stop, violations: v });
    }
    return { registers: res.registers, cycles: res.cycles };
  }

  /** SM_ENABLE through the node's loader routine; returns the module ID (0: refused). */
  enable(name: string, confidential?: { nonce: number; tagAddress: number }): number {
    const info = this.module(name);
    const l = info.layout;
    if (this.debug) {
      // Through the debug interface: registers set, run the loader routine to just after its SM_ENABLE.
      const at = this.symbol(ENABLE_ROUTINE);
      const regs = this.debug.runRoutine(at, { 1: NODE_STACK_TOP, 9: confidential?.tagAddress ?? 0, 10: confidential?.nonce ?? 0,
        11: info.vendorId, 12: l.textStart, 13: l.textEnd, 14: l.dataStart, 15: l.dataEnd }, at + 2);
      info.id = regs[15]!;
      return info.id;
    }
    const r = this.call(this.symbol(ENABLE_ROUTINE), [l.textStart, l.textEnd, l.dataStart, l.dataEnd],
      { 9: confidential?.tagAddress ?? 0, 10: confidential?.nonce ?? 0, 11: info.vendorId });
    info.id = r.registers[12]!;
    return info.id;
  }

  /** Calls entry `index` of a module with r12–r15 = args (the stub's convention: index in r6). */
  callEntry(name: string, index: number, args: number[] = []): EntryResult {
    return this.call(this.module(name).entry, args, { 6: index });
  }

  /** Unprotected memory writes and reads, as the untrusted software on the node does them (checked). */
  write(address: number, bytes: Uint8Array): void {
    this.sancus.asUnprotected(() => {
      for (let i = 0; i < bytes.length; i++) this.machine.bus.writeByte(address + i, bytes[i]!);
    });
  }

  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.sancus.asUnprotected(() => {
      for (let i = 0; i < length; i++) out[i] = this.machine.bus.readByte(address + i);
    });
    return out;
  }

  get mailbox(): number {
    return this.symbol(MAILBOX);
  }
}
