// V8 vs emulator on the AS corpus (issue 4 oracle "Same wasm, two machines"), seeded.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { differential } from './differential.ts';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const board = loadBoard('emulated');

describe('AS corpus: V8 and the emulator agree', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.as')).sort()) {
    it(file, async () => {
      const build = await buildSource(dir + file.replace(/\.as$/, '.ts'), board);
      const { calls, mismatches } = await differential(build.front!.wasm, build, board, { seed: 0xc0ffee ^ file.length, cases: 40 });
      expect(calls).toBeGreaterThan(40);
      expect(mismatches.slice(0, 10)).toEqual([]);
    }, 60_000);
  }
});
