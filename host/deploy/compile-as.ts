// AssemblyScript → the backend's assembly, without linking: a protected module's or the node runtime's unit refers
// to symbols only the node image supplies (outputs, copy_in, the runtime's platform routines), so it is packaged
// and linked with the rest of the node (toolchain/sancus/module/compiled.ts, runtime-image.ts), not on its own.
//
// The backend's output is cached (issue 21 item 4: a meter's twelve units cost about two CPU seconds to compile, and
// every deployment, test file and fleet worker compiled them again): in this process by the same key, and on disk
// (toolchain/common/cache.ts) by a hash of everything it is a function of — the front end's wasm (itself cached by
// its inputs), the backend's options, the runtime helpers' wasm, and the source of the toolchain and board code that
// runs (any edit there makes new entries; a stale entry is never read).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Board } from '../../boards/board.ts';
import { cacheKey, readCached, writeCached } from '../../toolchain/common/cache.ts';
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

const CODE_DIRS = ['../../toolchain', '../../boards'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

/** A hash of every TypeScript and JSON file of the toolchain and the boards — the emulator's too, which costs a
 *  spurious rebuild now and then, never a stale hit. Taken once, as this module is evaluated, right after the
 *  toolchain's modules it imports were loaded: an edit made while the process runs must not label what the code
 *  loaded before it builds. */
function hashCode(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) files.push(p);
    }
  };
  for (const d of CODE_DIRS) walk(d);
  files.sort();
  return cacheKey(...files.flatMap((f) => [f, readFileSync(f)]));
}
const CODE_HASH = hashCode();

export function toolchainFingerprint(): string {
  return CODE_HASH;
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
  const name = `backend-${cacheKey(front.wasm, helpers, JSON.stringify(options), file, toolchainFingerprint())}.json`;
  let backend = backends.get(name);
  if (!backend) {
    const disk = readCached(name);
    if (disk) {
      backend = JSON.parse(disk.toString('utf8')) as BackendResult;
    } else {
      backend = compileWasm(front.wasm, { ...options, helpers, where: (n) => sourceLocation(front, n) });
      backend.asm = assembleRelaxed(backend.asm, `${file}.s`).asm;
      writeCached(name, JSON.stringify(backend));
    }
    backends.set(name, backend);
  }
  // Each caller gets its own copy: a cached result is never changed through one.
  return { file, backend: structuredClone(backend), config };
}
