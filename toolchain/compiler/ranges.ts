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
import { children as childrenOf, exprInfo, walk } from './ir-walk.ts';
import type { GuardedIncrement, SignedFacts } from './narrow.ts';
import { byIndex, type LocalId } from './local-webs.ts';

const B = binaryen;
export const U32 = 0xffffffff;

export interface Range {
  lo: number;
  hi: number;
}

export const FULL: Range = { lo: 0, hi: U32 };

/** A call's result range by the callee's name, or undefined (unknown). */
export type CallRanges = (target: string) => Range | undefined;

const r = (lo: number, hi: number): Range => (lo < 0 || hi > U32 || lo > hi ? FULL : { lo, hi });
/** The smallest all-ones value ≥ x (2^k − 1): a bound for or/xor. */
const ones = (x: number): number => (x === 0 ? 0 : 2 ** Math.ceil(Math.log2(x + 1)) - 1);

export class Ranges {
  private memo = new Map<number, Range>();

  /**
   * `locals`: the bounded locals (narrow.ts), local index → the largest value it ever holds (the least is 0).
   * `signed`: locals that may also go below zero (a guarded decrement, narrow.ts signedFacts); only the reads in
   * `nonNeg` (a read where a `>= 0` check holds → its largest value) have a range, the others none.
   */
  constructor(
    private readonly locals: ReadonlyMap<number, number>,
    private readonly id: LocalId = byIndex,
    private readonly signed: ReadonlySet<number> = new Set(),
    private readonly nonNeg: ReadonlyMap<number, number> = new Map(),
    /** Local → the least value it ever holds, where more than 0 (a web that never sees the entry value). */
    private readonly lows: ReadonlyMap<number, number> = new Map(),
    /** The range of a call's result by its target, where known (intrinsics.ts callRanges). */
    private readonly calls?: CallRanges,
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
        if (this.signed.has(this.id(e))) {
          const max = this.nonNeg.get(e);
          return max === undefined ? FULL : { lo: 0, hi: max };
        }
        const max = this.locals.get(this.id(e));
        return max === undefined ? FULL : { lo: Math.min(this.lows.get(this.id(e)) ?? 0, max), hi: max };
      }
      case B.LocalSetId: // a tee: the value it stores
        return this.of(info.value);
      case B.CallId:
        return this.calls?.(info.target as string) ?? FULL;
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
      case B.IfId: // the arms that produce a value (an unreachable arm never does)
        return this.union([info.ifTrue, info.ifFalse]);
      case B.BlockId: {
        // Its last child's value, or a value a `br` to it carries (a `br_table` with a value: no range).
        const kids = info.children as number[];
        const values = kids.length ? [kids[kids.length - 1]!] : [];
        let table = false;
        if (info.name) {
          walk(e, (x) => {
            const b = exprInfo(x);
            if (b.id === B.BreakId && b.name === info.name && b.value) values.push(b.value as number);
            if (b.id === B.SwitchId && b.value && ((b.names as string[]).includes(info.name) || b.defaultName === info.name)) table = true;
          });
        }
        return table ? FULL : this.union(values);
      }
      default:
        return FULL;
    }
  }

  /** The least range holding every value of the given expressions that produce one (unreachable ones do not). */
  private union(es: number[]): Range {
    const rs = es.filter((x) => x && exprInfo(x).type !== B.unreachable).map((x) => this.of(x));
    if (!rs.length) return FULL;
    return { lo: Math.min(...rs.map((x) => x.lo)), hi: Math.max(...rs.map((x) => x.hi)) };
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

/** What localRanges proves: bounds of non-negative locals, and the reads of down-counting ones under a check. */
export interface LocalRanges {
  /** Local → the largest value it ever holds (it never goes below 0). */
  bounds: Map<number, number>;
  /** Locals that may go below zero by a guarded decrement: no range, except at their `nonNeg` reads. */
  signed: Set<number>;
  /** A read of a `signed` local where its `>= 0` check holds → the local's largest value. */
  nonNeg: Map<number, number>;
  /** Local (of `bounds`) → its least value, where above 0. */
  lows: Map<number, number>;
}

/**
 * The range of every tracked local (i32; a web of one, local-webs.ts) over the whole function: the union of 0 (wasm locals
 * start at zero) and every value stored into it, to a fixed point. A parameter's entry web is tracked only with
 * `entry` (web → the largest argument any call passes, param-ranges.ts): its entry value is that, not 0. A guarded increment (narrow.ts) stores at
 * most max(cap, the local's other values) + step: before it, the local either passed its guard (≤ cap) or was
 * last set by another assignment. A bound still growing after a few rounds (an unguarded counter) gives up.
 *
 * A local whose only other stores are guarded decrements (`L = L - k` after a passed `L >= 0`, narrow.ts
 * signedFacts) holds values in [−k, M], M its largest non-negative value: the decrement stores at most M − k and
 * at least −k. Such a local keeps both words; where its `>= 0` check holds, a read of it is in [0, M].
 */
export function localRanges(body: number, tracked: ReadonlySet<number>, increments: ReadonlyMap<number, GuardedIncrement>, id: LocalId = byIndex, facts: SignedFacts = { nonNegGets: new Map(), decrements: new Map() }, entryWebs?: ReadonlySet<number>, entry: ReadonlyMap<number, number> = new Map(), calls?: CallRanges): LocalRanges {
  const sets: { e: number; index: number; value: number }[] = [];
  walkAll(body, (e) => {
    const i = exprInfo(e);
    if (i.id === B.LocalSetId && tracked.has(id(e))) sets.push({ e, index: id(e), value: i.value });
  });
  // A local counting both up (guarded increment) and down is not followed below zero.
  const incremented = new Set([...increments.values()].map((x) => x.local));
  const signed = new Set([...facts.decrements.values()].map(([l]) => l).filter((l) => tracked.has(l) && !incremented.has(l)));
  const nonNegOf = (bound: ReadonlyMap<number, number>) => {
    const out = new Map<number, number>();
    for (const [get, l] of facts.nonNegGets) {
      const max = bound.get(l);
      if (signed.has(l) && max !== undefined && max < U32) out.set(get, Math.min(max, 0x7fffffff));
    }
    return out;
  };
  const bound = new Map<number, number>();
  for (const l of tracked) bound.set(l, entry.get(l) ?? 0);
  const given = new Set<number>();
  // Least values, from above: a web that never sees its entry value (local-webs.ts) holds only what is stored
  // into it. Without webs, every local may be read at its entry value 0.
  const low = new Map<number, number>();
  if (entryWebs) for (const l of tracked) if (!entryWebs.has(l) && !signed.has(l) && !entry.has(l)) low.set(l, U32);
  for (let round = 0; ; round++) {
    const ranges = new Ranges(bound, id, signed, nonNegOf(bound), low, calls);
    const other = new Map<number, number>(entry); // per local: its entry value (0, or a parameter's bound) and its assignments other than guarded increments
    const nextLow = new Map<number, number>();
    for (const s of sets) {
      if (low.has(s.index)) nextLow.set(s.index, Math.min(nextLow.get(s.index) ?? U32, ranges.of(s.value).lo));
      if (increments.has(s.e) || (signed.has(s.index) && facts.decrements.has(s.e))) continue;
      other.set(s.index, Math.max(other.get(s.index) ?? 0, ranges.of(s.value).hi));
    }
    let lowChanged = false;
    for (const [l, x] of [...low]) {
      const n = nextLow.get(l) ?? U32;
      if (n === x) continue;
      lowChanged = true;
      // Still falling after a few rounds: no least value beyond 0.
      if (round >= 4) low.delete(l);
      else low.set(l, n);
    }
    const next = new Map<number, number>();
    for (const [index] of bound) next.set(index, Math.max(other.get(index) ?? 0, entry.get(index) ?? 0));
    for (const s of sets) {
      const inc = increments.get(s.e);
      if (!inc) continue;
      // L = D's source: it passed its guard with no set since (narrow.ts), so it is ≤ cap if non-negative.
      const fromNonNeg = inc.from !== undefined && !signed.has(inc.from) && (bound.get(inc.from) ?? U32) <= 0x7fffffff;
      const before = inc.from !== undefined ? (fromNonNeg ? inc.cap : U32) : Math.max(inc.cap, other.get(s.index) ?? 0);
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
    if (!changed && !lowChanged) break;
  }
  const nonNeg = nonNegOf(bound);
  for (const [k, x] of [...bound]) if (x >= U32 || signed.has(k)) bound.delete(k);
  for (const [k, x] of [...low]) if (!bound.has(k) || x === 0) low.delete(k);
  return { bounds: bound, signed, nonNeg, lows: low };
}

function walkAll(e: number, visit: (e: number) => void): void {
  if (!e) return;
  visit(e);
  for (const c of childrenOf(e)) walkAll(c, visit);
}
