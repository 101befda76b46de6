// The data bus of the openMSP430 (research/openmsp430.md §1): program memory read-only for the CPU, data memory,
// the peripheral space dispatched to devices. Word accesses ignore address bit 0; byte accesses use the exact byte.
import type { Board } from '../../boards/board.ts';
import type { Device } from './device.ts';

export const KIND_NONE = 0;
export const KIND_RAM = 1;
export const KIND_ROM = 2;
export const KIND_PER = 3;

/** The protection table while no module is enabled: nothing to check. */
export const UNPROTECTED = new Uint16Array(0x10000);
export const ALLOW = (): boolean => true;

export class Bus {
  readonly mem = new Uint8Array(0x10000);
  /** Per byte address: KIND_*. Unmapped addresses read 0 and drop writes (the RTL leaves them undefined). */
  readonly kind = new Uint8Array(0x10000);
  /** Per byte address: 1 + index into `devices`, or 0 for none. */
  private readonly owner = new Uint8Array(0x10000);
  readonly devices: Device[] = [];
  /** Per word: 1 if a predecoded instruction covers it (so a write must invalidate the code cache). */
  readonly code = new Uint8Array(0x8000);
  /** Set by the machine: called when a CPU write lands on a word holding predecoded code. */
  onCodeWrite: (addr: number) => void = () => {};
  /** The cycle stamp devices see for the current access (set by the machine). */
  now = 0;
  /** The decode cycle of the instruction being executed. */
  start = 0;
  /** Address of the instruction being executed (the machine sets it; access checks attribute violations to it). */
  pc = 0;
  /** Set by an access check that refused an access (Sancus): translated blocks end after that instruction. */
  fault = 0;
  /** True during the early (second-cycle) operand read of @Rn/@Rn+ sources (multiplier latency, §3). */
  early = false;
  /**
   * The CPU access check (Sancus, sancus/bus-guard.ts installs it while a module is enabled): per byte address,
   * non-zero where a module's text or data lies, and only those accesses go to `check` (false refuses them: reads
   * give 0, writes are dropped, except at peripherals when `refusedPeripheralsPerformed`). Part of the four CPU
   * access methods themselves rather than an override on the instance, so the translated instructions call one
   * method that V8 can inline (issue 18 "Simulation speed": a second call per access was the override's cost).
   */
  protectedAt: Uint16Array = UNPROTECTED;
  check: (addr: number, write: boolean) => boolean = ALLOW;
  refusedPeripheralsPerformed = false;

  constructor(board: Board) {
    for (const m of board.memory) {
      // nvm is RAM to the CPU; it differs only in what survives a power cycle (the memory array is never cleared).
      const k = m.kind === 'ram' || m.kind === 'nvm' ? KIND_RAM : m.kind === 'rom' ? KIND_ROM : KIND_PER;
      this.kind.fill(k, m.start, m.start + m.size);
    }
  }

  attach(dev: Device): void {
    const idx = this.devices.length;
    this.devices.push(dev);
    for (const a of dev.addresses) {
      if (this.owner[a] !== 0) throw new Error(`device ${dev.name} overlaps ${this.devices[this.owner[a]! - 1]!.name} at 0x${a.toString(16)}`);
      this.owner[a] = idx + 1;
    }
  }

  // CPU accesses (checked). Word accesses are checked at the even address the memory sees (bit 0 ignored); bytes at
  // their own address.
  readWord(addr: number): number {
    const a = addr & 0xfffe;
    if (this.protectedAt[a] !== 0 && !this.check(a, false)) return this.refused(a, false);
    if (this.kind[a] === KIND_PER) return this.perRead(a, false);
    return this.mem[a]! | (this.mem[a + 1]! << 8);
  }

  readByte(addr: number): number {
    const a = addr & 0xffff;
    if (this.protectedAt[a] !== 0 && !this.check(a, false)) return this.refused(a, true);
    if (this.kind[a] === KIND_PER) return this.perRead(a, true);
    return this.mem[a]!;
  }

  writeWord(addr: number, value: number): void {
    const a = addr & 0xfffe;
    if (this.protectedAt[a] !== 0 && !this.check(a, true) && !(this.refusedPeripheralsPerformed && this.kind[a] === KIND_PER)) return;
    this.writeWordUnchecked(a, value);
  }

  writeByte(addr: number, value: number): void {
    const a = addr & 0xffff;
    if (this.protectedAt[a] !== 0 && !this.check(a, true) && !(this.refusedPeripheralsPerformed && this.kind[a] === KIND_PER)) return;
    const k = this.kind[a]!;
    if (k === KIND_RAM) {
      this.mem[a] = value;
      if (this.code[a >> 1]) this.onCodeWrite(a);
    } else if (k === KIND_PER) this.perWrite(a, value & 0xff, true);
  }

  /** A refused read: 0 to the CPU; at a peripheral on the shipped core the read still happens (bus-guard.ts). */
  private refused(a: number, byte: boolean): number {
    if (this.refusedPeripheralsPerformed && this.kind[a] === KIND_PER) this.perRead(a, byte);
    return 0;
  }

  /** A CPU-path read that no access check sees (the interrupt logic and the crypto unit check for themselves). */
  readWordUnchecked(addr: number): number {
    const a = addr & 0xfffe;
    if (this.kind[a] === KIND_PER) return this.perRead(a, false);
    return this.mem[a]! | (this.mem[a + 1]! << 8);
  }

  /** A CPU-path write that no access check sees (see readWordUnchecked). */
  writeWordUnchecked(addr: number, value: number): void {
    const a = addr & 0xfffe;
    const k = this.kind[a]!;
    if (k === KIND_RAM) {
      this.mem[a] = value;
      this.mem[a + 1] = value >> 8;
      if (this.code[a >> 1]) this.onCodeWrite(a);
    } else if (k === KIND_PER) this.perWrite(a, value & 0xffff, false);
    // program memory and unmapped space: the CPU's write is dropped (omsp_mem_backbone.v)
  }

  /** Debugger/loader access: bypasses devices and the read-only rule. */
  peekWord(addr: number): number {
    const a = addr & 0xfffe;
    return this.mem[a]! | (this.mem[a + 1]! << 8);
  }

  /** Loader/debug-unit write: program memory is writable from here (as the debug unit or DMA can). */
  poke(addr: number, byte: number): void {
    const a = addr & 0xffff;
    this.mem[a] = byte;
    if (this.code[a >> 1]) this.onCodeWrite(a);
  }

  /**
   * A CPU read of `addr` has no side effect and its value stays until a device event or a write: memory always
   * (only the CPU writes it), a peripheral register when its device says so (Device.readStable).
   */
  readStable(addr: number, byte: boolean): boolean {
    const a = byte ? addr & 0xffff : addr & 0xfffe;
    if (this.kind[a] !== KIND_PER) return true;
    let o = this.owner[a]!;
    if (o === 0 && !byte) o = this.owner[a + 1]!;
    if (o === 0) return true;
    return this.devices[o - 1]!.readStable?.(a, byte) ?? false;
  }

  private perRead(a: number, byte: boolean): number {
    // An 8-bit register file may own only one byte of the word a word read addresses.
    let o = this.owner[a]!;
    if (o === 0 && !byte) o = this.owner[a + 1]!;
    if (o === 0) return 0;
    return this.devices[o - 1]!.read(a, byte, this.now);
  }

  private perWrite(a: number, v: number, byte: boolean): void {
    let o = this.owner[a]!;
    if (o === 0 && !byte) o = this.owner[a + 1]!;
    if (o !== 0) this.devices[o - 1]!.write(a, v, byte, this.now);
  }
}
