// The meter's modules on two machines (the compiler's V8-vs-emulator style, test/compiler/differential.ts): a
// module's logic, compiled by toolchain/compiler from an AS harness in test/firmware/as/, runs on the emulated
// board and, from the very same wasm, in V8. Every call goes to both; results and the memory read back must agree,
// so a test of the meter is also a differential test of the compiler on the meter's code. Input payloads are
// placed where the generated input path puts them (linear memory [16, 80), firmware/README.md), so `data` = 16.
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { buildSource, type BuildResult } from '../../toolchain/compiler/compile.ts';
import { loadAsConfig } from '../../toolchain/compiler/front.ts';
import { TRAP } from '../../toolchain/compiler/traps.ts';
import { imageFromLinked, type Image } from '../../toolchain/link/image.ts';
import type { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import { wrap } from '../../toolchain/sancus/index.ts';
import { romImports } from '../compiler/rom-imports.ts';

export const board = loadBoard('emulated');
/** The modules' own options (memoryBase 80: the input buffer at [16, 80) is never AS data). */
// The modules' own heap (0): the compiler maps linear memory up to the end of static data (a7b0e51), zero-filled
// buffers included, so no heap is needed to cover them; and a module reading a ROM tail (hasm.rom_*, the DLMS
// server's crypto tables) is refused with a heap (toolchain/compiler/rom-tail.ts). HARNESS_HEAP: the harnesses whose
// tests use scratch memory past their statics.
const firmwareConfig = loadAsConfig('', fileURLToPath(new URL('../../firmware/asconfig.json', import.meta.url)));
export const FIRMWARE_CONFIG = firmwareConfig;
const HARNESS_HEAP: Record<string, number> = {
  prf: 4096, // prf.test.ts: keys, inputs and wrap buffers at fixed addresses from 300 on
};
export const INPUT = 16;

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function harnessPath(name: string): string {
  return fileURLToPath(new URL(`./as/${name}.ts`, import.meta.url));
}

export class Module {
  readonly image: Image;
  readonly machine: Machine;
  private readonly base: number;
  calls = 0;
  cycles = 0;
  constructor(
    readonly build: BuildResult,
    /** undefined for a driver: its MMIO has no V8 counterpart, it runs on the emulated board only. */
    private readonly v8: Record<string, unknown> | undefined,
  ) {
    this.image = imageFromLinked(build.image, 'firmware');
    this.machine = loadMachine(this.image, board);
    // The board's Sancus unit: hasm.sancus_wrap issues the crypto unit's wrap (a key pointer needs no module).
    attachSancus(this.machine);
    this.base = this.image.symbols.find((s) => s.name === '__hasm_mem')!.address;
  }

  private get mem(): Uint8Array | undefined {
    return this.v8 && new Uint8Array((this.v8.memory as { buffer: ArrayBuffer }).buffer);
  }

  /** A device of the emulated board by name ('metrology', 'relay', 'tamper', 'button', 'han', 'clock'). */
  device<T>(name: string): T {
    const d = this.machine.devices.find((x) => x.name === name);
    if (!d) throw new Error(`no device ${name}`);
    return d as T;
  }

  /** Lets `cycles` of virtual time pass with the CPU idle (as in a low-power wait): the devices catch up at the
   *  next call. */
  idle(cycles: number): void {
    this.machine.cycle += cycles;
  }

  /** Calls an export on both machines; throws on a trap or a disagreement. Results as unsigned 32-bit for u32/usize,
   *  signed when `signed`. */
  call(name: string, ...args: number[]): number {
    const fn = this.v8?.[name] as ((...a: number[]) => number | undefined) | undefined;
    if (this.v8 && typeof fn !== 'function') throw new Error(`no export ${name}`);
    const want = fn?.(...args);
    const o = callExport(this.machine, this.image, name, args.map((a) => BigInt(a | 0)), { maxCycles: 20_000_000 });
    this.calls++;
    this.cycles += o.cycles;
    if (o.trap) throw new Error(`${name}(${args.join(', ')}) trapped on the emulator: ${o.trap}`);
    const got = o.result === undefined ? undefined : Number(BigInt.asIntN(32, o.result));
    const w = want === undefined ? undefined : want | 0;
    if (this.v8 && got !== w) throw new Error(`${name}(${args.join(', ')}): V8 ${w}, emulator ${got}`);
    return got ?? 0;
  }

  /** Writes bytes at a linear-memory address on both machines. */
  write(addr: number, bytes: Uint8Array | number[]): void {
    const b = Uint8Array.from(bytes);
    this.mem?.set(b, addr);
    b.forEach((x, i) => this.machine.bus.poke(this.base + addr + i, x));
  }

  /** Reads bytes from both machines; throws when they differ. */
  read(addr: number, n: number): Uint8Array {
    const b = Uint8Array.from({ length: n }, (_, i) => {
      const a = this.base + addr + i;
      return (this.machine.bus.peekWord(a & ~1) >> ((a & 1) * 8)) & 0xff;
    });
    const a = this.mem?.slice(addr, addr + n) ?? b;
    if (!a.every((x, i) => x === b[i])) throw new Error(`memory at ${addr}+${n}: V8 ${[...a]} vs emulator ${[...b]}`);
    return b;
  }

  /** A module's logic on an input: the payload at INPUT (where the logic reads it, lib/events.ts IN), `fn(len)`. */
  input(fn: string, payload: Uint8Array | number[]): number {
    this.write(INPUT, payload);
    return this.call(fn, payload.length);
  }

  /** A module's input handler itself: the payload at INPUT, `input_NAME(INPUT, len)`. */
  event(fn: string, payload: Uint8Array | number[]): number {
    this.write(INPUT, payload);
    return this.call(fn, INPUT, payload.length);
  }
}

const builds = new Map<string, Promise<BuildResult>>();

/** A fresh instance (new emulated machine, new V8 instance unless `emulatorOnly`) of a harness, compiled once per
 *  test file. */
export async function loadModule(name: string, emulatorOnly = false): Promise<Module> {
  if (!builds.has(name)) builds.set(name, buildSource(harnessPath(name), board, { ...FIRMWARE_CONFIG, heap: HARNESS_HEAP[name] ?? FIRMWARE_CONFIG.heap }));
  const build = await builds.get(name)!;
  const trap = (r: number) => {
    throw new Error(`trap ${Object.entries(TRAP).find(([, v]) => v === r)?.[0] ?? r}`);
  };
  if (emulatorOnly) return new Module(build, undefined);
  // V8's side of hasm.sancus_wrap: the SpongeWrap model on the instance's memory (hardware semantics: an odd range
  // is padded with the byte after it, as the unit reads whole words). Refusals as the unit's: key 0 outside a
  // module, AD and body both empty.
  let memory: { buffer: ArrayBuffer } | undefined;
  const sancus_wrap = (key: number, ad: number, adLen: number, body: number, bodyLen: number, cipher: number, tag: number): number => {
    const mem = new Uint8Array(memory!.buffer);
    if (key === 0 || (adLen === 0 && bodyLen === 0)) return 0;
    for (const [at, n] of [[key, 8], [ad, adLen], [body, bodyLen], [cipher, bodyLen], [tag, 8]] as const) {
      if (at < 0 || n < 0 || at + n > mem.length) throw new Error('memory access out of bounds');
    }
    const r = wrap(mem.slice(key, key + 8), mem.slice(ad, ad + adLen), mem.slice(body, body + bodyLen), { followingAd: mem[ad + adLen] ?? 0, followingBody: mem[body + bodyLen] ?? 0 });
    mem.set(r.cipher, cipher);
    mem.set(r.tag, tag);
    return 1;
  };
  const { instance } = await WA.instantiate(build.front!.wasm, { hasm: { trap, sancus_wrap, ...romImports(() => memory!) } });
  memory = instance.exports.memory as { buffer: ArrayBuffer };
  return new Module(build, instance.exports);
}

/** Little-endian message building. */
export class Msg {
  private readonly b: number[] = [];
  u8(v: number): this {
    this.b.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  bytes(v: ArrayLike<number>): this {
    for (let i = 0; i < v.length; i++) this.b.push(v[i]! & 0xff);
    return this;
  }
  get(): number[] {
    return [...this.b];
  }
}

export const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
export const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
