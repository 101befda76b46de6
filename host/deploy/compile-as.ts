// AssemblyScript → the backend's assembly, without linking: a protected module's or the node runtime's unit refers
// to symbols only the node image supplies (outputs, copy_in, the runtime's platform routines), so it is packaged
// and linked with the rest of the node (toolchain/sancus/module/compiled.ts, runtime-image.ts), not on its own.
//
// The backend's output is kept for the rest of the process (issue 21 item 4: a meter's twelve units cost about two
// CPU seconds to compile, and every deployment compiled them again), by the front end's wasm (itself cached on disk
// by its inputs), the options and the file. Not on disk: an on-disk copy, keyed by the wasm, the options and a hash
// of the toolchain's source, once handed a later process a unit that made the whole meter refuse its commands — the
// backend's output evidently depends on more than those (binaryen's process-wide settings are one candidate) — so
// only what this process compiled itself is reused.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Board } from '../../boards/board.ts';
import { cacheKey } from '../../toolchain/common/cache.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { type BackendResult, compileWasm } from '../../toolchain/compiler/backend.ts';
import { assembleRelaxed, runtimeHelpers } from '../../toolchain/compiler/compile.ts';
import { type AsConfig, compileAssemblyScript, loadAsConfig, sourceLocation } from '../../toolchain/compiler/front.ts';
import { peripheralSymbols } from '../../toolchain/compiler/peripherals.ts';

export interface CompiledAs {
  /** The source file compiled (a folder's index.ts). */
  file: string;
  backend: BackendResult;
  config: AsConfig;
}

/** A module folder (`firmware/core`) means its `index.ts`. */
export function moduleSourceFile(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const index = join(path, 'index.ts');
    if (!existsSync(index) && !existsSync(join(path, 'index.as'))) throw new InputError(`module folder has no index.ts`, { file: path });
    return index;
  }
  return path;
}

const backends = new Map<string, BackendResult>();

/** `mmio`: register windows the module reaches through its exclusive MMIO module (BackendOptions.mmioCalls). */
export async function compileAs(path: string, board: Board, configFile?: string, mmio?: readonly { start: number; end: number }[]): Promise<CompiledAs> {
  const file = moduleSourceFile(path);
  const config = loadAsConfig(file, configFile);
  const front = await compileAssemblyScript(file, config);
  const ram = board.memory.find((m) => m.kind === 'ram');
  if (!ram) throw new InputError(`board '${board.name}' has no RAM region for the stack`);
  const helpers = await runtimeHelpers();
  const options = { heap: config.heap, stackTop: ram.start + ram.size, peripherals: peripheralSymbols(board), mmioCalls: mmio };
  const name = cacheKey(front.wasm, helpers, JSON.stringify(options), file);
  let backend = backends.get(name);
  if (!backend) {
    backend = compileWasm(front.wasm, { ...options, helpers, where: (n) => sourceLocation(front, n) });
    backend.asm = assembleRelaxed(backend.asm, `${file}.s`).asm;
    backends.set(name, backend);
  }
  // Each caller gets its own copy: a cached result is never changed through one.
  return { file, backend: structuredClone(backend), config };
}
