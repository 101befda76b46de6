// The whole path for one module: AssemblyScript source → wasm (front.ts) → assembly (backend.ts) → object (our
// assembler) → linked image for a board (our linker). `hasm build` and the tests call this.
import { fileURLToPath } from 'node:url';
import type { Board } from '../../boards/board.ts';
import { InputError } from '../common/errors.ts';
import { assemble } from '../msp430/asm/assembler.ts';
import { link, type LinkedImage } from '../link/link.ts';
import type { ObjectFile } from '../link/object.ts';
import { type BackendResult, compileWasm } from './backend.ts';
import { peripheralSymbols } from './peripherals.ts';
import { type AsConfig, compileAssemblyScript, loadAsConfig, sourceLocation, type FrontResult } from './front.ts';

const HELPERS_SOURCE = fileURLToPath(new URL('./runtime/helpers.ts', import.meta.url));
let helpersWasm: Promise<Uint8Array> | undefined;

/** The runtime helper module, compiled once per process (and cached on disk between processes by the front end). */
export function runtimeHelpers(): Promise<Uint8Array> {
  helpersWasm ??= compileAssemblyScript(HELPERS_SOURCE, loadAsConfig(HELPERS_SOURCE)).then((r) => r.wasm);
  return helpersWasm;
}

export interface BuildResult {
  front?: FrontResult;
  backend: BackendResult;
  object: ObjectFile;
  image: LinkedImage;
}

function stackTop(board: Board): number {
  const ram = board.memory.find((m) => m.kind === 'ram');
  if (!ram) throw new InputError(`board '${board.name}' has no RAM region for the stack`);
  return ram.start + ram.size;
}

/** Compiles wasm bytes for a board: assembly, object and linked image. */
export async function buildWasm(wasm: Uint8Array, board: Board, opts: { heap?: number; front?: FrontResult; file?: string } = {}): Promise<BuildResult> {
  const helpers = await runtimeHelpers();
  const base = { heap: opts.heap ?? 1024, stackTop: stackTop(board), helpers, where: (n: string) => sourceLocation(opts.front, n), peripherals: peripheralSymbols(board) };
  const file = opts.file ?? opts.front?.source ?? 'module.wasm';
  const backend = compileWasm(wasm, base);
  const { object, asm } = assembleRelaxed(backend.asm, `${file}.s`);
  backend.asm = asm;
  const image = link([object], { board });
  return { front: opts.front, backend, object, image };
}

/**
 * Assembles the backend's output. Branches are already relaxed (emit.ts sizes every instruction from the
 * instruction table and gives the long form to each jump that does not reach), so this is one assembler pass.
 * Kept under this name for its callers (host/deploy, benchmarks); `asm` is the text assembled.
 */
export function assembleRelaxed(source: string, file: string): { object: ObjectFile; asm: string } {
  return { object: assemble(source, file), asm: source };
}

export async function buildSource(source: string, board: Board, config?: AsConfig): Promise<BuildResult> {
  const cfg = config ?? loadAsConfig(source);
  const front = await compileAssemblyScript(source, cfg);
  return buildWasm(front.wasm, board, { heap: cfg.heap, front });
}
