// The differential oracle (issue 4 "Same wasm, two machines"): every export of a wasm module is called with
// seeded edge and random integer arguments in V8 (WebAssembly.instantiate on the very same bytes) and on our
// emulator running the compiled image; results and traps must be identical. Shared by the vitest suite and the
// fuzz benchmark.
import type { Board } from '../../boards/board.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import type { BuildResult } from '../../toolchain/compiler/compile.ts';
import { TRAP, V8_TRAP_MESSAGES, type TrapReason } from '../../toolchain/compiler/traps.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { romImports } from './rom-imports.ts';

// tsconfig's lib has no DOM typings: the few WebAssembly names used here, typed locally.
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
  RuntimeError: new (msg: string) => Error;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface Mismatch {
  fn: string;
  args: string[];
  v8: string;
  ours: string;
}

/** xorshift32: small, seeded, deterministic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const EDGE32 = [0n, 1n, -1n, 2n, 3n, 7n, 8n, 15n, 16n, 17n, 31n, 32n, 33n, 63n, 64n, 255n, 256n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn, -0x80000000n, -2n, 100n, -100n, 65535n * 3n];
const EDGE64 = [...EDGE32, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x123456789abcdefn, -0x100000000n];

export function argSets(params: string[], n: number, next: () => number): bigint[][] {
  const out: bigint[][] = [];
  for (let c = 0; c < n; c++) {
    out.push(
      params.map((t) => {
        const r = next();
        const edges = t === 'i64' ? EDGE64 : EDGE32;
        if (r % 3 === 0) return edges[next() % edges.length]!;
        if (r % 3 === 1) return BigInt.asIntN(t === 'i64' ? 64 : 32, (BigInt(next()) << 32n) | BigInt(next()));
        return BigInt((next() % 200) - 100); // small values: loop counts, table indices
      }),
    );
  }
  return out;
}

function v8Trap(e: unknown): string {
  if (!(e instanceof WA.RuntimeError)) throw e;
  for (const [k, re] of Object.entries(V8_TRAP_MESSAGES)) if (re.test(e.message)) return `trap ${k}`;
  return `trap ? (${e.message})`;
}

export async function differential(wasm: Uint8Array, build: BuildResult, board: Board, opts: { seed: number; cases: number; maxCycles?: number; freshMachine?: boolean }): Promise<{ calls: number; traps: number; mismatches: Mismatch[] }> {
  const trapImport = (r: number) => {
    const name = (Object.entries(TRAP) as [TrapReason, number][]).find(([, v]) => v === r)?.[0];
    throw new WA.RuntimeError(name === 'divzero' ? 'divide by zero' : name === 'overflow' ? 'divide result unrepresentable' : 'unreachable');
  };
  // AS's abort (env.abort): the module's trap `abort` (compiler/abort.ts).
  const abortImport = () => {
    throw new WA.RuntimeError('abort');
  };
  // hasm.rom_u8/rom_u16 read the current instance's memory (rom-imports.ts).
  const imports = { hasm: { trap: trapImport, ...romImports(() => instance.exports.memory as { buffer: ArrayBuffer }) }, env: { abort: abortImport } };
  let { instance } = await WA.instantiate(wasm, imports);
  const image = imageFromLinked(build.image, 'corpus');
  let machine = loadMachine(image, board);
  const next = rng(opts.seed);
  const mismatches: Mismatch[] = [];
  let calls = 0;
  let traps = 0;
  for (const ex of build.backend.exports) {
    if (typeof instance.exports[ex.name] !== 'function') continue;
    const sets = ex.params.length === 0 ? [[]] : argSets(ex.params, opts.cases, next);
    for (const args of sets) {
      let want: string;
      if (opts.freshMachine) {
        // Fuzz modules share state between exports through globals; a fresh instance per call keeps both sides equal.
        ({ instance } = await WA.instantiate(wasm, imports));
        machine = loadMachine(image, board);
      }
      try {
        const fn = instance.exports[ex.name] as (...a: unknown[]) => unknown;
        const r = fn(...args.map((a, i) => (ex.params[i] === 'i64' ? a : Number(BigInt.asIntN(32, a)))));
        want = ex.results.length === 0 ? 'void' : String(typeof r === 'bigint' ? r : BigInt(r as number));
      } catch (e) {
        // V8's own stack limit is not a wasm trap: our stack is the board's RAM, a different limit; not compared.
        if (e instanceof RangeError) continue;
        want = v8Trap(e);
      }
      const o = callExport(machine, image, ex.name, args, { maxCycles: opts.maxCycles ?? 20_000_000 });
      const got = o.trap ? `trap ${o.trap}` : o.result === undefined ? 'void' : String(o.result);
      calls++;
      if (want.startsWith('trap')) traps++;
      if (got !== want) mismatches.push({ fn: ex.name, args: args.map(String), v8: want, ours: got });
    }
  }
  return { calls, traps, mismatches };
}
