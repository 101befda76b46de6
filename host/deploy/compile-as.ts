// AssemblyScript → the backend's assembly, without linking: a protected module's or the node runtime's unit refers
// to symbols only the node image supplies (outputs, copy_in, the runtime's platform routines), so it is packaged
// and linked with the rest of the node (toolchain/sancus/module/compiled.ts, runtime-image.ts), not on its own.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Board } from '../../boards/board.ts';
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

/** `mmio`: register windows the module reaches through its exclusive MMIO module (BackendOptions.mmioCalls). */
export async function compileAs(path: string, board: Board, configFile?: string, mmio?: readonly { start: number; end: number }[]): Promise<CompiledAs> {
  const file = moduleSourceFile(path);
  const config = loadAsConfig(file, configFile);
  const front = await compileAssemblyScript(file, config);
  const ram = board.memory.find((m) => m.kind === 'ram');
  if (!ram) throw new InputError(`board '${board.name}' has no RAM region for the stack`);
  const backend = compileWasm(front.wasm, { heap: config.heap, stackTop: ram.start + ram.size, helpers: await runtimeHelpers(), where: (n) => sourceLocation(front, n), peripherals: peripheralSymbols(board), mmioCalls: mmio });
  backend.asm = assembleRelaxed(backend.asm, `${file}.s`).asm;
  return { file, backend, config };
}
