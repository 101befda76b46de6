// Read-only tables in the module's text (toolchain/compiler/README.md "Read-only tables"): hasm.rom_u8/rom_u16
// read the lazily compiled statics, which the compiler keeps in text (the ROM tail [X, E)) and not in RAM.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource, type BuildResult } from '../../toolchain/compiler/compile.ts';
import { loadAsConfig } from '../../toolchain/compiler/front.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { compiledModuleSpec } from '../../toolchain/sancus/module/compiled.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { differential } from './differential.ts';

const board = loadBoard('emulated');
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** The default options with no heap: a module that reads its ROM tail maps none (the heap would lie in ROM). */
const build = (path: string, heap = 0) => buildSource(here(path), board, { ...loadAsConfig(here(path)), heap });
const WA = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, { value: number }> } }> } }).WebAssembly;
/** A wasm global's value (the tables' addresses are exported globals), from V8. */
async function globalOf(b: BuildResult, name: string): Promise<number> {
  const { instance } = await WA.instantiate(b.front!.wasm, { hasm: { rom_u8: () => 0, rom_u16: () => 0, trap: () => {} } });
  return instance.exports[name]!.value;
}
/** The image bytes at a symbol. */
function bytesAt(b: BuildResult, sym: string, n: number): { region?: string; write: boolean; bytes: number[] } {
  const a = b.image.symbols.find((s) => s.name === sym)!.address;
  const s = b.image.sections.find((x) => a >= x.address && a + n <= x.address + x.size)!;
  return { region: s.region, write: s.write, bytes: Array.from(s.bytes.subarray(a - s.address, a - s.address + n)) };
}

const SBOX = [0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76];

describe('hasm.rom_u8 / rom_u16', () => {
  it('read the lazy tables as V8 does (differential, seeded)', async () => {
    const b = await build('./fixtures/rom-tables.ts');
    const { calls, mismatches } = await differential(b.front!.wasm, b, board, { seed: 0x5b0c, cases: 40 });
    expect(calls).toBeGreaterThan(100);
    expect(mismatches.slice(0, 10)).toEqual([]);
    const image = imageFromLinked(b.image, 'rom');
    const m = loadMachine(image, board);
    // the tables' bytes themselves (the fixture's SBOX and R8), u16 little-endian across an odd address
    expect([0, 1, 15].map((i) => callExport(m, image, 'sbox', [BigInt(i)]).result)).toEqual([0x63n, 0x7cn, 0x76n]);
    expect([1, 7].map((i) => callExport(m, image, 'reduce', [BigInt(i)]).result)).toEqual([0x01c2n, 0x054en]);
    expect(callExport(m, image, 'reduceOdd', [0n]).result).toBe(0xc200n); // bytes 00 00 c2 01: R8 + 1 reads 00, c2
    // rom_u8's result is known [0, 255] (intrinsics.ts callRanges): AS's mask of the u8 it returns is dropped, and
    // the indices masked to the tables' sizes need no bounds check
    expect(b.backend.asm).toMatch(/mov\.b __hasm_rom\(r\d+\), r\d+/);
    expect(b.backend.asm).not.toMatch(/mov\.b __hasm_rom\(r\d+\), (r\d+)\n {2}bic #65280, \1/);
    expect(b.backend.asm).not.toMatch(/_trap_memory/);
  }, 60_000);

  it('keep the tables in text: RAM ends where they begin', async () => {
    const b = await build('./fixtures/rom-tables.ts');
    const sbox = await globalOf(b, 'SBOX');
    const r8 = await globalOf(b, 'R8');
    // The eager buffers (BUF, COUNT: 32 + 4 bytes from memoryBase 16) are RAM; the two tables (16 + 16 bytes) are not.
    expect(sbox).toBe(16 + 32 + 4);
    expect(r8).toBe(sbox + 16);
    expect(b.backend.memSize).toBe(sbox);
    expect(b.image.symbols.find((s) => s.name === '__hasm_mem')).toBeDefined();
    // program memory (flash), read-only, beside the code (a Sancus module's packaging: its text, the next test)
    const rom = bytesAt(b, '__hasm_rom', 32);
    expect([rom.region, rom.write]).toEqual(['pmem', false]);
    expect(rom.bytes.slice(0, 16)).toEqual(SBOX);
    expect(rom.bytes.slice(16, 20)).toEqual([0x00, 0x00, 0xc2, 0x01]);
    // __hasm_init writes none of the tables' words into RAM: its stores and runs end below X.
    expect(b.backend.asm).not.toMatch(new RegExp(`&__hasm_mem\\+(${sbox}|${sbox + 2}|${sbox + 16})\\b`));
    expect(b.backend.asm).toMatch(new RegExp(`\\.skip ${sbox}\\b`));
  }, 60_000);

  it('trap at run time outside their regions: a rom read outside [X, E), an ordinary access to [X, E)', async () => {
    const b = await build('./fixtures/rom-traps.ts');
    const image = imageFromLinked(b.image, 'rom-traps');
    const m = loadMachine(image, board);
    const call = (fn: string, ...args: number[]) => callExport(m, image, fn, args.map(BigInt));
    const x = Number(call('table').result);
    expect(x).toBe(33); // BUF [16, 32), ODD 32, then the table: X odd
    const end = 40; // the table's 7 bytes
    expect(b.backend.memSize).toBe(x);
    expect([0, 6].map((i) => call('romAt', x + i).result)).toEqual([10n, 70n]);
    expect(call('romWordAt', x).result).toBe(10n + 20n * 256n); // odd address
    expect(call('romWordAt', x + 1).result).toBe(20n + 30n * 256n); // even
    expect(call('romWordAt', end - 2).result).toBe(60n + 70n * 256n);
    for (const a of [x - 1, 0, end, end + 1, 0x10000 + x]) expect(call('romAt', a).trap, `romAt(${a})`).toBe('memory');
    expect(call('romWordAt', end - 1).trap).toBe('memory');
    expect(call('romWordAt', x - 1).trap).toBe('memory');
    // ordinary accesses: RAM below X works (its last byte shares a word with the tail's first), the table is out of reach
    expect(call('peek', 15).result).toBe(0n);
    expect(call('peek', 16).result).toBe(0n); // ODD
    expect(call('odd').result).toBe(0n);
    expect(call('poke', 0, 1).trap).toBe('memory');
    expect(call('poke', 6, 1).trap).toBe('memory');
    expect(call('peek', 17).trap).toBe('memory'); // BUF + 17 = X
    for (const i of [0, 255]) expect(call('far', i).trap).toBe('memory');
    expect(call('romAt', x).result).toBe(10n); // nothing was written
  }, 60_000);

  it('lie in the Sancus module\'s protected text, which no store changes', async () => {
    const b = await build('./fixtures/rom-tables.ts');
    const built = buildNodeImage(board, [compiledModuleSpec('rt', 0x7a19, b.backend)]);
    const info = built.modules[0]!;
    const rom = info.symbols['__sm_rt__hasm_rom']!;
    expect(rom).toBeGreaterThanOrEqual(info.layout.textStart);
    expect(rom + 32).toBeLessThanOrEqual(info.layout.textEnd);
    const node = new EmulatedNode('n', board, built.image, built.modules);
    expect(node.enable('rt')).toBe(1);
    node.callEntry('rt', 3);
    const sbox = (i: number) => node.callEntry('rt', info.entries.find((e) => e.name === 'sbox')!.index, [i, 0]).registers[12];
    expect(sbox(1)).toBe(0x7c);
    const before = node.sancus.violations.length;
    node.write(rom + 1, Uint8Array.of(0));
    expect(node.sancus.violations.slice(before).map((v) => [v.kind, v.address])).toEqual([['write', rom + 1]]);
    // unchanged (read past the protection: unprotected code may not even read the module's text)
    expect(Array.from({ length: 16 }, (_, i) => node.machine.bus.peekWord((rom + i) & ~1) >> (8 * ((rom + i) & 1)) & 0xff)).toEqual(SBOX);
  }, 60_000);

  it('refuse what can never be right, naming the function', async () => {
    const load = await build('./errors/rom-load.ts').catch((e: Error) => e);
    expect(String(load)).toMatch(/rom-load\.ts:\d+: function third: an ordinary load or store of linear memory \[\d+, \d+\) lies in the read-only tail/);
    const below = await build('./errors/rom-below.ts').catch((e: Error) => e);
    expect(String(below)).toMatch(/rom-below\.ts:\d+: function ramByRom: hasm\.rom_u8\/rom_u16 of linear memory \[17, 18\) lies outside the read-only tail/);
    const copy = await build('./errors/rom-copy.ts').catch((e: Error) => e);
    expect(String(copy)).toMatch(/rom-copy\.ts:\d+: function copyTable: an ordinary load or store of linear memory \[\d+, \d+\) \(memory\.copy\) lies in the read-only tail/);
    const heap = await build('./fixtures/rom-tables.ts', 1024).catch((e: Error) => e);
    expect(String(heap)).toMatch(/heap of 1024 bytes .* needs "hasm": \{ "heap": 0 \}/);
  }, 60_000);
});
