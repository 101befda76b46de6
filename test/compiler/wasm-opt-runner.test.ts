// The in-process wasm-opt (the fuzz oracle's generator) makes the very bytes the spawned tool makes, run after run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rng } from './differential.ts';
import { TTF_FLAGS } from './fuzz.ts';
import { WASM_OPT, wasmOpt } from './wasm-opt-runner.ts';

describe('wasm-opt in-process', () => {
  it('gives the spawned tool’s output, byte for byte, on repeated runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-wasm-opt-'));
    for (const seed of [3, 77]) {
      const next = rng(seed);
      const input = join(dir, `in${seed}.dat`);
      writeFileSync(input, Uint8Array.from({ length: 3000 }, () => next() & 0xff));
      execFileSync(WASM_OPT, ['-ttf', input, ...TTF_FLAGS, '-o', join(dir, `spawned${seed}.wasm`)], { stdio: 'pipe' });
      const spawned = readFileSync(join(dir, `spawned${seed}.wasm`));
      for (let run = 0; run < 2; run++) {
        await wasmOpt(['-ttf', input, ...TTF_FLAGS, '-o', join(dir, `inproc${seed}.${run}.wasm`)]);
        expect(readFileSync(join(dir, `inproc${seed}.${run}.wasm`)).equals(spawned)).toBe(true);
      }
    }
  }, 120_000);

  it('reports a failing run with its exit code instead of returning', async () => {
    await expect(wasmOpt(['/nonexistent/input.wasm', '-o', '/nonexistent/out.wasm'])).rejects.toThrow(/exit [1-9]/);
    // …and the next run still works (a fresh runtime per call).
    const dir = mkdtempSync(join(tmpdir(), 'hasm-wasm-opt-'));
    writeFileSync(join(dir, 'in.dat'), Uint8Array.from({ length: 500 }, (_, i) => (i * 37) & 0xff));
    await wasmOpt(['-ttf', join(dir, 'in.dat'), ...TTF_FLAGS, '-o', join(dir, 'out.wasm')]);
    expect(readFileSync(join(dir, 'out.wasm')).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
  }, 120_000);
});
