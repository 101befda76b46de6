// Guarded loop counters (issue 4 item 2): the increments `L = L + k` that run only after a passed `L < N`. With
// them ranges.ts bounds a loop counter by N − 1 + k (a bare increment would grow without bound); its high word is
// then the constant 0, so its compares, increments and address arithmetic are 16-bit.
import binaryen from 'binaryen';
import type { FuncInfo } from './module-info.ts';
import { byIndex, type LocalId } from './local-webs.ts';
import { children, exprInfo } from './ir-walk.ts';

const B = binaryen;

function constOf(e: number): number | undefined {
  const i = exprInfo(e);
  return i.id === B.ConstId && typeof i.value === 'number' ? i.value : undefined;
}
function localOf(e: number, id: LocalId): number | undefined {
  const i = exprInfo(e);
  return i.id === B.LocalGetId ? id(e) : undefined;
}

/** `L < N` as an if condition: returns [L, N]. */
function guardOf(cond: number, id: LocalId): [number, number] | undefined {
  const i = exprInfo(cond);
  if (i.id !== B.BinaryId) return undefined;
  if (i.op === B.LtSInt32 || i.op === B.LtUInt32) {
    const l = localOf(i.left, id);
    const n = constOf(i.right);
    if (l !== undefined && n !== undefined && n >= 0) return [l, n];
  }
  if (i.op === B.GtSInt32 || i.op === B.GtUInt32) {
    const l = localOf(i.right, id);
    const n = constOf(i.left);
    if (l !== undefined && n !== undefined && n >= 0) return [l, n];
  }
  // L <= M is L < M + 1 (M + 1 stays below 2^31: constOf is a signed i32).
  if (i.op === B.LeSInt32 || i.op === B.LeUInt32) {
    const l = localOf(i.left, id);
    const n = constOf(i.right);
    if (l !== undefined && n !== undefined && n >= 0 && n < 0x7fffffff) return [l, n + 1];
  }
  if (i.op === B.GeSInt32 || i.op === B.GeUInt32) {
    const l = localOf(i.right, id);
    const n = constOf(i.left);
    if (l !== undefined && n !== undefined && n >= 0 && n < 0x7fffffff) return [l, n + 1];
  }
  return undefined;
}

/** `L + k` (k in 1..16) as a set value: returns [L, k]. */
function addOf(value: number, id: LocalId): [number, number] | undefined {
  const i = exprInfo(value);
  if (i.id !== B.BinaryId || i.op !== B.AddInt32) return undefined;
  const [a, b] = [i.left as number, i.right as number];
  const [l, k] = localOf(a, id) !== undefined ? [localOf(a, id), constOf(b)] : [localOf(b, id), constOf(a)];
  return l !== undefined && k !== undefined && k >= 1 && k <= 16 ? [l, k] : undefined;
}
function incrementOf(value: number, local: number, id: LocalId): number | undefined {
  const a = addOf(value, id);
  return a && a[0] === local ? a[1] : undefined;
}

/**
 * Whether a set of `local` may run after entering `arm` and before `target` (inside `arm`) completes its operands:
 * any set in a statement of the arm before the target's statement, or in the target's statement other than the
 * target and its ancestors (which run after it). Conservative: operand order inside a statement is not relied on.
 */
export function setBefore(arm: number, local: number, target: number, id: LocalId): boolean {
  const info = exprInfo(arm);
  const stmts: number[] = info.id === B.BlockId ? (info.children as number[]) : [arm];
  const path = (x: number): number[] | undefined => {
    if (x === target) return [x];
    for (const c of children(x)) {
      const p = path(c);
      if (p) return [x, ...p];
    }
    return undefined;
  };
  for (const st of stmts) {
    const p = path(st);
    const chain = new Set(p ?? []);
    let found = false;
    const go = (x: number) => {
      if (found) return;
      if (!chain.has(x) && exprInfo(x).id === B.LocalSetId && id(x) === local) found = true;
      children(x).forEach(go);
    };
    go(st);
    if (found) return true;
    if (p) return false;
  }
  return true; // not inside the arm: nothing proven
}

/** A guarded increment `D = L + step` inside `if (L < cap + 1)`; D is L itself, or another local (`from`). */
export interface GuardedIncrement {
  local: number;
  /** The guard's bound minus one: L ≤ cap when the guard passed (if nothing else set L since). */
  cap: number;
  step: number;
  /**
   * Set when the stored-to local D is not the guarded L (Binaryen's `D = L + 1; … L = D`, the body reusing L + 1):
   * no set of L runs between the guard and this one, so L ≤ cap here — when L is non-negative (a signed guard).
   */
  from?: number;
}

/**
 * Every increment of an i32 local that runs only right after a fresh check of its guard: the innermost enclosing
 * `if (L < N)` holds this one increment of L and no loop lies between the check and the increment, so each
 * execution of the increment follows a passed check (the shape AS for-loops take after Binaryen). Keyed by the
 * local.set expression; ranges.ts bounds the local from these and from its other assignments.
 */
export function guardedIncrements(fn: FuncInfo, id: LocalId = byIndex): Map<number, GuardedIncrement> {
  const incInside = (e: number, local: number): number => {
    let c = 0;
    const go = (x: number) => {
      const i = exprInfo(x);
      if (i.id === B.LocalSetId && id(x) === local && incrementOf(i.value, local, id) !== undefined) c++;
      children(x).forEach(go);
    };
    go(e);
    return c;
  };
  const out = new Map<number, GuardedIncrement>();
  const guards: [number, number, number, number][] = []; // [local, N, ifTrue expression, loop depth]
  walkGuarded(
    fn.body,
    (cond, arm, loops) => {
      const g = guardOf(cond, id);
      if (g) guards.push([g[0], g[1], arm, loops]);
      return () => void (g && guards.pop());
    },
    (e, loops) => {
      const i = exprInfo(e);
      if (i.id === B.LocalSetId) {
        const self = id(e);
        const k = incrementOf(i.value, self, id);
        if (k !== undefined) {
          const g = [...guards].reverse().find(([l]) => l === self);
          if (g && g[3] === loops && incInside(g[2], self) === 1 && g[1] >= 1) out.set(e, { local: self, cap: g[1] - 1, step: k });
        } else {
          const add = addOf(i.value, id);
          const from = add?.[0];
          const g = from === undefined ? undefined : [...guards].reverse().find(([l]) => l === from);
          // No loop between the guard and this set, and no set of L before it inside the guarded arm: L ≤ cap.
          if (add && g && from !== self && g[3] === loops && g[1] >= 1 && !setBefore(g[2], add[0], e, id)) out.set(e, { local: self, cap: g[1] - 1, step: add[1], from: add[0] });
        }
      }
    },
  );
  return out;
}

/** `L >= 0` (signed) as a condition, or `L > -1`, `0 <= L`, `-1 < L`: returns L. */
function nonNegGuardOf(cond: number, id: LocalId): number | undefined {
  const i = exprInfo(cond);
  if (i.id !== B.BinaryId) return undefined;
  const c = (e: number) => constOf(e);
  if (i.op === B.GeSInt32 && c(i.right) === 0) return localOf(i.left, id);
  if (i.op === B.GtSInt32 && c(i.right) === -1) return localOf(i.left, id);
  if (i.op === B.LeSInt32 && c(i.left) === 0) return localOf(i.right, id);
  if (i.op === B.LtSInt32 && c(i.left) === -1) return localOf(i.right, id);
  return undefined;
}

function setsIn(e: number, local: number, id: LocalId): boolean {
  let found = false;
  const go = (x: number) => {
    if (found) return;
    if (exprInfo(x).id === B.LocalSetId && id(x) === local) found = true;
    children(x).forEach(go);
  };
  go(e);
  return found;
}

/** The locals a true condition proves non-negative: `L >= 0`, or `L >= 0 && X` as Binaryen writes it (`if (result i32) (L >= 0) X (i32.const 0)`) when X sets no L. */
function nonNegFacts(cond: number, id: LocalId): number[] {
  const l = nonNegGuardOf(cond, id);
  if (l !== undefined) return [l];
  const i = exprInfo(cond);
  if (i.id === B.IfId && i.ifFalse && constOf(i.ifFalse) === 0) return nonNegFacts(i.condition, id).filter((x) => !setsIn(i.ifTrue, x, id));
  return [];
}

/** `L - k` or `L + (-k)` (k in 1..16) as a set value: returns k. */
function decrementOf(value: number, local: number, id: LocalId): number | undefined {
  const i = exprInfo(value);
  if (i.id !== B.BinaryId || localOf(i.left, id) !== local) return undefined;
  const c = constOf(i.right);
  const k = c === undefined ? undefined : i.op === B.SubInt32 ? c : i.op === B.AddInt32 ? -c : undefined;
  return k !== undefined && k >= 1 && k <= 16 ? k : undefined;
}

/** Counters that count down to −k under a `>= 0` guard (insertion sort's `while (j >= 0 && …) j--`). */
export interface SignedFacts {
  /** local.get expressions of L that run after a passed `L >= 0` with no set of L since: → L. */
  nonNegGets: Map<number, number>;
  /** The sets `L = L - k` that run only after a passed `L >= 0` with no set of L since: → [L, k]. */
  decrements: Map<number, [number, number]>;
}

/**
 * The places where a local is known non-negative: inside the arm of `if (L >= 0 …)`, at the loop depth of the
 * check, before any set of L in that arm (setBefore). ranges.ts gives such a get [0, L's largest value] and
 * lets a guarded decrement take L below zero by at most k without losing that largest value.
 */
export function signedFacts(fn: FuncInfo, id: LocalId = byIndex): SignedFacts {
  const nonNegGets = new Map<number, number>();
  const decrements = new Map<number, [number, number]>();
  const facts: [number, number, number][] = []; // [local, arm, loop depth]
  const holds = (local: number, e: number, loops: number) => {
    const f = [...facts].reverse().find(([l]) => l === local);
    return f !== undefined && f[2] === loops && !setBefore(f[1], local, e, id);
  };
  walkGuarded(
    fn.body,
    (cond, arm, loops) => {
      const fs = nonNegFacts(cond, id);
      for (const l of fs) facts.push([l, arm, loops]);
      return () => void (facts.length -= fs.length);
    },
    (e, loops) => {
      const i = exprInfo(e);
      if (i.id === B.LocalGetId && i.type === B.i32 && holds(id(e), e, loops)) nonNegGets.set(e, id(e));
      const k = i.id === B.LocalSetId ? decrementOf(i.value, id(e), id) : undefined;
      if (k !== undefined && holds(id(e), e, loops)) decrements.set(e, [id(e), k]);
    },
  );
  return { nonNegGets, decrements };
}

/**
 * Walks a function body with the loop depth at hand: `enter` sees each if's condition before its arm and returns
 * what undoes its facts after the arm; `at` sees every other expression (its children are walked after).
 */
function walkGuarded(body: number, enter: (cond: number, arm: number, loops: number) => () => void, at: (e: number, loops: number) => void): void {
  let loops = 0;
  const visit = (e: number) => {
    const i = exprInfo(e);
    if (i.id === B.IfId) {
      visit(i.condition);
      const leave = enter(i.condition, i.ifTrue, loops);
      visit(i.ifTrue);
      leave();
      if (i.ifFalse) visit(i.ifFalse);
      return;
    }
    if (i.id === B.LoopId) {
      loops++;
      visit(i.body);
      loops--;
      return;
    }
    at(e, loops);
    children(e).forEach(visit);
  };
  visit(body);
}
