// The front end: AssemblyScript → wasm with the assemblyscript package's programmatic API (issue 4 item 1),
// options from asconfig.json (stub runtime, no GC, abort lowered to a trap, static data from a small base).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import binaryen from 'binaryen';
import { cacheKey, packageVersion, readCached, writeCached } from '../common/cache.ts';
import { InputError, OperationError } from '../common/errors.ts';

export interface AsConfig {
  /** asc command-line options by name (asconfig.json "options"). */
  options: Record<string, unknown>;
  /** hasm's own settings (asconfig.json "hasm"): bytes of heap mapped after the static data. */
  heap: number;
}

const DEFAULT_CONFIG: AsConfig = {
  options: { runtime: 'stub', optimizeLevel: 3, shrinkLevel: 1, memoryBase: 16, debug: true },
  heap: 1024,
};

/** Reads asconfig.json: the given file, or the nearest one above the source, or the built-in defaults. */
export function loadAsConfig(source: string, configFile?: string): AsConfig {
  let file = configFile;
  if (!file) {
    for (let d = resolve(dirname(source)); ; d = dirname(d)) {
      if (existsSync(join(d, 'asconfig.json'))) {
        file = join(d, 'asconfig.json');
        break;
      }
      if (dirname(d) === d) break;
    }
  }
  if (!file) return DEFAULT_CONFIG;
  let json: { options?: Record<string, unknown>; hasm?: { heap?: number } };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read asconfig: ${(e as Error).message}`, { file });
  }
  return { options: { ...DEFAULT_CONFIG.options, ...(json.options ?? {}) }, heap: json.hasm?.heap ?? DEFAULT_CONFIG.heap };
}

function toArgs(options: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const [k, v] of Object.entries(options)) {
    if (v === false || v === undefined || v === null) continue;
    if (v === true) args.push(`--${k}`);
    else if (Array.isArray(v)) for (const x of v) args.push(`--${k}`, String(x));
    else args.push(`--${k}`, String(v));
  }
  return args;
}

export interface FrontResult {
  wasm: Uint8Array;
  source: string;
  text: string;
}

/**
 * AssemblyScript → wasm (start function evaluated), through the on-disk cache: a module compiled before with the
 * same options, front end and package versions, whose every file read then is unchanged (and every file looked for
 * and missing still missing), is not compiled again — the manifest way of ccache. asc and wasm-ctor-eval cost a
 * second or more per module, and `hasm meter run` builds ten.
 */
export async function compileAssemblyScript(source: string, config: AsConfig): Promise<FrontResult> {
  let text: string;
  try {
    text = readFileSync(existsSync(source) ? source : source.replace(/\.ts$/, '.as'), 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: source });
  }
  const manifestName = `front-${cacheKey(resolve(source), JSON.stringify(config.options), FRONT_TEXT, packageVersion('assemblyscript'), packageVersion('binaryen'))}.json`;
  const hit = cachedFront(manifestName);
  if (hit) return { wasm: hit, source, text };
  const inputs: Array<{ path: string; sha: string | null }> = [];
  const read = (p: string): string | null => {
    const found = existsSync(p) ? readFileSync(p, 'utf8') : null;
    inputs.push({ path: p, sha: found === null ? null : cacheKey(found) });
    return found;
  };
  const outputs = new Map<string, Uint8Array | string>();
  let errors = '';
  // Loaded only on a cache miss: importing the compiler is about half a second.
  const asc = (await import('assemblyscript/asc')).default;
  const entry = resolve(source);
  const { error } = await asc.main([source, HEAP_BASE_ENTRY, '--outFile', 'out.wasm', ...toArgs(config.options), '--exportStart', '_start'], {
    readFile: (name: string, base: string) => {
      const p = resolve(base ?? '.', name);
      if (p === HEAP_BASE_ENTRY) return HEAP_BASE_SOURCE;
      // AssemblyScript kept inside the TypeScript tree is stored as `.as` so tsc does not check it as TS.
      const as = p.replace(/\.ts$/, '.as');
      const found = read(p) ?? (as !== p ? read(as) : null);
      // The entry's last top-level statement: the end-of-RAM-statics marker (ROM_START_SOURCE).
      return found !== null && p === entry ? found + ROM_START_SOURCE : found;
    },
    writeFile: (name: string, contents: Uint8Array | string) => void outputs.set(name, contents),
    listFiles: () => [],
    stdout: { write: () => true } as never,
    stderr: { write: (s: string) => ((errors += s), true) } as never,
  });
  if (error) {
    const m = /(\S+\.ts)\((\d+),(\d+)\)/.exec(errors.replace(/\x1b\[[0-9;]*m/g, ''));
    const clean = errors.replace(/\x1b\[[0-9;]*m/g, '').trim();
    throw new InputError(`AssemblyScript: ${clean.split('\n').slice(0, 6).join(' | ')}`, m ? { file: m[1]!, line: Number(m[2]) } : { file: source });
  }
  const out = outputs.get('out.wasm');
  if (!(out instanceof Uint8Array)) throw new OperationError('asc produced no wasm');
  const wasm = withHeapBase(evalStart(out));
  const wasmName = `front-${cacheKey(wasm)}.wasm`;
  writeCached(wasmName, wasm); // the wasm first: a manifest is only ever written when its wasm exists
  writeCached(manifestName, JSON.stringify({ inputs, wasm: wasmName }));
  return { wasm, source, text };
}

/** The cached wasm of a manifest whose inputs are all as they were, or undefined. */
function cachedFront(manifestName: string): Uint8Array | undefined {
  const manifest = readCached(manifestName);
  if (!manifest) return undefined;
  const { inputs, wasm } = JSON.parse(manifest.toString('utf8')) as { inputs: Array<{ path: string; sha: string | null }>; wasm: string };
  for (const { path, sha } of inputs) {
    const now = existsSync(path) ? cacheKey(readFileSync(path, 'utf8')) : null;
    if (now !== sha) return undefined;
  }
  const bytes = readCached(wasm);
  return bytes && new Uint8Array(bytes);
}

const FRONT_SOURCE = fileURLToPath(new URL('./front.ts', import.meta.url));
/** This front end's text as it was when this process loaded it, part of every cache key: read at each compile, a
 *  process started before front.ts was edited (a watch run, a long test run) filed its old output under the new
 *  text's key, and every later build read that wasm (an old front end's wasm without the ROM-tail marker: a module
 *  whose memory symbol was never defined). */
const FRONT_TEXT = readFileSync(FRONT_SOURCE);

/**
 * A second entry the front end compiles beside the module (served from memory, no file): AS's `__heap_base` is the
 * end of the static data, zero-filled buffers included, which the wasm's data segments do not show (they hold
 * non-zero bytes only). After the start function is evaluated its value becomes the immutable global `__heap_base`
 * the backend maps the memory up to (backend.ts), and the export is removed: the module's code is unchanged.
 */
const HEAP_BASE_ENTRY = join(dirname(FRONT_SOURCE), '__hasm_heap_base.ts');
const HEAP_BASE_EXPORT = '__hasm_heap_base';
const HEAP_BASE_SOURCE = `export function ${HEAP_BASE_EXPORT}(): usize { return __heap_base; }\n`;


/**
 * Appended to the module's entry source (served through asc's readFile): a zero-byte `memory.data` at alignment 1
 * whose address X is the end of the eagerly compiled statics, and an export returning it, which becomes the immutable
 * global ROM_START_GLOBAL like the heap base (the export removed, the layout unchanged: no byte, no padding).
 * AssemblyScript (0.27) places static data in compile order: each file's top-level statements compile eagerly
 * (an import at its statement, depth first), a `@lazy` global at its first use inside a function body, and the entry
 * file's exported functions after all of the entry's top-level statements — so a table declared
 * `@lazy export const T = memory.data<u8>([…])` lies in [X, __heap_base), the ROM tail (backend.ts), after every
 * eager (zero-filled, writable) buffer. It must be the entry file's own last statement: a marker in a second entry
 * file came after the tables (toolchain/compiler/README.md "Read-only tables", the experiment).
 */
const ROM_START_EXPORT = '__hasm_rom_start';
export const ROM_START_GLOBAL = '__hasm_rom_start';
const ROM_START_SOURCE = `\n// hasm: the end of the eagerly compiled statics (toolchain/compiler/front.ts ROM_START_SOURCE)\nconst __hasm_rom_start_marker: usize = memory.data<u8>([], 1);\nexport function ${ROM_START_EXPORT}(): usize { return __hasm_rom_start_marker; }\n`;

/**
 * Replaces the heap-base export (HEAP_BASE_ENTRY) by the immutable global `__heap_base` holding its value, and the
 * ROM-start export (ROM_START_SOURCE) by the global ROM_START_GLOBAL.
 */
function withHeapBase(wasm: Uint8Array): Uint8Array {
  const mod = binaryen.readBinary(wasm);
  try {
    mod.setFeatures(binaryen.Features.MVP | binaryen.Features.BulkMemory | (binaryen.Features as unknown as { BulkMemoryOpt: number }).BulkMemoryOpt | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
    const values = [exportedConstant(mod, HEAP_BASE_EXPORT), exportedConstant(mod, ROM_START_EXPORT)];
    // The functions go with their exports, unless the optimiser merged a function of the module's own with one
    // (same body): Binaryen's sweep keeps what is still referenced — and drops unreferenced globals, so it runs first.
    mod.runPasses(['remove-unused-module-elements']);
    mod.addGlobal('__heap_base', binaryen.i32, false, mod.i32.const(values[0]!));
    mod.addGlobal(ROM_START_GLOBAL, binaryen.i32, false, mod.i32.const(values[1]!));
    const debug = binaryen.getDebugInfo();
    binaryen.setDebugInfo(true); // keep the names section (error messages name functions by their AS names)
    const bytes = mod.emitBinary();
    binaryen.setDebugInfo(debug);
    return bytes;
  } finally {
    mod.dispose();
  }
}

/** The constant the front end's export `name` (a function returning a constant) returns; the export removed. */
function exportedConstant(mod: binaryen.Module, name: string): number {
  const e = mod.getExport(name);
  if (!e) throw new OperationError(`the front end's ${name} export is missing`);
  const fn = binaryen.getExportInfo(e).value;
  const body = binaryen.getFunctionInfo(mod.getFunction(fn)).body;
  const info = binaryen.getExpressionInfo(body) as { id: number; value?: number };
  if (info.id !== binaryen.ConstId || typeof info.value !== 'number') throw new OperationError(`${name} did not fold to a constant`);
  mod.removeExport(name);
  return info.value;
}
const require = createRequire(import.meta.url);
const CTOR_EVAL = join(dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-ctor-eval');

/**
 * Runs the module's start function at compile time (Binaryen's wasm-ctor-eval): AS's static allocations and
 * global initialisers become data, the pointer globals constants, and every `StaticArray` base folds into the
 * addresses that use it. Whatever cannot be evaluated stays the start function. Both machines of the
 * differential test run the result, so it is the module's definition from here on.
 */
function evalStart(wasm: Uint8Array): Uint8Array {
  const mod = binaryen.readBinary(wasm);
  const exports = Array.from({ length: mod.getNumExports() }, (_, i) => binaryen.getExportInfo(mod.getExportByIndex(i)).name);
  mod.dispose();
  if (!exports.includes('_start')) return wasm;
  const dir = mkdtempSync(join(tmpdir(), 'hasm-ctor-'));
  const input = join(dir, 'in.wasm');
  const output = join(dir, 'out.wasm');
  writeFileSync(input, wasm);
  const kept = exports.filter((e) => e !== '_start');
  execFileSync(CTOR_EVAL, [input, '-g', '--enable-bulk-memory', '--enable-bulk-memory-opt', '--enable-sign-ext', '--enable-mutable-globals', '--enable-nontrapping-float-to-int', '--ctors=_start', ...(kept.length ? [`--kept-exports=${kept.join(',')}`] : []), '-o', output], { stdio: 'pipe' });
  const out = binaryen.readBinary(new Uint8Array(readFileSync(output)));
  out.setFeatures(binaryen.Features.MVP | binaryen.Features.BulkMemory | (binaryen.Features as unknown as { BulkMemoryOpt: number }).BulkMemoryOpt | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
  // A start that could not be evaluated (fully) is still exported: make it the start function again.
  if (out.getExport('_start')) {
    const fn = binaryen.getExportInfo(out.getExport('_start')).value;
    out.removeExport('_start');
    out.setStart(out.getFunction(fn));
  }
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(1);
  out.runPasses(['simplify-globals-optimizing']);
  out.optimize();
  // Keep the names section: error messages name functions by their AS names.
  const debug = binaryen.getDebugInfo();
  binaryen.setDebugInfo(true);
  const bytes = out.emitBinary();
  binaryen.setDebugInfo(debug);
  out.dispose();
  return bytes;
}

/** Names the AS declaration behind a wasm function name (`path/to/module/name`), as `file:line`. */
export function sourceLocation(front: { source: string; text: string } | undefined, wasmName: string): string {
  if (!front) return `function ${wasmName}`;
  const short = wasmName.split('/').pop()!.replace(/[^\w$].*$/, '');
  const lines = front.text.split('\n');
  const re = new RegExp(`\\bfunction\\s+${short.replace(/\$/g, '\\$')}\\b`);
  const i = lines.findIndex((l) => re.test(l));
  return i >= 0 ? `${front.source}:${i + 1}: function ${short}` : `${front.source}: function ${wasmName}`;
}
