// The front end's on-disk cache (front.ts): a module is compiled again exactly when something it was built from
// changed — a file it read, or a file it looked for and did not find that now exists.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAssemblyScript, loadAsConfig } from '../../toolchain/compiler/front.ts';

// tsconfig's lib has no DOM typings: the one WebAssembly call used here, typed locally.
const WA = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;

const run = async (wasm: Uint8Array, name: string) => {
  const { instance } = await WA.instantiate(wasm, { env: { abort: () => {} } });
  return (instance.exports[name] as () => number)();
};

describe('front-end cache', () => {
  it('reuses a build while its inputs stand, rebuilds when one changes or a missing one appears', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-front-cache-'));
    const main = join(dir, 'main.ts');
    writeFileSync(main, 'import { k } from "./dep";\nexport function f(): i32 { return k(); }\n');
    mkdirSync(join(dir, 'dep'));
    writeFileSync(join(dir, 'dep/index.ts'), 'export function k(): i32 { return 1; }\n');
    const cfg = loadAsConfig(main);
    const first = await compileAssemblyScript(main, cfg);
    expect(await run(first.wasm, 'f')).toBe(1);
    expect((await compileAssemblyScript(main, cfg)).wasm).toEqual(first.wasm);
    // A file read for the build changed.
    writeFileSync(join(dir, 'dep/index.ts'), 'export function k(): i32 { return 2; }\n');
    expect(await run((await compileAssemblyScript(main, cfg)).wasm, 'f')).toBe(2);
    // A file the resolver looked for first (./dep.ts) now exists and wins over dep/index.ts.
    writeFileSync(join(dir, 'dep.ts'), 'export function k(): i32 { return 3; }\n');
    expect(await run((await compileAssemblyScript(main, cfg)).wasm, 'f')).toBe(3);
  });
});
