// A compiled module's code carries readable names (issue 15 item 3): an internal function has a local label with
// its AssemblyScript name beside the compiler's index symbol (__m_fN), so `hasm disas`, `--trace` and `--profile`
// say `fib`, and trap stubs branch to `__hasm_trap` by name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { formatListing } from '../../host/cli/commands/disas.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { disassembleImage } from '../../toolchain/msp430/disassemble.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

describe('symbol names in compiled code', () => {
  it('internal functions by their AssemblyScript names; exports by theirs; the trap handler by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'names-'));
    const file = join(dir, 'fib.ts');
    // Recursive, so binaryen cannot inline it; the array access has a bounds-check trap stub.
    writeFileSync(file, [
      'const table = new StaticArray<i32>(4);',
      'function fib(n: i32): i32 { return n < 2 ? n : fib(n - 1) + fib(n - 2); }',
      'function _start(): i32 { return 1; }',
      'export function run(n: i32): i32 { return fib(n) + table[n] + _start(); }',
    ].join('\n'));
    const build = await buildSource(file, loadBoard('emulated'));
    const image = imageFromLinked(build.image, 'fib.elf');
    const at = (name: string) => image.symbols.find((s) => s.name === name)?.address;
    const fibSym = build.backend.functions.find((f) => f.name.endsWith('fib'))!.sym;
    expect(fibSym).toMatch(/^__m_f\d+$/);
    expect(at('fib')).toBe(at(fibSym));
    // A name already taken (here the runtime's _start) keeps only the index symbol.
    expect(image.symbols.filter((s) => s.name === '_start')).toHaveLength(1);
    const listing = formatListing(disassembleImage(image));
    expect(listing).toContain('call\t#fib');
    expect(listing).toMatch(/^fib:\n__m_f\d+:$/m);
    expect(listing).toMatch(/^run:\n__m_f\d+:$/m);
    expect(listing).toContain('br\t#__hasm_trap');
    expect(listing).not.toMatch(/#__m_f\d/);
  }, 120_000);
});
