// Lowering of conditions (part of lower.ts's Lowerer): branches on compares word by word (most significant
// first, only the top word signed), bit tests for `x & C`, and booleans materialised from branches.
import binaryen from 'binaryen';
import { type Cond, type Opnd, imm, isConst } from './mir.ts';
import { exprInfo } from './ir-walk.ts';
import type { Lowerer } from './lower.ts';
import { isBool, isPure, NEGATE, RELS, type Rel, type Val } from './lower-util.ts';

const B = binaryen;

export const condMethods = {
  testWord(this: Lowerer, w: Opnd): void {
    if (w.k === 'imm') {
      const t = this.newV();
      this.mov(w, t);
      w = t;
    }
    this.op('cmp', imm(0), w);
  },

  /** Branches to `target` when the i32 condition's truth equals `sense`, else falls through. */
  cond(this: Lowerer, e: number, target: string, sense: boolean): void {
    const info = exprInfo(e);
    if (info.id === B.UnaryId && (info.op === B.EqZInt32 || info.op === B.EqZInt64)) {
      if (info.op === B.EqZInt32) return this.cond(info.value, target, !sense);
      const a = this.ex(info.value);
      return this.branchCmp('eq', a, a.map(() => imm(0)), target, sense);
    }
    // c ? t : f as a condition (how Binaryen writes `&&` and `||`): branch on c, then on the chosen arm's own
    // condition — short-circuit control flow instead of a 0/1 value tested afterwards.
    if (info.id === B.IfId && info.ifFalse && info.type !== binaryen.unreachable) {
      const elseL = this.label();
      const end = this.label();
      this.cond(info.condition, elseL, false);
      this.cond(info.ifTrue, target, sense);
      this.jump('jmp', end);
      this.place(elseL);
      this.cond(info.ifFalse, target, sense);
      this.place(end);
      return;
    }
    // `a | b` and `a & b` of booleans as a condition (how Binaryen writes `&&` and `||` whose right operand is cheap
    // and has no effect): a branch on each instead of two 0/1 values combined and tested. `a | b` is non-zero iff
    // either is, whatever their values; `a & b` of two 0/1 values iff both are. Skipping `b` is invisible when it
    // cannot write, call or trap (isPure).
    if (info.id === B.BinaryId && (info.op === B.OrInt32 || (info.op === B.AndInt32 && isBool(info.left) && isBool(info.right))) && isPure(info.right)) {
      const or = info.op !== B.AndInt32;
      if (or === sense) {
        // Either operand alone decides for the branch: `a` taken → target, else `b` decides.
        this.cond(info.left, target, sense);
        this.cond(info.right, target, sense);
      } else {
        // `a` alone decides against the branch (or: a non-zero with sense false; and: a zero with sense true).
        const skip = this.label();
        this.cond(info.left, skip, !sense);
        this.cond(info.right, target, sense);
        this.place(skip);
      }
      return;
    }
    if (info.id === B.BinaryId) {
      const rel = RELS.get(info.op);
      if (rel) {
        const [a, b] = this.exSeq([info.left, info.right]);
        return this.branchCmp(rel, a!, b!, target, sense);
      }
      // (x & y) != 0: `bit y, x` sets Z from x & y without computing it (TI guide, BIT instruction), word by word;
      // a word where either is the constant 0 cannot make it non-zero.
      if (info.op === B.AndInt32 || info.op === B.AndInt64) {
        const [x, c] = this.exSeq([info.left, info.right]) as [Val, Val];
        const zero = (w: Opnd) => isConst(w) && w.v === 0;
        const words = c.map((w, k) => k).filter((k) => !zero(c[k]!) && !zero(x[k]!));
        if (words.length === 0) {
          if (!sense) this.jump('jmp', target);
          return;
        }
        const skip = this.label();
        words.forEach((k, i) => {
          const [m, t] = isConst(x[k]!) ? [x[k]!, c[k]!] : [c[k]!, x[k]!];
          this.op('bit', m, this.materialize(t));
          const last = i === words.length - 1;
          if (sense) this.jump('jne', target);
          else this.jump(last ? 'jeq' : 'jne', last ? target : skip);
        });
        this.place(skip);
        return;
      }
    }
    const val = this.ex(e);
    this.branchCmp('ne', val, val.map(() => imm(0)), target, sense);
  },

  branchCmp(this: Lowerer, rel: Rel, a: Val, b: Val, target: string, sense: boolean): void {
    if (!sense) rel = NEGATE[rel];
    if (rel === 'gt_s' || rel === 'gt_u' || rel === 'le_s' || rel === 'le_u') {
      [a, b] = [b, a];
      rel = ({ gt_s: 'lt_s', gt_u: 'lt_u', le_s: 'ge_s', le_u: 'ge_u' } as const)[rel];
    }
    // x < 0 and x >= 0 (signed): the top word's sign decides alone; the lower words cannot change it.
    if ((rel === 'lt_s' || rel === 'ge_s') && a.length > 1 && b.every((w) => isConst(w) && w.v === 0)) {
      a = a.slice(-1);
      b = b.slice(-1);
    }
    const n = a.length;
    const skip = this.label();
    const cmp = (k: number) => {
      let x = a[k]!;
      let y = b[k]!;
      if (x.k === 'imm' && (rel === 'eq' || rel === 'ne') && y.k !== 'imm') [x, y] = [y, x];
      this.op('cmp', y, this.materialize(x));
    };
    const same = (k: number) => isConst(a[k]!) && isConst(b[k]!) && a[k]!.v === b[k]!.v;
    if (rel === 'eq') {
      const words = [...Array(n).keys()].filter((k) => !same(k));
      if (words.some((k) => isConst(a[k]!) && isConst(b[k]!))) return; // constant words differ: never equal
      if (words.length === 0) return this.jump('jmp', target);
      words.forEach((k, i) => {
        cmp(k);
        this.jump(i === words.length - 1 ? 'jeq' : 'jne', i === words.length - 1 ? target : skip);
      });
      this.place(skip);
      return;
    }
    if (rel === 'ne') {
      for (let k = 0; k < n; k++) {
        if (same(k)) continue;
        if (isConst(a[k]!) && isConst(b[k]!)) return this.jump('jmp', target);
        cmp(k);
        this.jump('jne', target);
      }
      return;
    }
    const signed = rel.endsWith('_s');
    const lt = rel.startsWith('lt');
    // Most significant word first: it decides unless equal; only the top word is compared signed.
    const words = [...Array(n).keys()].reverse();
    const active = words.filter((k) => !same(k));
    if (active.length === 0) {
      if (!lt) this.jump('jmp', target); // equal values: a >= b holds
      return;
    }
    active.forEach((k, i) => {
      const isTop = k === n - 1;
      const sgn = signed && isTop;
      const less: Cond = sgn ? 'jl' : 'jlo';
      const geq: Cond = sgn ? 'jge' : 'jhs';
      const last = i === active.length - 1;
      // A constant word c on the left is compared from the other side (`cmp #c, y` computes y − c), so that it
      // needs no register: c < y is y ≥ c + 1 (when c + 1 is still a word of that signedness), c > y is y < c.
      const x = a[k]!;
      const y = b[k]!;
      if (isConst(x) && !isConst(y)) {
        const c = sgn ? (x.v << 16) >> 16 : x.v;
        if (!last) {
          this.op('cmp', x, this.materialize(y));
          this.jump(less, lt ? skip : target); // y < c: x > y
          this.jump('jne', lt ? target : skip); // y > c: x < y
          return;
        }
        if (c < (sgn ? 0x7fff : 0xffff)) {
          this.op('cmp', imm(c + 1), this.materialize(y));
          this.jump(lt ? geq : less, target); // x < y ⟺ y ≥ c + 1; x ≥ y ⟺ y < c + 1
          return;
        }
      }
      cmp(k);
      if (last) {
        this.jump(lt ? less : geq, target);
      } else {
        this.jump(less, lt ? target : skip);
        this.jump('jne', lt ? skip : target);
      }
    });
    this.place(skip);
  },

  boolOf(this: Lowerer, rel: Rel, a: Val, b: Val, n: number): Val {
    const d = this.newV();
    const t = this.label();
    this.mov(imm(1), d);
    this.branchCmp(rel, a, b, t, true);
    this.mov(imm(0), d);
    this.place(t);
    return [d, ...Array.from({ length: n - 1 }, () => imm(0))];
  },
};
