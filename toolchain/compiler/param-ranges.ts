// Value ranges of parameters, across the module: a function called only directly (not exported, not in the
// table: no caller outside this module's code) receives only what its call sites pass. Its i32 parameter is
// bounded by the largest argument any call site's range (ranges.ts, in the caller, itself with its parameters'
// bounds) gives — to a fixed point over the module, from below (no call seen: bound 0), a bound still growing
// after a few rounds given up. A parameter below 2^16 then has the constant 0 as its high word in the callee,
// and the callers do not pass that word (its EABI register is left as it is, lower-calls.ts): AssemblyScript
// passes pointers and byte counts as i32, and the byte-parsing code of the DLMS server is made of such calls.
import binaryen from 'binaryen';
import { exprInfo, walk } from './ir-walk.ts';
import { localWebs, type LocalWebs } from './local-webs.ts';
import type { FuncInfo, ModuleInfo } from './module-info.ts';
import { guardedIncrements, signedFacts } from './narrow.ts';
import { type CallRanges, localRanges, Ranges, U32, type LocalRanges } from './ranges.ts';
import { callRanges } from './intrinsics.ts';

const B = binaryen;
/** Rounds before a still-growing bound is given up (each round re-derives every function's ranges). */
const ROUNDS = 6;

export interface FunctionRanges extends LocalRanges {
  webs: LocalWebs;
  ranges: Ranges;
}

/**
 * The ranges of a function's locals (ranges.ts) on its webs (local-webs.ts); `params[i]`, when given, bounds the
 * i-th parameter's entry value.
 */
export function functionRanges(fn: FuncInfo, params: readonly (number | undefined)[] = [], calls?: CallRanges): FunctionRanges {
  const webs = localWebs(fn);
  const webOf = (e: number) => webs.webOf.get(e)!;
  const typeOf = (l: number) => (l < fn.params.length ? fn.params[l]! : fn.vars[l - fn.params.length]!);
  const tracked = new Set<number>();
  const entry = new Map<number, number>();
  webs.localOf.forEach((l, w) => {
    if (typeOf(l) !== B.i32) return;
    if (w >= fn.params.length) tracked.add(w);
    else if (params[w] !== undefined && params[w]! < U32) {
      tracked.add(w);
      entry.set(w, params[w]!);
    }
  });
  const lr = localRanges(fn.body, tracked, guardedIncrements(fn, webOf), webOf, signedFacts(fn, webOf), webs.entryWebs, entry, calls);
  return { ...lr, webs, ranges: new Ranges(lr.bounds, webOf, lr.signed, lr.nonNeg, lr.lows, calls) };
}

/** Whether parameter `i` (of type `t`) is passed as its low word only: an i32 every caller passes below 2^16. */
export function lowWordOnly(bounds: readonly (number | undefined)[] | undefined, i: number, t: number): boolean {
  return !!bounds && t === B.i32 && (bounds[i] ?? Infinity) <= 0xffff;
}

/** Per function called only directly, per parameter: the largest value it receives, or undefined (unknown). */
export function paramBounds(mod: ModuleInfo): Map<string, (number | undefined)[]> {
  const outside = new Set<string>([...mod.exports.map((e) => e.func), ...mod.table.filter((n): n is string => !!n)]);
  if (mod.start) outside.add(mod.start);
  const bounds = new Map<string, (number | undefined)[]>();
  for (const f of mod.funcs) if (!f.imported && !outside.has(f.name) && f.params.some((t) => t === B.i32)) bounds.set(f.name, f.params.map((t) => (t === B.i32 ? 0 : undefined)));
  if (!bounds.size) return bounds;
  for (let round = 0; ; round++) {
    const next = new Map<string, (number | undefined)[]>([...bounds].map(([n, b]) => [n, b.map((x) => (x === undefined ? undefined : 0))]));
    for (const f of mod.funcs) {
      if (f.imported) continue;
      const { ranges } = functionRanges(f, bounds.get(f.name), callRanges(mod));
      walk(f.body, (e) => {
        const info = exprInfo(e) as { id: number; target?: string; operands?: number[] };
        if (info.id !== B.CallId) return;
        const nb = next.get(info.target!);
        if (!nb) return;
        info.operands!.forEach((a, i) => {
          if (nb[i] !== undefined) nb[i] = Math.max(nb[i]!, ranges.of(a).hi);
        });
      });
    }
    let changed = false;
    for (const [n, b] of next) {
      const old = bounds.get(n)!;
      b.forEach((x, i) => {
        if (x === old[i]) return;
        changed = true;
        // Still growing: a bound fed by itself through a cycle of calls, given up (sound: unknown).
        if (round >= ROUNDS || old[i] === undefined) b[i] = undefined;
      });
    }
    for (const [n, b] of next) bounds.set(n, b.map((x) => (x !== undefined && x >= U32 ? undefined : x)));
    if (!changed) return bounds;
  }
}
