// Packaging of a module compiled from AssemblyScript (toolchain/compiler): the backend's assembly is moved into the
// module's sections — code and read-only data (function table) into `.text.sm.NAME`, linear memory and mutable
// globals into `.data.sm.NAME` — its runtime symbols and export labels are renamed per module so several compiled
// modules can share a node, its standalone `_start` (section .text.hasm_standalone) is left out, and the module's declarations become
// its interface (firmware/README.md "The mechanism"; seed §4.6.3: "the compiler ensures that only successfully
// authenticated and decrypted events will ever be received at the input handles"):
//   - exports not named `input_*` are entries, after the runtime's three: index 3 is the wasm start function (run
//     once after enabling), the exports follow in the backend's order (MSP430 EABI: an i32 is a register pair);
//   - exports `input_NAME(data, len)` are inputs: the runtime's handle_input (runtime.ts) unwraps an event under
//     the connection key with the connection's counter as AD, straight into linear memory at INPUT_OFFSET, and
//     only when the tag matched calls the function with (INPUT_OFFSET, len) (IoSpec.deliver);
//   - an export `refused(conn, len)` is neither entry nor input: handle_input calls it when an event for one of the
//     module's inputs does not unwrap (forged, replayed, reordered) with the connection id and length only — never
//     the payload, the counter unchanged — so the module can log the refusal (issue 18 item 7);
//   - calls to `__hasm_output_NAME` (the compiler's lowering of `@external("output", "NAME")`, data and len as
//     16-bit words in r12, r13) are outputs: the glue checks the bytes lie in linear memory and falls into the
//     runtime's `emit` (wrap + outbox); the glue sits with the runtime (ModuleSpec.glue), so short jumps reach;
//   - `__hasm_copy_in` (intrinsic `hasm.copy_in`; dst, src, len as 16-bit words in r12–r14, the compiler decides
//     the high words) copies from unprotected memory only when the source range lies
//     wholly outside the module's text and data (the confused-deputy rule); `__hasm_copy_out` (`hasm.copy_out`)
//     copies into unprotected memory only when the destination range does (one check and one loop for both);
//   - `__hasm_mmio_*` (the compiler's lowering of `hasm.mmio_*` inside the window the module owns, `opts.mmio`) call
//     the module's exclusive MMIO module after verifying it (mmio.ts).
// Anything else the code calls outside itself (an `extern` import: the untrusted runtime's routines) is refused.
import { InputError } from '../../common/errors.ts';
import { MAX_EVENT, type IoSpec } from './runtime.ts';
import { sym, type EntrySpec } from './stub.ts';
import type { ModuleSpec } from './package.ts';
import type { RegisterWindow } from '../../../boards/register-window.ts';
import { driverMmioGlue, mmioModuleName } from './mmio.ts';

/** The compiler's section for a unit's standalone entry `_start` (toolchain/compiler/backend.ts STANDALONE_SECTION;
 *  this file takes the compiler's output as data and imports nothing from it). */
const STANDALONE_SECTION = '.text.hasm_standalone';

/** What this needs from the compiler's BackendResult. */
export interface CompiledUnit {
  asm: string;
  exports: { name: string; sym: string; params: string[]; results: string[] }[];
  /** Bytes of linear memory the backend mapped (static data + heap). */
  memSize?: number;
}

const WORDS: Record<string, number> = { i32: 2, i64: 4 };
/** Linear-memory offset of the input buffer: below asconfig `memoryBase`, above the null page AS leaves unused. */
export const INPUT_OFFSET = 16;
/** The `memoryBase` (asconfig.json) a module with inputs needs: AssemblyScript places nothing below it. */
export const INPUT_MEMORY_BASE = INPUT_OFFSET + MAX_EVENT;
const INPUT_PREFIX = 'input_';
/** The export that hears of refused events (runtime.ts IoSpec.refused): `refused(conn: i32, len: i32): void`. */
export const REFUSED_EXPORT = 'refused';
const TRAP_MEMORY = 2; // toolchain/compiler/traps.ts TRAP.memory

export interface CompiledOptions {
  stackBytes?: number;
  file?: string;
  /** asconfig `memoryBase` the unit was compiled with (checked when the module has inputs). */
  memoryBase?: number;
  /** The register window the module owns through its MMIO module (compiled with the same window as `mmioCalls`). */
  mmio?: RegisterWindow;
}

export function compiledModuleSpec(name: string, vendorId: number, unit: CompiledUnit, opts: CompiledOptions = {}): ModuleSpec {
  const prefix = `__sm_${name}`;
  const file = opts.file ?? name;
  const text = `  .section .text.sm.${name}, "ax"`;
  const data = `  .section .data.sm.${name}, "aw"`;
  const exportLabel = (e: string) => `${prefix}_x_${e}`;
  const exported = new Set(unit.exports.map((e) => e.name));
  // The unit's standalone entry (its own section, the compiler's STANDALONE_SECTION) is not part of the module: the
  // stub is its only entry, and index 3 runs the start function. Left out, it costs the module's TCB nothing.
  let standalone = false;
  const lines = unit.asm.split('\n').map((line, i) => {
    const t = line.trim();
    if (t.startsWith('.section') || t === '.text' || t === '.data' || t === '.bss') standalone = t.startsWith(`.section ${STANDALONE_SECTION},`);
    if (standalone) return '';
    if (t === '.text' || t === '.section .rodata' || t.startsWith('.section .rodata,')) return text;
    if (t === '.data' || t === '.bss' || t.startsWith('.section .data') || t.startsWith('.section .bss')) return data;
    if (t.startsWith('.section')) throw new InputError(`compiled module ${name}: unexpected section directive '${t}'`, { file, line: i + 1 });
    // Export labels (`.global add` / `add:`) become the module's own, so two modules may export the same name.
    const g = /^\.global\s+(\w+)$/.exec(t);
    if (g && exported.has(g[1]!)) return `  .global ${exportLabel(g[1]!)}`;
    const l = /^(\w+):$/.exec(t);
    if (l && exported.has(l[1]!)) return `${exportLabel(l[1]!)}:`;
    // Runtime symbols of the compiled unit (__hasm_*, __m_*) and the standalone entry become the module's own.
    return line.replace(/\b(__hasm_\w+|__m_\w+)\b/g, `${prefix}$1`).replace(/\b_start\b/g, `${prefix}_standalone`);
  });
  const source = lines.join('\n');
  // A call out of the module's text would return into its middle: only the module's own symbols are call targets —
  // and jump targets, since the compiler makes `call #f; ret` a tail call `br #f` (toolchain/compiler/jumps.ts).
  for (const m of source.matchAll(/\b(?:call|br)\s+#([A-Za-z_.$][\w.$]*)/g)) {
    if (!m[1]!.startsWith(prefix) && !m[1]!.startsWith('.L')) {
      throw new InputError(`compiled module ${name}: calls '${m[1]}' outside the module (an 'extern' import? only the untrusted runtime may use them; a module reaches others through its outputs)`, { file });
    }
  }

  const entries: EntrySpec[] = [{ name: `${prefix}__hasm_init`, results: 0 }];
  const inputs: { name: string; fn: string }[] = [];
  let refused: string | undefined;
  for (const e of unit.exports) {
    if (e.name === REFUSED_EXPORT) {
      const ok = e.params.length === 2 && e.params.every((p) => p === 'i32') && e.results.length === 0;
      if (!ok) throw new InputError(`compiled module ${name}: '${REFUSED_EXPORT}' must be (conn: i32, len: i32): void, is (${e.params.join(', ')}) → (${e.results.join(', ') || 'void'})`, { file });
      refused = exportLabel(e.name);
      continue;
    }
    if (e.name.startsWith(INPUT_PREFIX)) {
      const io = e.name.slice(INPUT_PREFIX.length);
      const ok = io.length > 0 && e.params.length === 2 && e.params.every((p) => p === 'i32') && e.results.length === 0;
      if (!ok) throw new InputError(`compiled module ${name}: input '${e.name}' must be (data: usize, len: i32): void, is (${e.params.join(', ')}) → (${e.results.join(', ') || 'void'})`, { file });
      inputs.push({ name: io, fn: exportLabel(e.name) });
      continue;
    }
    const words = e.results.reduce((n, r) => n + (WORDS[r] ?? NaN), 0);
    if (!(words <= 4)) throw new InputError(`compiled module ${name}: export '${e.name}' returns ${e.results.join(', ')} (at most 4 words in r12–r15)`, { file });
    entries.push({ name: exportLabel(e.name), results: words, export: e.name });
  }
  const outputs = [...new Set([...source.matchAll(new RegExp(`\\b${prefix}__hasm_output_(\\w+)`, 'g'))].map((m) => m[1]!))].sort();
  inputs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const dup = outputs.find((o) => inputs.some((x) => x.name === o));
  if (dup) throw new InputError(`compiled module ${name}: '${dup}' is both an input and an output`, { file });
  const memSize = unit.memSize ?? 0;
  if (inputs.length && (opts.memoryBase ?? 0) < INPUT_MEMORY_BASE) {
    throw new InputError(`compiled module ${name}: it has inputs, so it must be compiled with asconfig "memoryBase" ≥ ${INPUT_MEMORY_BASE} (the input buffer is linear memory [${INPUT_OFFSET}, ${INPUT_MEMORY_BASE}); firmware/asconfig.json sets it), got ${opts.memoryBase ?? 'the default'}`, { file });
  }
  const io: IoSpec = {
    io: [...outputs.map((n) => ({ kind: 'output' as const, name: n })), ...inputs.map((x) => ({ kind: 'input' as const, name: x.name, handler: x.fn }))],
    slots: outputs.length + inputs.length,
    refused,
    // The runtime unwraps an event straight into linear memory at INPUT_OFFSET and calls the input with
    // (INPUT_OFFSET, len) as i32 pairs: no copy, no glue per input.
    deliver: { at: `${prefix}__hasm_mem+${INPUT_OFFSET}`, data: INPUT_OFFSET },
  };
  const usesMmio = source.includes(`${prefix}__hasm_mmio_`);
  if (usesMmio && !opts.mmio) throw new InputError(`compiled module ${name}: calls __hasm_mmio_* but owns no register window (compile and package with the same window)`, { file });
  const glue = glueAssembly(name, io, memSize, { in: source.includes(`${prefix}__hasm_copy_in`), out: source.includes(`${prefix}__hasm_copy_out`) });
  const mmioGlue = usesMmio ? '\n' + driverMmioGlue(name, opts.mmio!, sym(name, 'glue_trap')).join('\n') + '\n' : '';
  const verifies = usesMmio ? [mmioModuleName(name)] : undefined;
  return { name, vendorId, source: source + mmioGlue, file: opts.file, entries, stackBytes: opts.stackBytes ?? 256, io, glue, verifies };
}

/**
 * The generated glue, kept with the runtime (runtime.ts RuntimeOptions.glue: near its output core, so short jumps
 * reach): the memory trap, copy_in/copy_out, and last the outputs, which fall into the runtime's `emit`.
 */
function glueAssembly(name: string, io: IoSpec, memSize: number, copy: { in: boolean; out: boolean }): string {
  const s = (w: string) => sym(name, w);
  const mem = s('_hasm_mem');
  const trap = s('glue_trap');
  const L: string[] = [`${trap}:`, `  mov #${TRAP_MEMORY}, r12`, `  br #${s('_hasm_trap')}`];
  L.push(...copyGlue(s, copy, trap, mem, memSize));
  // Outputs: r12 = data (linear offset), r13 = len — their low words: the compiler passes only those and traps on
  // a non-zero high word itself (toolchain/compiler/intrinsics.ts lowWord) → emit (r11 = io id, r12 = absolute
  // address, r13 = even len; it keeps r4–r10 as EABI wants).
  const outs = io.io.flatMap((x, id) => (x.kind === 'output' ? [{ name: x.name, id }] : []));
  outs.forEach((x, i) => {
    L.push(`${s(`_hasm_output_${x.name}`)}:`, `  mov #${x.id}, r11`);
    if (i < outs.length - 1) L.push(`  jmp ${s('out_glue')}`);
  });
  if (outs.length) {
    L.push(
      `${s('out_glue')}:`,
      `  cmp #${MAX_EVENT + 1}, r13`, `  jhs ${trap}`,
      '  inc r13', '  bic #1, r13', // whole words: the crypto unit wraps 16-bit words
      '  mov r13, r14', '  add r12, r14', `  jc ${trap}`, `  cmp #${memSize + 1}, r14`, `  jhs ${trap}`,
      `  add #${mem}, r12`,
      '; falls into emit',
    );
  }
  return L.join('\n') + '\n';
}

/**
 * copy_in / copy_out (dst: r12, src: r13, len: r14 — 16-bit words: the compiler decides the high words itself,
 * toolchain/compiler/intrinsics.ts) → r12 = 1 copied, 0 refused. One side is a linear-memory range (copy_in's
 * destination, copy_out's source): outside linear memory, the memory trap, as any out-of-bounds access. The other is
 * an absolute range that must not wrap and must miss [text_start, text_end) and [data_start, data_end) — the
 * confused-deputy rule reading in, and never writing the module's own memory out. An empty copy copies nothing.
 * With both directions the absolute side's check is one subroutine (`cp_abs`, r11 = the absolute address).
 */
function copyGlue(s: (w: string) => string, copy: { in: boolean; out: boolean }, trap: string, mem: string, memSize: number): string[] {
  const dirs = (['in', 'out'] as const).filter((d) => copy[d]);
  if (!dirs.length) return [];
  const shared = dirs.length === 2;
  const done = s('cp_done');
  const refuse = s('cp_refuse');
  const loop = s('cp_loop');
  // [r11, r11 + r14) for r14 ≠ 0; r15 = its last byte. In the subroutine a refusal or an empty copy also drops the
  // subroutine's return address (it returns from the copy itself).
  const absCheck = (empty: string, no: string) => [
    '  tst r14', `  jz ${empty}`,
    '  mov r14, r15', '  dec r15', '  add r11, r15', `  jc ${no}`,
    `  cmp #${s('text_start')}, r15`, `  jlo ${s('cp_text_ok')}`, `  cmp #${s('text_end')}, r11`, `  jlo ${no}`,
    `${s('cp_text_ok')}:`,
    `  cmp #${s('data_start')}, r15`, `  jlo ${s('cp_data_ok')}`, `  cmp #${s('data_end')}, r11`, `  jlo ${no}`,
    `${s('cp_data_ok')}:`,
  ];
  const L: string[] = [];
  dirs.forEach((dir, i) => {
    const [lin, abs] = dir === 'in' ? ['r12', 'r13'] : ['r13', 'r12'];
    L.push(
      `${s(`_hasm_copy_${dir}`)}:`,
      `  mov ${lin}, r15`, '  add r14, r15', `  jc ${trap}`, `  cmp #${memSize + 1}, r15`, `  jhs ${trap}`,
      `  mov ${abs}, r11`,
      ...(shared ? [`  call #${s('cp_abs')}`] : absCheck(done, refuse)),
      `  add #${mem}, ${lin}`,
    );
    if (shared && i === 0) L.push(`  jmp ${loop}`);
  });
  // both ways the source is r13 and the destination r12, and at least one byte is left
  L.push(`${loop}:`, '  mov.b @r13+, 0(r12)', '  inc r12', '  dec r14', `  jnz ${loop}`);
  L.push(`${done}:`, '  mov #1, r12', '  ret');
  if (shared) {
    L.push(`${s('cp_abs')}:`, ...absCheck(s('cp_empty'), s('cp_drop')), '  ret');
    L.push(`${s('cp_empty')}:`, '  incd sp', `  jmp ${done}`, `${s('cp_drop')}:`, '  incd sp');
  }
  L.push(`${refuse}:`, '  clr r12', '  ret');
  return L;
}
