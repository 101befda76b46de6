// The start-up code of linear memory (toolchain/compiler/mem-init.ts): memory is cleared, then only the image's
// non-zero words are written — inline stores for a few, a copied run for many — and running it again restores
// every byte a module scribbled over (wasm: memory starts zeroed, then the data segments apply).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { memoryInit } from '../../toolchain/compiler/mem-init.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

const here = fileURLToPath(new URL('./fixtures/', import.meta.url));
const board = loadBoard('emulated');

describe('the linear memory start-up code', () => {
  it('writes scattered words inline and a dense run in a table, zero gaps of up to two words folded in', () => {
    const sparse = new Uint8Array(400);
    sparse[10] = 1; // a constant-generator word
    sparse[301] = 0x12; // 0x1200 at word 150
    const a = memoryInit('M', 400, sparse);
    expect(a.rodata).toEqual([]);
    expect(a.code.filter((l) => l.startsWith('  mov #') && l.includes('&M'))).toEqual(['  mov #1, &M+10', '  mov #4608, &M+300']);
    const dense = new Uint8Array(400);
    for (let i = 0; i < 40; i++) dense[100 + i] = i + 1;
    dense[144] = 9; // 2 zero words after the run: folded in
    dense[200] = 5; // far: a run of one word, shorter inline
    const b = memoryInit('M', 400, dense);
    expect(b.rodata.filter((l) => l.includes('.word'))).toEqual(['  .word M+100, M+146', '  .word 0']);
    expect(b.code).toContain('  mov #5, &M+200');
  });

  it('a compiled module reads its static data and gets it back, and zeros, when the start function runs again', async () => {
    const b = await buildSource(`${here}static-image.ts`, board);
    const image = imageFromLinked(b.image, 'static-image');
    const m = loadMachine(image, board);
    const read = () => ({
      sparse: [0, 3, 50, 99].map((i) => Number(callExport(m, image, 'sparse', [BigInt(i)]).result)),
      dense: [0, 5, 32, 49].map((i) => Number(callExport(m, image, 'dense', [BigInt(i)]).result)),
      buf: [0, 299, 599].map((i) => Number(callExport(m, image, 'buf', [BigInt(i)]).result)),
    });
    const fresh = { sparse: [0, 7, 0, 4660], dense: [3, 9, 0, 5], buf: [0, 0, 0] };
    expect(read()).toEqual(fresh);
    callExport(m, image, 'scribble', [0xa5n]);
    expect(read()).toEqual({ sparse: [0xa5, 0xa5, 0xa5, 0xa5], dense: [0xa5, 0xa5, 0xa5, 0xa5], buf: [0xa5, 0xa5, 0xa5] });
    const ram = board.memory.find((r) => r.kind === 'ram')!;
    expect(m.call(image.symbols.find((s) => s.name === '__hasm_init')!.address, [], { sp: ram.start + ram.size, maxCycles: 1_000_000 }).stop).toBe('return');
    expect(read()).toEqual(fresh);
    // the dense array is a copied run, the sparse one inline stores: no image of the zeros
    expect(b.backend.asm).toMatch(/__hasm_mem_init:\n\s+\.word __hasm_mem\+\d+, __hasm_mem\+\d+\n\s+\.byte 5, 0, 0, 0, 50, 0, 0, 0, 3, 1, 4, 1/);
    expect(b.backend.asm).toMatch(/mov #4660, &__hasm_mem\+\d+/);
  }, 60_000);
});
