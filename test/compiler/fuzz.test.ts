// Binaryen fuzz modules (integer MVP), seeded: V8 and the emulator agree (issue 4 oracle "Random programs").
// test/bench/compiler-fuzz.ts runs thousands.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { fuzzOne } from './fuzz.ts';

describe('wasm-opt -ttf modules: V8 and the emulator agree', () => {
  it('seeds 1..16', async () => {
    const board = loadBoard('emulated');
    let calls = 0;
    let values = 0;
    const bad: unknown[] = [];
    for (let seed = 1; seed <= 16; seed++) {
      const o = await fuzzOne(seed, board);
      calls += o.calls;
      values += o.calls - o.traps;
      if (o.mismatches.length) bad.push({ seed, first: o.mismatches.slice(0, 3) });
    }
    expect(bad).toEqual([]);
    expect(calls).toBeGreaterThan(100);
    expect(values).toBeGreaterThan(10); // not only traps: real integer results were compared
  }, 120_000);
});
