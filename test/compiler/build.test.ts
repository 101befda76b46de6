// hasm build end to end: an ELF that hasm run executes, --call through the image's export signature, the
// intermediates, and the compile errors that name the AS source (issue 4 items 7–9).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { main } from '../../host/cli/main.ts';
import { runCall } from '../../host/cli/run-call.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { InputError } from '../../toolchain/common/errors.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const board = loadBoard('emulated');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

describe('hasm build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hasm-build-'));
  const elf = join(dir, 'control.elf');

  it('builds an ELF that runs and answers --call', async () => {
    const a = io();
    expect(await main(['build', join(here, 'corpus/control.ts'), '--board', 'emulated', '-o', elf, '--map', join(dir, 'c.map'), '--json'], a.io)).toBe(0);
    const summary = JSON.parse(a.out[0]!);
    expect(summary.functions.find((f: { name: string }) => f.name === 'gcd').bytes).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'c.map'), 'utf8')).toMatch(/Functions \(code bytes\):[\s\S]*\(gcd\)/);
    const r = io();
    expect(await main(['run', elf, '--json'], r.io)).toBe(0);
    expect(JSON.parse(r.out[0]!).stop).toBe('halt');
    const c = io();
    expect(runCall(elf, 'gcd', ['1071', '462'], { board, json: true }, c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ result: 21 });
    const d = io();
    expect(runCall(elf, 'fact64', ['20'], { board, json: true }, d.io)).toBe(0);
    expect(JSON.parse(d.out[0]!).result).toBe('2432902008176640000');
  }, 30_000);

  it('reports a trap with exit 1', async () => {
    const b = join(dir, 'memory.elf');
    expect(await main(['build', join(here, 'corpus/memory.ts'), '-o', b], io().io)).toBe(0);
    const t = io();
    expect(runCall(b, 'boom', ['9'], { board, json: true }, t.io)).toBe(1);
    expect(JSON.parse(t.out[0]!)).toMatchObject({ trap: 'unreachable' });
    const m = io();
    expect(runCall(b, 'oob', ['5'], { board, json: true }, m.io)).toBe(1);
    expect(JSON.parse(m.out[0]!).trap).toBe('memory');
  }, 30_000);

  it('emits assembly, an object and the wasm', async () => {
    for (const emit of ['asm', 'obj', 'wasm']) {
      const out = join(dir, `x.${emit}`);
      expect(await main(['build', join(here, 'corpus/arith.ts'), '-o', out, '--emit', emit], io().io)).toBe(0);
      const bytes = readFileSync(out);
      if (emit === 'asm') expect(bytes.toString()).toMatch(/^add32:$/m);
      if (emit === 'obj') expect([...bytes.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
      if (emit === 'wasm') expect([...bytes.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
    }
  }, 30_000);
});

describe('compile errors name the AS source', () => {
  it('f32/f64 use', async () => {
    const err = await buildSource(join(here, 'errors/float.ts'), board).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/float\.ts:3: function scale/);
    expect(err.message).toMatch(/f64/);
  });
  it('a foreign import', async () => {
    const err = await buildSource(join(here, 'errors/foreign.ts'), board).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/foreign\.ts:1: function log/);
    expect(err.message).toMatch(/env\.log.*not allowed/);
  });
  it('intrinsics lower inline to absolute-mode MMIO and SR bit operations', async () => {
    const r = await buildSource(join(here, 'errors/intrinsics.ts'), board);
    const fn = r.backend.asm.slice(r.backend.asm.indexOf('poke:'));
    const body = fn.slice(0, fn.indexOf('.size'));
    expect(body).toMatch(/mov\.b r12, &0x0021/);
    expect(body).toMatch(/mov &0x0170, r12/);
    expect(body).toMatch(/bic #8, r2/);
    expect(body).toMatch(/bis #8, r2/);
    expect(body).not.toMatch(/call/);
  });
});
