// Packaging of a module compiled from AssemblyScript (toolchain/compiler): the backend's assembly is moved into the
// module's sections — code and read-only data (function table) into `.text.sm.NAME`, linear memory and mutable
// globals into `.data.sm.NAME` — its runtime symbols and export labels are renamed per module so several compiled
// modules can share a node, its standalone `_start` (section .text.hasm_standalone) is left out, and the module's declarations become
// its interface (firmware/README.md "The mechanism"; seed §4.6.3: "the compiler ensures that only successfully
// authenticated and decrypted events will ever be received at the input handles"):
//   - exports not named `input_*` are entries, after the runtime's three: index 3 is the wasm start function (run
//     once after enabling), the exports follow in the backend's order (MSP430 EABI: an i32 is a register pair);
//   - exports `input_NAME(data, len)` are inputs: the runtime's handle_input (runtime.ts) unwraps an event under
//     the connection key with the connection's counter as AD and only then calls the glue generated here, which
//     copies the plaintext into linear memory at INPUT_OFFSET and calls the function with (INPUT_OFFSET, len);
//   - an export `refused(conn, len)` is neither entry nor input: handle_input calls it when an event for one of the
//     module's inputs does not unwrap (forged, replayed, reordered) with the connection id and length only — never
//     the payload, the counter unchanged — so the module can log the refusal (issue 18 item 7);
//   - calls to `__hasm_output_NAME` (the compiler's lowering of `@external("output", "NAME")`, data and len as
//     16-bit words in r12, r13) are outputs: the glue checks the bytes lie in linear memory and hands them to the runtime's `__sm_NAME_output` (wrap + outbox);
//   - `__hasm_copy_in` (intrinsic `hasm.copy_in`; dst, src, len as 16-bit words in r12–r14, the compiler decides
//     the high words) copies from unprotected memory only when the source range lies
//     wholly outside the module's text and data (the confused-deputy rule); `__hasm_copy_out` (`hasm.copy_out`)
//     copies into unprotected memory only when the destination range does;
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
  // A call out of the module's text would return into its middle: only the module's own symbols are call targets.
  for (const m of source.matchAll(/\bcall\s+#([A-Za-z_.$][\w.$]*)/g)) {
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
    io: [...outputs.map((n) => ({ kind: 'output' as const, name: n })), ...inputs.map((x) => ({ kind: 'input' as const, name: x.name, handler: `${prefix}_in_${x.name}` }))],
    slots: outputs.length + inputs.length,
    refused,
  };
  const usesMmio = source.includes(`${prefix}__hasm_mmio_`);
  if (usesMmio && !opts.mmio) throw new InputError(`compiled module ${name}: calls __hasm_mmio_* but owns no register window (compile and package with the same window)`, { file });
  const glue = glueAssembly(name, io, inputs, memSize, { in: source.includes(`${prefix}__hasm_copy_in`), out: source.includes(`${prefix}__hasm_copy_out`) }, usesMmio ? opts.mmio : undefined);
  const verifies = usesMmio ? [mmioModuleName(name)] : undefined;
  return { name, vendorId, source: source + glue, file: opts.file, entries, stackBytes: opts.stackBytes ?? 256, io, verifies };
}

/** The generated input, output and copy_in glue (module text; EABI towards the compiled code). */
function glueAssembly(name: string, io: IoSpec, inputs: { name: string; fn: string }[], memSize: number, copy: { in: boolean; out: boolean }, mmio: RegisterWindow | undefined): string {
  const s = (w: string) => sym(name, w);
  const mem = `${s('_hasm_mem')}`;
  const L: string[] = [`  .section .text.sm.${name}, "ax"`, '  .balign 2'];
  const trap = s('glue_trap');
  // Outputs: r12 = data (linear offset), r13 = len — their low words: the compiler passes only those and traps on
  // a non-zero high word itself (toolchain/compiler/intrinsics.ts lowWord) → __sm_NAME_output(io id, absolute
  // address, even len).
  io.io.forEach((x, id) => {
    if (x.kind !== 'output') return;
    L.push(`${s(`_hasm_output_${x.name}`)}:`, `  mov #${id}, r11`, `  jmp ${s('out_glue')}`); // out_glue follows: in reach
  });
  if (io.io.some((x) => x.kind === 'output')) {
    L.push(
      `${s('out_glue')}:`,
      `  cmp #${MAX_EVENT + 1}, r13`, `  jhs ${trap}`,
      '  inc r13', '  bic #1, r13', // whole words: the crypto unit wraps 16-bit words
      '  mov r13, r14', '  add r12, r14', `  jc ${trap}`, `  cmp #${memSize + 1}, r14`, `  jhs ${trap}`,
      '  mov r13, r14', '  mov r12, r13', `  add #${mem}, r13`, '  mov r11, r12',
      ...[5, 6, 7, 8, 9, 10].map((r) => `  push r${r}`),
      `  call #${s('output')}`,
      ...[10, 9, 8, 7, 6, 5].map((r) => `  pop r${r}`),
      '  ret',
    );
  }
  // Inputs: called by handle_input with r12 = plaintext (module data), r13 = len (even, ≤ MAX_EVENT). Each names
  // its function in r10 and shares one copy into linear memory, ending in a tail call (handle_input clobbers r5–r15).
  for (const x of inputs) L.push(`${s(`in_${x.name}`)}:`, `  mov #${x.fn}, r10`, `  jmp ${s('in_glue')}`);
  if (inputs.length) {
    L.push(
      `${s('in_glue')}:`,
      '  mov r13, r14', '  mov r13, r11', '  rra r11', `  mov #${mem}+${INPUT_OFFSET}, r15`,
      `${s('in_copy')}:`, '  tst r11', `  jz ${s('in_call')}`, '  mov @r12+, 0(r15)', '  incd r15', '  dec r11', `  jmp ${s('in_copy')}`,
      `${s('in_call')}:`, `  mov #${INPUT_OFFSET}, r12`, '  clr r13', '  clr r15', '  br r10',
    );
  }
  if (copy.in) L.push(...copyGlue(s, 'in', trap, mem, memSize));
  if (copy.out) L.push(...copyGlue(s, 'out', trap, mem, memSize));
  if (mmio) L.push(...driverMmioGlue(name, mmio, trap));
  L.push(`${trap}:`, `  mov #${TRAP_MEMORY}, r12`, `  br #${s('_hasm_trap')}`);
  return '\n' + L.join('\n') + '\n';
}

/**
 * copy_in / copy_out (dst: r12, src: r13, len: r14 — 16-bit words: the compiler decides the high words itself,
 * toolchain/compiler/intrinsics.ts) → r12 = 1 copied, 0 refused. One side is a linear-memory range (copy_in's
 * destination, copy_out's source): outside linear memory, the memory trap, as any out-of-bounds access. The other is
 * an absolute range that must not wrap and must miss [text_start, text_end) and [data_start, data_end) — the
 * confused-deputy rule reading in, and never writing the module's own memory out. An empty copy copies nothing.
 */
function copyGlue(s: (w: string) => string, dir: 'in' | 'out', trap: string, mem: string, memSize: number): string[] {
  const [lin, abs] = dir === 'in' ? ['r12', 'r13'] : ['r13', 'r12'];
  const p = dir === 'in' ? 'ci' : 'co';
  const refuse = s(`${p}_refuse`);
  const done = s(`${p}_done`);
  return [
    `${s(`_hasm_copy_${dir}`)}:`,
    `  mov ${lin}, r15`, '  add r14, r15', `  jc ${trap}`, `  cmp #${memSize + 1}, r15`, `  jhs ${trap}`,
    '  tst r14', `  jz ${done}`,
    '  mov r14, r15', '  dec r15', `  add ${abs}, r15`, `  jc ${refuse}`,
    `  cmp #${s('text_start')}, r15`, `  jlo ${s(`${p}_text_ok`)}`, `  cmp #${s('text_end')}, ${abs}`, `  jlo ${refuse}`,
    `${s(`${p}_text_ok`)}:`,
    `  cmp #${s('data_start')}, r15`, `  jlo ${s(`${p}_data_ok`)}`, `  cmp #${s('data_end')}, ${abs}`, `  jlo ${refuse}`,
    `${s(`${p}_data_ok`)}:`,
    `  add #${mem}, ${lin}`,
    // both ways the source is r13 and the destination r12
    `${s(`${p}_loop`)}:`, '  tst r14', `  jz ${done}`, '  mov.b @r13+, 0(r12)', '  inc r12', '  dec r14', `  jmp ${s(`${p}_loop`)}`,
    `${done}:`, '  mov #1, r12', '  ret',
    `${refuse}:`, '  clr r12', '  ret',
  ];
}
