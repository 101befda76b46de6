// The whole path for one module: AssemblyScript source → wasm (front.ts) → assembly (backend.ts) → object (our
// assembler) → linked image for a board (our linker). `hasm build` and the tests call this.
import { fileURLToPath } from 'node:url';
import type { Board } from '../../boards/board.ts';
import { InputError } from '../common/errors.ts';
import { assemble } from '../msp430/asm/assembler.ts';
import { link, type LinkedImage } from '../link/link.ts';
import type { ObjectFile } from '../link/object.ts';
import { type BackendResult, compileWasm } from './backend.ts';
import { type AsConfig, compileAssemblyScript, loadAsConfig, sourceLocation, type FrontResult } from './front.ts';

const HELPERS_SOURCE = fileURLToPath(new URL('./runtime/helpers.ts', import.meta.url));
let helpersWasm: Promise<Uint8Array> | undefined;

/** The runtime helper module, compiled once per process. */
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
  const base = { heap: opts.heap ?? 1024, stackTop: stackTop(board), helpers, where: (n: string) => sourceLocation(opts.front, n) };
  const file = opts.file ?? opts.front?.source ?? 'module.wasm';
  let backend = compileWasm(wasm, base);
  let object: ObjectFile;
  try {
    object = assemble(backend.asm, `${file}.s`);
  } catch (e) {
    // Conditional jumps reach ±1 KiB; a function that outgrows them is rebuilt with absolute branches.
    if (!/out of range/.test((e as Error).message)) throw e;
    backend = compileWasm(wasm, { ...base, longBranches: true });
    object = assemble(backend.asm, `${file}.s`);
  }
  const image = link([object], { board });
  return { front: opts.front, backend, object, image };
}

export async function buildSource(source: string, board: Board, config?: AsConfig): Promise<BuildResult> {
  const cfg = config ?? loadAsConfig(source);
  const front = await compileAssemblyScript(source, cfg);
  return buildWasm(front.wasm, board, { heap: cfg.heap, front });
}
