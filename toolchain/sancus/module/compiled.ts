// Packaging of a module compiled from AssemblyScript (toolchain/compiler): the backend's assembly is moved into the
// module's sections — code and read-only data (function table) into `.text.sm.NAME`, linear memory and mutable
// globals into `.data.sm.NAME` — its runtime symbols are renamed per module so several compiled modules can share
// a node, its standalone `_start` is kept out of the way, and its exports become the module's entries (after the
// runtime's three: index 3 is the wasm start function, to be called once after enabling; the exports follow in
// the backend's order). Arguments and results follow the compiler's EABI (an i32 is a register pair, low first).
import { InputError } from '../../common/errors.ts';
import type { EntrySpec } from './stub.ts';
import type { ModuleSpec } from './package.ts';

/** What this needs from the compiler's BackendResult. */
export interface CompiledUnit {
  asm: string;
  exports: { name: string; sym: string; params: string[]; results: string[] }[];
}

const WORDS: Record<string, number> = { i32: 2, i64: 4 };

export function compiledModuleSpec(name: string, vendorId: number, unit: CompiledUnit, opts: { stackBytes?: number; file?: string } = {}): ModuleSpec {
  const prefix = `__sm_${name}`;
  const text = `  .section .text.sm.${name}, "ax"`;
  const data = `  .section .data.sm.${name}, "aw"`;
  const lines = unit.asm.split('\n').map((line, i) => {
    const t = line.trim();
    if (t === '.text' || t === '.section .rodata' || t.startsWith('.section .rodata,')) return text;
    if (t === '.data' || t === '.bss' || t.startsWith('.section .data') || t.startsWith('.section .bss')) return data;
    if (t.startsWith('.section')) throw new InputError(`compiled module ${name}: unexpected section directive '${t}'`, { file: opts.file ?? name, line: i + 1 });
    // Runtime symbols of the compiled unit (__hasm_*, __m_*) and the standalone entry become the module's own.
    return line.replace(/\b(__hasm_\w+|__m_\w+)\b/g, `${prefix}$1`).replace(/\b_start\b/g, `${prefix}_standalone`);
  });
  const entries: EntrySpec[] = [{ name: `${prefix}__hasm_init`, results: 0 }];
  for (const e of unit.exports) {
    const words = e.results.reduce((n, r) => n + (WORDS[r] ?? NaN), 0);
    if (!(words <= 4)) throw new InputError(`compiled module ${name}: export '${e.name}' returns ${e.results.join(', ')} (at most 4 words in r12–r15)`, { file: opts.file ?? name });
    entries.push({ name: e.sym, results: words });
  }
  return { name, vendorId, source: lines.join('\n'), file: opts.file, entries, stackBytes: opts.stackBytes ?? 256 };
}
