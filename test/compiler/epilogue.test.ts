// Shared function tails (toolchain/compiler/emit.ts sharedEpilogue): functions that saved r4…r(3+k), k ≥ 2, return
// through one chain of pops; the corpus differential (corpus.test.ts) checks that they still return right.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { epilogueRoutine, sharedEpilogue } from '../../toolchain/compiler/emit.ts';

describe('shared function tails', () => {
  it('are taken only by functions that saved a prefix of r4…r10, two registers or more', () => {
    expect(sharedEpilogue([4, 5, 6])).toBe(3);
    expect(sharedEpilogue([4])).toBeUndefined();
    expect(sharedEpilogue([4, 6])).toBeUndefined();
    expect(sharedEpilogue([])).toBeUndefined();
    expect(epilogueRoutine(3).filter((l) => /^\s+(pop|ret)/.test(l))).toEqual(['  pop r6', '  pop r5', '  pop r4', '  ret']);
  });

  it('appear once per image, as long as the longest tail a function takes', async () => {
    const build = await buildSource(fileURLToPath(new URL('./corpus/arith.ts', import.meta.url)), loadBoard('emulated'));
    const asm = build.backend.asm;
    const used = [...asm.matchAll(/br #__hasm_epilog_(\d+)/g)].map((m) => Number(m[1]));
    expect(used.length).toBeGreaterThan(0);
    const max = Math.max(...used);
    expect(asm).toContain(`__hasm_epilog_${max}:\n  pop r${3 + max}`);
    expect(asm).not.toContain(`__hasm_epilog_${max + 1}:`);
    expect(asm.match(/^__hasm_epilog_1:$/gm)).toHaveLength(1);
  });
});
