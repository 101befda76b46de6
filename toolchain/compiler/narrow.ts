// Value-range narrowing of loop counters (issue 4 item 2): an i32 local whose every assignment is a small
// constant or a small increment guarded by `local < N` (the shape AS for-loops take after Binaryen) stays in
// [0, 0x7FFF]; its high word is the constant 0, so its compares, increments and address arithmetic are 16-bit.
// Sound by construction: any other assignment, a parameter, or an unguarded increment disqualifies the local.
import binaryen from 'binaryen';
import type { FuncInfo } from './module-info.ts';
import { children, exprInfo } from './ir-walk.ts';

const B = binaryen;
const LIMIT = 0x7fff;

function constOf(e: number): number | undefined {
  const i = exprInfo(e);
  return i.id === B.ConstId && typeof i.value === 'number' ? i.value : undefined;
}
function localOf(e: number): number | undefined {
  const i = exprInfo(e);
  return i.id === B.LocalGetId ? (i.index as number) : undefined;
}

/** `L < N` as an if condition: returns [L, N]. */
function guardOf(cond: number): [number, number] | undefined {
  const i = exprInfo(cond);
  if (i.id !== B.BinaryId) return undefined;
  if (i.op === B.LtSInt32 || i.op === B.LtUInt32) {
    const l = localOf(i.left);
    const n = constOf(i.right);
    if (l !== undefined && n !== undefined && n >= 0) return [l, n];
  }
  if (i.op === B.GtSInt32 || i.op === B.GtUInt32) {
    const l = localOf(i.right);
    const n = constOf(i.left);
    if (l !== undefined && n !== undefined && n >= 0) return [l, n];
  }
  return undefined;
}

/** `L + k` (k in 1..16) as a set value: returns k. */
function incrementOf(value: number, local: number): number | undefined {
  const i = exprInfo(value);
  if (i.id !== B.BinaryId || i.op !== B.AddInt32) return undefined;
  const [a, b] = [i.left as number, i.right as number];
  const k = localOf(a) === local ? constOf(b) : localOf(b) === local ? constOf(a) : undefined;
  return k !== undefined && k >= 1 && k <= 16 ? k : undefined;
}

export function narrowCounters(fn: FuncInfo): Set<number> {
  const n = fn.params.length;
  // Per local: every constant it is given (max), every guard bound N (max of N - 1), every step k (max).
  const state = new Map<number, { ok: boolean; consts: number; guard: number; step: number }>();
  fn.vars.forEach((t, j) => t === B.i32 && state.set(n + j, { ok: true, consts: 0, guard: 0, step: 0 }));
  const incInside = (e: number, local: number): number => {
    let c = 0;
    const go = (x: number) => {
      const i = exprInfo(x);
      if (i.id === B.LocalSetId && i.index === local && incrementOf(i.value, local) !== undefined) c++;
      children(x).forEach(go);
    };
    go(e);
    return c;
  };
  const guards: [number, number, number, number][] = []; // [local, N, ifTrue expression, loop depth]
  let loops = 0;
  const visit = (e: number) => {
    const i = exprInfo(e);
    if (i.id === B.LocalSetId && state.has(i.index)) {
      const s = state.get(i.index)!;
      const c = constOf(i.value);
      const k = incrementOf(i.value, i.index);
      if (c !== undefined && c >= 0 && c <= LIMIT) s.consts = Math.max(s.consts, c);
      else if (k !== undefined) {
        // Guarded by the innermost enclosing `if (L < N)` whose then-arm holds only this one increment of L and
        // no loop between the check and the increment (each execution of the increment follows a fresh check).
        const g = [...guards].reverse().find(([l]) => l === i.index);
        if (!g || g[3] !== loops || incInside(g[2], i.index) !== 1) s.ok = false;
        else {
          s.guard = Math.max(s.guard, g[1] - 1);
          s.step = Math.max(s.step, k);
        }
      } else s.ok = false;
    }
    if (i.id === B.IfId) {
      visit(i.condition);
      const g = guardOf(i.condition);
      if (g) guards.push([g[0], g[1], i.ifTrue, loops]);
      visit(i.ifTrue);
      if (g) guards.pop();
      if (i.ifFalse) visit(i.ifFalse);
      return;
    }
    if (i.id === B.LoopId) {
      loops++;
      visit(i.body);
      loops--;
      return;
    }
    children(e).forEach(visit);
  };
  visit(fn.body);
  // Before an increment the value is below its guard or a constant given inside the then-arm; after it, at
  // most that plus the step. By induction every value lies in [0, max(consts, guard) + step].
  const out = new Set<number>();
  for (const [l, s] of state) if (s.ok && Math.max(s.consts, s.guard) + s.step <= LIMIT) out.add(l);
  return out;
}
