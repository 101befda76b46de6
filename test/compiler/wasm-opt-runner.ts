// Binaryen's `wasm-opt` run inside this process (the fuzz oracle's module generator). The npm package ships the
// tool as an Emscripten-built node script whose wasm is embedded; spawning it costs a node start, an 11 MB parse
// and a wasm compile per module (~0.4 s, most of a fuzz module's time). Here the script is compiled once as a
// function and run afresh per call — a new Emscripten runtime and a new wasm instance, so no state carries over
// between modules — while the compiled WebAssembly.Module is kept. Same tool, same arguments, same files: the
// output is byte-identical to the spawned tool's (test/compiler/wasm-opt-runner.test.ts checks that).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
export const WASM_OPT = join(dirname(require.resolve('binaryen/package.json')), 'bin', 'wasm-opt');

/** The script's last statement starts the runtime; we return its promise to learn when `main` has finished. */
const START = 'createWasm().then(()=>run())';

type Entry = (Module: object, require_: NodeRequire, filename: string, dir: string, process_: object, wasm: object) => Promise<void>;
let entry: Entry | undefined;
// tsconfig's lib has no DOM typings: the few WebAssembly names used here, typed locally.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

// The first run goes the glue's own way: it decodes the embedded wasm (~50 ms) and calls
// `WebAssembly.instantiate(bytes, imports)`, where the compiled module is kept. Later runs hand the glue its
// instance through Emscripten's `Module.instantiateWasm` hook, skipping the decode and the compile.
const cachingWasm = Object.assign(Object.create(WA) as object, {
  instantiate: async (bytes: Uint8Array, imports: object) => {
    compiled ??= new WA.Module(bytes);
    return { instance: new WA.Instance(compiled, imports), module: compiled };
  },
});

function load(): Entry {
  const src = readFileSync(WASM_OPT, 'utf8').replace(/^#!.*\n/, '').trimEnd().replace(/;$/, '');
  if (!src.endsWith(START)) throw new Error(`${WASM_OPT}: the Emscripten start-up line "${START}" is not where this runner expects it (binaryen changed its build?)`);
  const body = `${src.slice(0, -START.length)}return ${START};`;
  return vm.compileFunction(body, ['Module', 'require', '__filename', '__dirname', 'process', 'WebAssembly'], { filename: WASM_OPT }) as unknown as Entry;
}

/** Runs `wasm-opt ARGS` in-process; throws with the tool's exit code and messages when it fails. */
export async function wasmOpt(args: string[]): Promise<void> {
  entry ??= load();
  let messages = '';
  // A process stand-in: the glue's own argv and exit code; everything else (fs bindings, cwd) is the real process.
  const proc = Object.create(process, { argv: { value: [process.argv[0], WASM_OPT] }, exitCode: { value: 0, writable: true } }) as { exitCode: number };
  const Module: Record<string, unknown> = { arguments: [...args], print: (s: string) => (messages += `${s}\n`), printErr: (s: string) => (messages += `${s}\n`) };
  const module = compiled;
  if (module) Module.instantiateWasm = (imports: object, done: (instance: object, module: object) => void) => (done(new WA.Instance(module, imports), module), {});
  await entry(Module, require, WASM_OPT, dirname(WASM_OPT), proc, cachingWasm);
  if (proc.exitCode) throw new Error(`wasm-opt ${args.join(' ')}: exit ${proc.exitCode}\n${messages}`);
}
