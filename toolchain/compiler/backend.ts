// The backend driver: wasm bytes → one MSP430 assembly file (functions, helpers, trap handler, memory, globals,
// function table). Pipeline per function: lower.ts → the pass list (passes.ts: webs, dce) → regalloc.ts → emit.ts.
import binaryen from 'binaryen';
import { InputError } from '../common/errors.ts';
import { type PassOptions, runPasses } from './passes.ts';
import { peephole } from './peephole.ts';
import { fold } from './fold.ts';
import { cleanJumps, crossJump, tailCalls } from './jumps.ts';
import { EPILOGUE, emitFunction, epilogueRoutine } from './emit.ts';
import { BOARD_NAMESPACE, checkImport, isRomRead } from './intrinsics.ts';
import { boardSymbol, isBoardSymbol } from './peripherals.ts';
import { type LowerContext, lowerFunction } from './lower.ts';
import { type MFunction, printMFunction } from './mir.ts';
import { type FuncInfo, type ModuleInfo, readModuleInfo, typeName, wordsOf } from './module-info.ts';
import { allocate } from './regalloc.ts';
import { TRAP_HANDLER_ASM } from './traps.ts';
import { SANCUS_UNWRAP, SANCUS_WRAP, sancusAeRoutine } from './sancus-wrap.ts';
import { encodeSignature } from '../abi/signature.ts';
import { exprInfo, walk } from './ir-walk.ts';
import { asciz } from './abort.ts';
import { memoryInit } from './mem-init.ts';
import { paramBounds } from './param-ranges.ts';
import { romRodata, romTail } from './rom-tail.ts';

export interface BackendOptions {
  /** Bytes of heap mapped after the static data (asconfig.json "hasm.heap"). */
  heap: number;
  /** Names functions for error messages (the AS source location). */
  where?: (wasmName: string) => string;
  /** Top of the stack for the standalone entry `_start` (end of the board's data memory). */
  stackTop: number;
  /** The runtime helper module (already compiled to wasm), linked as needed. */
  helpers?: Uint8Array;
  longBranches?: boolean;
  /** Helpers to link even if no function calls them (e.g. for C code linked with the same runtime). */
  extraHelpers?: string[];
  /** The machine-IR pipeline: print the IR between passes, validate it (passes.ts). */
  passes?: PassOptions;
  /** Peripheral register symbols from the board (peripherals.ts): MPY, OP2, RESLO, RESHI, WDTCTL, … */
  peripherals?: Record<string, number>;
  /**
   * Register windows [start, end) the module reaches only through its exclusive MMIO module (a Sancus driver,
   * firmware/README.md "Drivers and their MMIO modules"): `hasm.mmio_*` at an address inside one lowers to a call of
   * `__hasm_mmio_read8/read16/write8/write16` (address, value) that the module packaging supplies.
   */
  mmioCalls?: readonly { start: number; end: number }[];
}

export interface FunctionReport {
  name: string;
  sym: string;
  exported?: string;
  instructions: number;
  spills: number;
}

export interface BackendResult {
  asm: string;
  functions: FunctionReport[];
  memSize: number;
  exports: { name: string; sym: string; params: string[]; results: string[] }[];
  helpers: string[];
}

const MEM = '__hasm_mem';
/** The section of the standalone entry `_start` (stack, watchdog, start function, halt): text like `.text`. */
export const STANDALONE_SECTION = '.text.hasm_standalone';
/** Binaryen expression nodes up to which a function is always inlined (Binaryen's default is 2). */
const INLINE_MAX_SIZE = 12;
const REG_NAME = /^(r\d{1,2}|pc|sp|sr|cg)$/i;

export function readWasm(wasm: Uint8Array): binaryen.Module {
  let mod: binaryen.Module;
  try {
    mod = binaryen.readBinary(wasm);
  } catch (e) {
    throw new InputError(`not a valid wasm module: ${(e as Error).message}`);
  }
  mod.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt | binaryen.Features.BulkMemory | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
  // dce leaves no value-producing expression with an unreachable operand, which the lowering relies on.
  // ssa-nomerge gives each assignment of a reused local its own local where no merge needs them joined (the
  // optimiser coalesces unrelated values into one local; ranges.ts bounds a local over all of its assignments).
  // Small functions (AS's array accessors the front end left out of line) are inlined: an EABI call costs more on
  // the MSP430 than their bodies. Binaryen's inliner, with its size limit raised for this run only. Every setting
  // the passes read is given here: they are process-wide, and asc leaves its own behind (its optimiser sets the
  // inlining limits), so a process that had just compiled AssemblyScript got other code than one that found the
  // front end's wasm in the cache (host/deploy/compile-as.ts saw a unit differ with nothing else changed).
  const saved = PASS_SETTINGS.map((x) => x.get());
  PASS_SETTINGS.forEach((x) => x.set(x.value));
  try {
    mod.runPasses(['inlining-optimizing', 'ssa-nomerge', 'dce']);
  } finally {
    PASS_SETTINGS.forEach((x, i) => x.set(saved[i]!));
  }
  return mod;
}

/** The Binaryen settings readWasm's passes run with: the library's defaults, the inliner's size limit raised. */
const PASS_SETTINGS: { get: () => number; set: (v: number) => void; value: number }[] = [
  { get: () => binaryen.getOptimizeLevel(), set: (v) => binaryen.setOptimizeLevel(v), value: 2 },
  { get: () => binaryen.getShrinkLevel(), set: (v) => binaryen.setShrinkLevel(v), value: 1 },
  { get: () => binaryen.getAlwaysInlineMaxSize(), set: (v) => binaryen.setAlwaysInlineMaxSize(v), value: INLINE_MAX_SIZE },
  { get: () => binaryen.getFlexibleInlineMaxSize(), set: (v) => binaryen.setFlexibleInlineMaxSize(v), value: 20 },
  { get: () => binaryen.getOneCallerInlineMaxSize(), set: (v) => binaryen.setOneCallerInlineMaxSize(v), value: -1 },
  { get: () => Number(binaryen.getAllowInliningFunctionsWithLoops()), set: (v) => binaryen.setAllowInliningFunctionsWithLoops(v !== 0), value: 0 },
];

function checkTypes(mod: ModuleInfo, where: (n: string) => string): void {
  for (const f of mod.funcs) {
    if (f.imported) {
      checkImport(f, where(f.imported.base)); // imports carry no debug name: find the declaration by its base name
      continue;
    }
    for (const t of [...f.params, ...f.results, ...f.vars]) {
      if (t !== binaryen.i32 && t !== binaryen.i64) throw new InputError(`${where(f.name)}: type ${typeName(t)} is not supported on the MSP430 target (integers only: no f32/f64)`);
    }
  }
  for (const g of mod.globals.values()) {
    if (g.type !== binaryen.i32 && g.type !== binaryen.i64) throw new InputError(`global ${g.name}: type ${typeName(g.type)} is not supported (integers only)`);
  }
}

interface Unit {
  mod: ModuleInfo;
  funcSym: (name: string) => string;
  globalSym: (name: string) => string;
  prefix: string;
  tableSym: string;
  tableTypesSym: string;
}

export function compileWasm(wasm: Uint8Array, opts: BackendOptions): BackendResult {
  const where = opts.where ?? ((n: string) => `function ${n}`);
  const mod = readModuleInfo(readWasm(wasm));
  checkTypes(mod, where);
  const dataEnd = mod.data.reduce((m, d) => Math.max(m, d.offset + d.bytes.length), 0);
  const heapBase = [...mod.globals.values()].find((g) => /__heap_base$/.test(g.name));
  // A module none of whose functions reads or writes linear memory gets none (issue 15): its data segments (AS's
  // static strings, say) are unreachable without a memory instruction.
  const staticEnd = align2(Math.max(dataEnd, heapBase ? Number(heapBase.init) : 0));
  const mapped = mod.memoryPages !== 0 && touchesMemory(mod);
  // A module reading read-only tables (hasm.rom_*) keeps [X, staticEnd) in its text: RAM is [0, X) (rom-tail.ts).
  const rom = romTail(mod, mapped && mod.funcs.some(isRomRead), staticEnd, opts.heap);
  const memSize = !mapped ? 0 : rom ? rom.start : staticEnd + opts.heap;
  const exportOf = new Map<string, string>();
  for (const e of mod.exports) {
    if (!/^[A-Za-z_][\w]*$/.test(e.name) || REG_NAME.test(e.name)) throw new InputError(`export '${e.name}' is not a valid assembly symbol name`);
    if (!exportOf.has(e.func)) exportOf.set(e.func, e.name);
  }
  const user: Unit = {
    mod,
    prefix: '__m',
    funcSym: (n) => `__m_f${mod.byName.get(n)!.index}`,
    globalSym: (n) => `__m_g_${[...mod.globals.keys()].indexOf(n)}`,
    tableSym: '__m_table',
    tableTypesSym: '__m_table_types',
  };
  // An internal function also gets a local label with its AssemblyScript name (`crc/helper` → `helper`), so that
  // disassembly, traces and profiles name it (issue 15) instead of `__m_f3`; only when that name is a valid symbol
  // not used otherwise (exports, peripheral registers, registers, the runtime's `__` names).
  const taken = new Set<string>(['_start', ...mod.exports.map((e) => e.name), ...Object.keys(opts.peripherals ?? {})]);
  const readableName = (wasmName: string): string | undefined => {
    const name = wasmName.slice(wasmName.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]\w*$/.test(name) || name.startsWith('__') || REG_NAME.test(name) || taken.has(name)) return undefined;
    taken.add(name);
    return name;
  };
  const sigIds = new Map(mod.sigIds);
  const needed = new Set<string>(opts.extraHelpers ?? []);
  const out: string[] = [`; generated by hasm build (toolchain/compiler)`];
  const rodataStrings = new Map<string, string>(); // text → symbol
  const periph = opts.peripherals ?? {};
  // Board addresses only where the module imports them (`board.NAME`): an absolute symbol is a name the listings
  // and the disassembler give that address everywhere.
  const boardUsed = new Set(mod.funcs.filter((f) => f.imported?.module === BOARD_NAMESPACE).map((f) => boardSymbol(f.imported!.base)));
  for (const [name, addr] of Object.entries(periph)) {
    if (isBoardSymbol(name) && !boardUsed.has(name)) continue;
    out.push(`  .set ${name}, 0x${addr.toString(16).padStart(4, '0')}`);
  }
  const reports: FunctionReport[] = [];

  let f0 = '';
  // Parameter ranges across the user's module (param-ranges.ts); the helpers are called by the lowering itself.
  const userParams = paramBounds(mod);
  const compileUnit = (u: Unit, names: string[] | 'all') => {
    const ctx: LowerContext = {
      paramBounds: u === user ? (n) => userParams.get(n) : undefined,
      mod: u.mod,
      funcSym: u.funcSym,
      globalSym: u.globalSym,
      memSize,
      memSym: MEM,
      rom,
      tableSym: u.tableSym,
      tableTypesSym: u.tableTypesSym,
      sigId: (sig) => {
        if (!sigIds.has(sig)) sigIds.set(sig, sigIds.size + 1);
        return sigIds.get(sig)!;
      },
      needHelper: (n) => needed.add(n),
      where: (f: FuncInfo) => where(f.name),
      longBranches: !!opts.longBranches,
      needMultiplier: () => {
        if (periph.OP2 === undefined) throw new InputError(`${where(f0)}: a 32-bit multiply needs the hardware multiplier, and the board has none`);
      },
      mmioCall: (addr) => (opts.mmioCalls ?? []).some((w) => addr >= w.start && addr < w.end),
      rodataString: (text) => {
        if (!rodataStrings.has(text)) rodataStrings.set(text, `__hasm_str_${rodataStrings.size}`);
        return rodataStrings.get(text)!;
      },
    };
    for (const f of u.mod.funcs) {
      if (f.imported) continue;
      if (names !== 'all' && !names.includes(f.name)) continue;
      f0 = f.name;
      const lowered: MFunction = lowerFunction(f, ctx);
      const params = new Set<number>();
      const n = lowered.paramVregs ?? f.params.reduce((m, t) => m + wordsOf(t), 0);
      for (let id = 0; id < n; id++) params.add(id);
      // Jumps once more after allocation: the phi copies the allocator coalesced away leave jumps to jumps.
      const p = fold(peephole(allocate(runPasses(lowered, opts.passes), params)));
      const a = { ...p, fn: cleanJumps(crossJump(tailCalls(p.fn, p.saved, p.frame))) };
      opts.passes?.print?.('regalloc', a.fn.sym, printMFunction(a.fn));
      const exported = u === user ? exportOf.get(f.name) : undefined;
      const aliases = u === user ? mod.exports.filter((e) => e.func === f.name).map((e) => e.name) : [];
      const lines = emitFunction(a, { longBranches: !!opts.longBranches, exported: aliases });
      const local = u === user && !aliases.length ? readableName(f.name) : undefined;
      if (local) lines.splice(lines.indexOf(`${lowered.sym}:`) + 1, 0, `${local}:`);
      out.push('', ...lines);
      reports.push({ name: f.name, sym: lowered.sym, exported, instructions: a.fn.code.length, spills: a.spills });
    }
  };
  compileUnit(user, 'all');

  // Helpers: compile the helper module's functions that the image calls, transitively.
  const helperNames: string[] = [];
  if (opts.helpers && needed.size) {
    const hmod = readModuleInfo(readWasm(opts.helpers));
    const hexport = new Map(hmod.exports.map((e) => [e.name, e.func]));
    const symOf = new Map<string, string>();
    for (const f of hmod.funcs) symOf.set(f.name, `__hasm_rt_f${f.index}`);
    for (const e of hmod.exports) symOf.set(e.func, `__hasm_${e.name}`);
    const hunit: Unit = {
      mod: hmod,
      prefix: '__hasm_rt',
      funcSym: (n) => symOf.get(n)!,
      globalSym: (n) => `__hasm_rt_g_${[...hmod.globals.keys()].indexOf(n)}`,
      tableSym: '__hasm_rt_table',
      tableTypesSym: '__hasm_rt_table_types',
    };
    const done = new Set<string>();
    for (;;) {
      const todo = [...needed].filter((n) => !done.has(n));
      if (!todo.length) break;
      const fnames: string[] = [];
      for (const n of todo) {
        done.add(n);
        const fn = hexport.get(n);
        if (!fn) throw new Error(`internal: no runtime helper '${n}'`);
        fnames.push(...reachable(hmod, fn));
        helperNames.push(n);
      }
      const fresh = [...new Set(fnames)].filter((f) => !done.has(`fn:${f}`));
      fresh.forEach((f) => done.add(`fn:${f}`));
      compileUnit(hunit, fresh);
    }
    emitGlobals(out, hunit);
  } else if (needed.size) throw new Error(`internal: runtime helpers needed (${[...needed].join(', ')}) but none given`);

  // The shared function tails the functions above return through (emit.ts sharedEpilogue), once per image.
  const tailRe = new RegExp(`^ {2}br #${EPILOGUE}(\\d+)$`);
  const tails = out.map((l) => tailRe.exec(l)).filter((m) => m).map((m) => Number(m![1]));
  if (tails.length) out.push(...epilogueRoutine(Math.max(...tails)));
  emitGlobals(out, user);
  // The function table and the signature id of each slot (0 = empty slot: any call_indirect to it traps).
  out.push('', '  .section .rodata', '  .balign 2', `${user.tableSym}:`);
  for (const n of mod.table) out.push(`  .word ${n ? user.funcSym(n) : 0}`);
  out.push(`${user.tableTypesSym}:`);
  for (const n of mod.table) out.push(`  .word ${n ? sigIds.get(mod.byName.get(n)!.sig)! : 0}`);
  for (const [text, sym] of rodataStrings) out.push(`${sym}:`, asciz(text));
  // Linear memory (ARCHITECTURE.md "The compiler path" 5) is zero-filled RAM: `.bss`; `__hasm_init` clears it and
  // writes the data segments' non-zero words (mem-init.ts).
  // With a ROM tail, RAM ends at X (odd, maybe: the word that holds RAM's last byte is mapped, its other byte unused).
  const ramBytes = align2(memSize);
  const mem = new Uint8Array(rom ? rom.end : memSize);
  for (const d of memSize ? mod.data : []) {
    if (d.offset + d.bytes.length > mem.length) throw new InputError(`data segment at ${d.offset} does not fit the mapped memory`);
    mem.set(d.bytes, d.offset);
  }
  const ramImage = mem.slice(0, ramBytes);
  ramImage.fill(0, memSize);
  const memInit = memSize ? memoryInit(MEM, ramBytes, ramImage) : { code: [], rodata: [] };
  if (memSize) {
    out.push('', '  .bss', '  .balign 2', `  .global ${MEM}`, `${MEM}:`, `  .skip ${ramBytes}`);
    if (memInit.rodata.length) out.push('', '  .section .rodata', ...memInit.rodata);
  }
  if (rom) out.push('', '  .section .rodata', ...romRodata(rom, mem));
  out.push(TRAP_HANDLER_ASM);
  for (const r of [SANCUS_WRAP, SANCUS_UNWRAP] as const) if (out.some((l) => l.includes(`#${r}`))) out.push(...sancusAeRoutine(r, MEM, memSize));
  // The standalone entry: stack at the top of data memory, the wasm start function, then halt.
  // The watchdog runs after reset (TI guide ch. 10); the entry holds it (WDTCTL = WDTPW | WDTHOLD).
  // Its own section (STANDALONE_SECTION): a packaging that enters the module otherwise (a Sancus module's stub)
  // leaves it out.
  out.push(`  .section ${STANDALONE_SECTION}, "ax"`, '  .global _start', '_start:', `  mov #${opts.stackTop}, r1`);
  if (periph.WDTCTL !== undefined) out.push('  mov #0x5a80, &WDTCTL');
  out.push('  call #__hasm_init', '  br #__hasm_halt', '  .text');
  // The wasm start function (AS: static allocations, global initialisers), callable on its own by `--call`.
  out.push('  .global __hasm_init', '__hasm_init:');
  out.push(...memInit.code);
  if (mod.start) out.push(`  call #${user.funcSym(mod.start)}`);
  out.push('  ret');
  // Export signatures for `hasm run --call` (signature.ts).
  for (const e of mod.exports) {
    const f = mod.byName.get(e.func)!;
    out.push(`  .global __hasm_sig_${e.name}`, `  .set __hasm_sig_${e.name}, ${encodeSignature(f.params.map(typeName), f.results.map(typeName))}`);
  }
  return {
    asm: out.join('\n') + '\n',
    functions: reports,
    memSize,
    exports: mod.exports.map((e) => {
      const f = mod.byName.get(e.func)!;
      return { name: e.name, sym: e.name, params: f.params.map(typeName), results: f.results.map(typeName) };
    }),
    helpers: helperNames,
  };
}

function emitGlobals(out: string[], u: Unit): void {
  const muts = [...u.mod.globals.values()].filter((g) => g.mutable);
  if (!muts.length) return;
  out.push('', '  .data', '  .balign 2');
  for (const g of muts) {
    out.push(`${u.globalSym(g.name)}:`);
    const n = wordsOf(g.type);
    const val = BigInt.asUintN(16 * n, g.init);
    for (let k = 0; k < n; k++) out.push(`  .word ${Number((val >> BigInt(16 * k)) & 0xffffn)}`);
  }
}

/** Functions reachable by direct calls from `root` (helpers call only helpers). */
function reachable(mod: ModuleInfo, root: string): string[] {
  const seen = new Set<string>([root]);
  const stack = [root];
  while (stack.length) {
    const f = mod.byName.get(stack.pop()!)!;
    if (f.imported) {
      seen.delete(f.name);
      continue;
    }
    walk(f.body, (e) => {
      const info = exprInfo(e) as { id: number; target?: string };
      if (info.id === binaryen.CallId && !seen.has(info.target!)) {
        seen.add(info.target!);
        stack.push(info.target!);
      }
    });
  }
  return [...seen].filter((n) => !mod.byName.get(n)!.imported);
}

/** Whether any function has a memory instruction (load, store, memory.size/grow/copy/fill/init, data.drop). */
function touchesMemory(mod: ModuleInfo): boolean {
  const MEMORY_IDS = new Set([binaryen.LoadId, binaryen.StoreId, binaryen.MemorySizeId, binaryen.MemoryGrowId, binaryen.MemoryCopyId, binaryen.MemoryFillId, binaryen.MemoryInitId, binaryen.DataDropId]);
  for (const f of mod.funcs) {
    if (f.imported) continue;
    let found = false;
    walk(f.body, (e) => {
      if (found) return;
      const id = binaryen.getExpressionId(e);
      // A read of the read-only tail (hasm.rom_*) is a read of linear memory too.
      found = MEMORY_IDS.has(id) || (id === binaryen.CallId && isRomRead(mod.byName.get(exprInfo(e).target as string)!));
    });
    if (found) return true;
  }
  return false;
}

function align2(n: number): number {
  return (n + 1) & ~1;
}
