// Constant multiplies (issue 17: shift-add for constant multiplies): x * 0 is 0 (Binaryen fuzz seed 216078 made
// the shift-add lowering crash on it), and small constants agree with V8 on edge values.
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildWasm } from '../../toolchain/compiler/compile.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

const board = loadBoard('emulated');
const CONSTS = [0, 1, 3, 10, -1, -7];
const WAT = `(module ${CONSTS.map((c, i) => `(func (export "m${i}") (param $x i32) (result i32) (i32.mul (local.get $x) (i32.const ${c})))`).join(' ')})`;

describe('constant multiplies', () => {
  it('x * C for C in 0, 1, 3, 10, −1, −7 equals V8 on edge values', async () => {
    const mod = binaryen.parseText(WAT);
    expect(mod.validate()).toBeTruthy();
    const wasm = mod.emitBinary();
    const b = await buildWasm(wasm, board, { heap: 0, file: 'mul-const' });
    const image = imageFromLinked(b.image, 'mul-const');
    const { instance } = await (globalThis as unknown as { WebAssembly: { instantiate(w: Uint8Array): Promise<{ instance: { exports: Record<string, (x: number) => number> } }> } }).WebAssembly.instantiate(wasm);
    for (let i = 0; i < CONSTS.length; i++) {
      for (const x of [0, 1, -1, 0x7fff, 0x8000, 0xffff, 0x12345, 0x7fffffff, -0x80000000]) {
        const want = BigInt(instance.exports[`m${i}`]!(x));
        expect(callExport(loadMachine(image, board), image, `m${i}`, [BigInt(x)]).result, `${x} * ${CONSTS[i]}`).toBe(want);
      }
    }
  }, 60_000);
});
