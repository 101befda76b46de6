// Random programs (issue 4 oracle): Binaryen's fuzzer (`wasm-opt -ttf`, MVP features, no memory ops: our linear
// memory is the module's real size, the fuzzer's is 16 pages) makes modules from seeded random bytes; the
// float parts we do not support are cut away *before* either machine sees the module, so V8 and the emulator
// run the very same integer-only wasm. Shared by fuzz.test.ts (a seeded set) and test/bench/compiler-fuzz.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import type { Board } from '../../boards/board.ts';
import { buildWasm } from '../../toolchain/compiler/compile.ts';
import { walk } from '../../toolchain/compiler/ir-walk.ts';
import { differential, rng, type Mismatch } from './differential.ts';
import { wasmOpt } from './wasm-opt-runner.ts';

const work = mkdtempSync(join(tmpdir(), 'hasm-fuzz-'));

/** The fuzzer's arguments: MVP + sign extension, no memory operations, no out-of-bounds accesses. */
export const TTF_FLAGS = ['-mvp', '--enable-sign-ext', '--no-fuzz-memory', '--no-fuzz-oob', '-q'];

export async function fuzzModule(seed: number, size = 3000): Promise<Uint8Array> {
  const next = rng(seed);
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = next() & 0xff;
  const input = join(work, `s${seed}.dat`);
  const output = join(work, `s${seed}.wasm`);
  writeFileSync(input, bytes);
  await wasmOpt(['-ttf', input, ...TTF_FLAGS, '-o', output]);
  const wasm = new Uint8Array(readFileSync(output));
  rmSync(input);
  rmSync(output);
  return wasm;
}

const isFloat = (t: number) => t === binaryen.f32 || t === binaryen.f64;

/** Integer-only version of a fuzz module: imports become empty local functions, float code is cut. */
export function integerOnly(wasm: Uint8Array): Uint8Array | undefined {
  const mod = binaryen.readBinary(wasm);
  mod.setFeatures(binaryen.Features.MVP | binaryen.Features.SignExt);
  const funcs = Array.from({ length: mod.getNumFunctions() }, (_, i) => binaryen.getFunctionInfo(mod.getFunctionByIndex(i)));
  // The fuzzer's logging imports: replaced by local functions with empty bodies (same signature).
  for (const f of funcs.filter((f) => f.module)) {
    mod.removeFunction(f.name);
    const r = f.results;
    mod.addFunction(f.name, f.params, r, [], r === binaryen.none ? mod.nop() : r === binaryen.i32 ? mod.i32.const(0) : r === binaryen.i64 ? mod.i64.const(0n as never) : mod.unreachable());
  }
  const floatSig = new Set<string>();
  const floatBody: { name: string; params: number; results: number }[] = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if ([...binaryen.expandType(f.params), ...binaryen.expandType(f.results)].some(isFloat)) {
      floatSig.add(f.name);
      continue;
    }
    let floats = f.vars.some(isFloat);
    if (!floats && f.body) walk(f.body, (e) => void (floats ||= isFloat(binaryen.getExpressionType(e))));
    if (floats) floatBody.push({ name: f.name, params: f.params, results: f.results });
  }
  // Float code inside an integer signature: the function becomes `unreachable` (a trap on both machines).
  for (const f of floatBody) {
    mod.removeFunction(f.name);
    mod.addFunction(f.name, f.params, f.results, [], mod.unreachable());
  }
  for (let i = mod.getNumExports() - 1; i >= 0; i--) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind !== binaryen.ExternalFunction || floatSig.has(e.value)) mod.removeExport(e.name);
  }
  // Table slots holding a float-signature function get a placeholder of another type: call_indirect to them
  // traps with a signature mismatch on both machines.
  const placeholder = '__float_cut';
  mod.addFunction(placeholder, binaryen.none, binaryen.none, [], mod.unreachable());
  const segs = Array.from({ length: mod.getNumElementSegments() }, (_, i) => binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i)));
  for (const seg of segs) {
    if (!seg.data.some((n) => floatSig.has(n))) continue;
    mod.removeElementSegment(seg.name);
    mod.addActiveElementSegment(seg.table, seg.name, seg.data.map((n) => (floatSig.has(n) ? placeholder : n)), seg.offset);
  }
  for (const n of floatSig) mod.removeFunction(n);
  for (let i = mod.getNumGlobals() - 1; i >= 0; i--) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (isFloat(g.type)) mod.removeGlobal(g.name);
  }
  if (!mod.validate()) return undefined;
  return mod.emitBinary();
}

export interface FuzzOutcome {
  seed: number;
  skipped?: string;
  calls: number;
  traps: number;
  mismatches: Mismatch[];
}

export async function fuzzOne(seed: number, board: Board, cases = 6): Promise<FuzzOutcome> {
  const wasm = integerOnly(await fuzzModule(seed));
  if (!wasm) return { seed, skipped: 'float function in the table or a float global', calls: 0, traps: 0, mismatches: [] };
  try {
    await (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<unknown> } }).WebAssembly.instantiate(wasm, {});
  } catch (e) {
    return { seed, skipped: `instantiation fails in V8: ${(e as Error).message}`, calls: 0, traps: 0, mismatches: [] };
  }
  const build = await buildWasm(wasm, board, { heap: 0, file: `fuzz-${seed}` });
  const { calls, traps, mismatches } = await differential(wasm, build, board, { seed, cases, maxCycles: 5_000_000, freshMachine: true });
  return { seed, calls, traps, mismatches };
}
