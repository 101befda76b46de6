// Read-only tables in the module's text (toolchain/compiler/README.md "Read-only tables"): hasm.rom_u8/rom_u16
// read lazily compiled statics; V8 (test/compiler/rom-imports.ts) and the emulator must agree.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { loadAsConfig } from '../../toolchain/compiler/front.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { differential } from './differential.ts';

const board = loadBoard('emulated');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
/** The fixtures' options with no heap: a module that reads its ROM tail maps none (the heap would lie in ROM). */
const build = (name: string) => buildSource(fixture(name), board, { ...loadAsConfig(fixture(name)), heap: 0 });

describe('hasm.rom_u8 / rom_u16', () => {
  it('read the lazy tables as V8 does (differential, seeded)', async () => {
    const b = await build('rom-tables');
    const { calls, mismatches } = await differential(b.front!.wasm, b, board, { seed: 0x5b0c, cases: 40 });
    expect(calls).toBeGreaterThan(100);
    expect(mismatches.slice(0, 10)).toEqual([]);
    const image = imageFromLinked(b.image, 'rom');
    const m = loadMachine(image, board);
    // the tables' bytes themselves (the fixture's SBOX and R8), u16 little-endian across an odd address
    expect([0, 1, 15].map((i) => callExport(m, image, 'sbox', [BigInt(i)]).result)).toEqual([0x63n, 0x7cn, 0x76n]);
    expect([1, 7].map((i) => callExport(m, image, 'reduce', [BigInt(i)]).result)).toEqual([0x01c2n, 0x054en]);
    expect(callExport(m, image, 'reduceOdd', [0n]).result).toBe(0xc200n); // bytes 00 00 c2 01: R8 + 1 reads 00, c2
  }, 60_000);
});
