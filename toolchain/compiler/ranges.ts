// Value ranges of i32 expressions (issue 17: value-range / known-bits analysis). Every i32 value is an unsigned
// interval [lo, hi] ⊆ [0, 2^32 − 1]; the facts come from constants, zero-extending loads (load8_u/load16_u),
// masks, unsigned shifts, remainders, comparisons and the loop counters narrow.ts proves bounded. Transfer
// functions follow the wasm spec's integer operators (WebAssembly Core Spec §4.3.2): an operation whose exact
// result could leave [0, 2^32) (wrap) gives the full range. Sound by construction: every rule either bounds the
// exact result or gives up.
//
// The lowering uses a range two ways: a value known below 2^16 has the constant 0 as its high word (its
// computation becomes dead and dce.ts removes it), and a memory access whose address range lies inside the
// mapped memory needs no bounds check.
import binaryen from 'binaryen';
import { children as childrenOf, exprInfo } from './ir-walk.ts';
import type { GuardedIncrement } from './narrow.ts';
import { byIndex, type LocalId } from './local-webs.ts';

const B = binaryen;
export const U32 = 0xffffffff;

export interface Range {
  lo: number;
  hi: number;
}

export const FULL: Range = { lo: 0, hi: U32 };

const r = (lo: number, hi: number): Range => (lo < 0 || hi > U32 || lo > hi ? FULL : { lo, hi });
/** The smallest all-ones value ≥ x (2^k − 1): a bound for or/xor. */
const ones = (x: number): number => (x === 0 ? 0 : 2 ** Math.ceil(Math.log2(x + 1)) - 1);

export class Ranges {
  private memo = new Map<number, Range>();

  /** `locals`: the bounded locals (narrow.ts), local index → the largest value it ever holds (the least is 0). */
  constructor(
    private readonly locals: ReadonlyMap<number, number>,
    private readonly id: LocalId = byIndex,
  ) {}

  of(e: number): Range {
    let x = this.memo.get(e);
    if (!x) {
      x = this.compute(e);
      this.memo.set(e, x);
    }
    return x;
  }

  private compute(e: number): Range {
    const info = exprInfo(e);
    if (info.type !== B.i32) return FULL;
    switch (info.id) {
      case B.ConstId: {
        const v = (info.value as number) >>> 0;
        return { lo: v, hi: v };
      }
      case B.LocalGetId: {
        const max = this.locals.get(this.id(e));
        return max === undefined ? FULL : { lo: 0, hi: max };
      }
      case B.LocalSetId: // a tee: the value it stores
        return this.of(info.value);
      case B.LoadId:
        if (info.isSigned) return FULL;
        return info.bytes === 1 ? { lo: 0, hi: 0xff } : info.bytes === 2 ? { lo: 0, hi: 0xffff } : FULL;
      case B.UnaryId:
        if (info.op === B.EqZInt32 || info.op === B.EqZInt64) return { lo: 0, hi: 1 };
        if (info.op === B.ClzInt32 || info.op === B.CtzInt32 || info.op === B.PopcntInt32) return { lo: 0, hi: 32 };
        return FULL;
      case B.SelectId: {
        const a = this.of(info.ifTrue);
        const b = this.of(info.ifFalse);
        return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
      }
      case B.BinaryId:
        return this.binary(info.op, info.left, info.right);
      default:
        return FULL;
    }
  }

  private binary(op: number, le: number, re: number): Range {
    if (RELATIONS.has(op)) return { lo: 0, hi: 1 };
    const a = this.of(le);
    const b = this.of(re);
    const k = b.lo === b.hi ? b.lo & 31 : undefined; // a constant shift count (wasm takes it mod 32)
    switch (op) {
      case B.AddInt32:
        return r(a.lo + b.lo, a.hi + b.hi);
      case B.SubInt32:
        return r(a.lo - b.hi, a.hi - b.lo);
      case B.MulInt32:
        return r(a.lo * b.lo, a.hi * b.hi);
      case B.AndInt32:
        return { lo: 0, hi: Math.min(a.hi, b.hi) };
      case B.OrInt32:
        return { lo: Math.max(a.lo, b.lo), hi: ones(Math.max(a.hi, b.hi)) };
      case B.XorInt32:
        return { lo: 0, hi: ones(Math.max(a.hi, b.hi)) };
      case B.ShlInt32:
        return k === undefined ? FULL : r(a.lo * 2 ** k, a.hi * 2 ** k);
      case B.ShrUInt32:
        return k === undefined ? { lo: 0, hi: a.hi } : { lo: Math.floor(a.lo / 2 ** k), hi: Math.floor(a.hi / 2 ** k) };
      case B.ShrSInt32:
        // A value below 2^31 is non-negative: the arithmetic shift is the logical one.
        if (a.hi > 0x7fffffff) return FULL;
        return k === undefined ? { lo: 0, hi: a.hi } : { lo: Math.floor(a.lo / 2 ** k), hi: Math.floor(a.hi / 2 ** k) };
      case B.RemUInt32:
        return { lo: 0, hi: Math.min(a.hi, Math.max(b.hi, 1) - 1) };
      case B.DivUInt32:
        return { lo: b.hi === 0 ? 0 : Math.floor(a.lo / b.hi), hi: Math.floor(a.hi / Math.max(b.lo, 1)) };
      case B.RemSInt32:
      case B.DivSInt32:
        // Both operands non-negative (below 2^31): the signed operation is the unsigned one.
        if (a.hi > 0x7fffffff || b.hi > 0x7fffffff) return FULL;
        return op === B.RemSInt32 ? { lo: 0, hi: Math.min(a.hi, Math.max(b.hi, 1) - 1) } : { lo: b.hi === 0 ? 0 : Math.floor(a.lo / b.hi), hi: Math.floor(a.hi / Math.max(b.lo, 1)) };
      default:
        return FULL;
    }
  }
}

const RELATIONS = new Set<number>([
  B.EqInt32, B.NeInt32, B.LtSInt32, B.LtUInt32, B.LeSInt32, B.LeUInt32, B.GtSInt32, B.GtUInt32, B.GeSInt32, B.GeUInt32,
  B.EqInt64, B.NeInt64, B.LtSInt64, B.LtUInt64, B.LeSInt64, B.LeUInt64, B.GtSInt64, B.GtUInt64, B.GeSInt64, B.GeUInt64,
]);

/**
 * The range of every tracked local (i32, not a parameter; a web of one, local-webs.ts) over the whole function: the union of 0 (wasm locals
 * start at zero) and every value stored into it, to a fixed point. A guarded increment (narrow.ts) stores at
 * most max(cap, the local's other values) + step: before it, the local either passed its guard (≤ cap) or was
 * last set by another assignment. A bound still growing after a few rounds (an unguarded counter) gives up.
 */
export function localRanges(body: number, tracked: ReadonlySet<number>, increments: ReadonlyMap<number, GuardedIncrement>, id: LocalId = byIndex): Map<number, number> {
  const sets: { e: number; index: number; value: number }[] = [];
  walkAll(body, (e) => {
    const i = exprInfo(e);
    if (i.id === B.LocalSetId && tracked.has(id(e))) sets.push({ e, index: id(e), value: i.value });
  });
  const bound = new Map<number, number>();
  for (const l of tracked) bound.set(l, 0);
  const given = new Set<number>();
  for (let round = 0; ; round++) {
    const ranges = new Ranges(bound, id);
    const other = new Map<number, number>(); // per local: 0 and its assignments other than guarded increments
    for (const s of sets) if (!increments.has(s.e)) other.set(s.index, Math.max(other.get(s.index) ?? 0, ranges.of(s.value).hi));
    const next = new Map<number, number>();
    for (const [index] of bound) next.set(index, other.get(index) ?? 0);
    for (const s of sets) {
      const inc = increments.get(s.e);
      if (!inc) continue;
      // L = D's source: it passed its guard with no set since (narrow.ts), so it is ≤ cap if non-negative.
      const before = inc.from !== undefined ? (bound.get(inc.from) ?? U32) > 0x7fffffff ? U32 : inc.cap : Math.max(inc.cap, other.get(s.index) ?? 0);
      // A signed guard says nothing of a value that may be negative (≥ 2^31 unsigned).
      const after = before > 0x7fffffff ? U32 : before + inc.step;
      next.set(s.index, Math.max(next.get(s.index)!, after));
    }
    let changed = false;
    for (const [index, x] of next) {
      if (given.has(index)) continue;
      if (x === bound.get(index)) continue;
      changed = true;
      bound.set(index, x);
      // Still growing after a few rounds: a loop-carried value without a proven bound.
      if (round >= 4) {
        bound.set(index, U32);
        given.add(index);
      }
    }
    if (!changed) break;
  }
  for (const [k, x] of [...bound]) if (x >= U32) bound.delete(k);
  return bound;
}

function walkAll(e: number, visit: (e: number) => void): void {
  if (!e) return;
  visit(e);
  for (const c of childrenOf(e)) walkAll(c, visit);
}
