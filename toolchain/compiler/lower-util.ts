// Shared pieces of the lowering (lower.ts and its concerns: lower-calls.ts, lower-memory.ts, lower-cond.ts,
// lower-arith.ts): value shapes, constant words, relation tables, address parity.
import binaryen from 'binaryen';
import { imm, type Opnd } from './mir.ts';
import { exprInfo } from './ir-walk.ts';

const B = binaryen;

/** A lowered value: its 16-bit words, least significant first (a register or a known constant each). */
export type Val = Opnd[];
export type Rel = 'eq' | 'ne' | 'lt_s' | 'lt_u' | 'le_s' | 'le_u' | 'gt_s' | 'gt_u' | 'ge_s' | 'ge_u';

export /**
 * The hardware multiplier's registers by their TI names (MSP430x1xx guide ch. 7): symbols, not addresses — the
 * backend defines them from the board description's `multiplier` peripheral (peripherals.ts).
 */
const MUL = { MPY: 'MPY', OP2: 'OP2', RESLO: 'RESLO', RESHI: 'RESHI' } as const;


export function constWords(value: bigint, n: number): Val {
  const out: Val = [];
  const u = BigInt.asUintN(16 * n, value);
  for (let k = 0; k < n; k++) out.push(imm(Number((u >> BigInt(16 * k)) & 0xffffn)));
  return out;
}

export const RELS = new Map<number, Rel>([
  [B.EqInt32, 'eq'], [B.NeInt32, 'ne'], [B.LtSInt32, 'lt_s'], [B.LtUInt32, 'lt_u'], [B.LeSInt32, 'le_s'],
  [B.LeUInt32, 'le_u'], [B.GtSInt32, 'gt_s'], [B.GtUInt32, 'gt_u'], [B.GeSInt32, 'ge_s'], [B.GeUInt32, 'ge_u'],
  [B.EqInt64, 'eq'], [B.NeInt64, 'ne'], [B.LtSInt64, 'lt_s'], [B.LtUInt64, 'lt_u'], [B.LeSInt64, 'le_s'],
  [B.LeUInt64, 'le_u'], [B.GtSInt64, 'gt_s'], [B.GtUInt64, 'gt_u'], [B.GeSInt64, 'ge_s'], [B.GeUInt64, 'ge_u'],
]);

export const NEGATE: Record<Rel, Rel> = {
  eq: 'ne', ne: 'eq', lt_s: 'ge_s', lt_u: 'ge_u', le_s: 'gt_s', le_u: 'gt_u', gt_s: 'le_s', gt_u: 'le_u', ge_s: 'lt_s', ge_u: 'lt_u',
};

export const SHIFT_KIND = new Map<number, string>([
  [B.ShlInt32, 'shl'], [B.ShlInt64, 'shl'], [B.ShrUInt32, 'shr_u'], [B.ShrUInt64, 'shr_u'], [B.ShrSInt32, 'shr_s'],
  [B.ShrSInt64, 'shr_s'], [B.RotLInt32, 'rotl'], [B.RotLInt64, 'rotl'], [B.RotRInt32, 'rotr'], [B.RotRInt64, 'rotr'],
]);

/** Whether an i32 address expression is provably even (so a word access through it is aligned). */
export function isEven(e: number): boolean {
  const info = exprInfo(e);
  if (info.id === B.ConstId) return (Number(info.value) & 1) === 0;
  if (info.id !== B.BinaryId) return false;
  const c = (x: number) => {
    const i = exprInfo(x);
    return i.id === B.ConstId ? Number(i.value) : undefined;
  };
  switch (info.op) {
    case B.AddInt32:
    case B.SubInt32:
      return isEven(info.left) && isEven(info.right);
    case B.ShlInt32: {
      const k = c(info.right);
      return k !== undefined && (k & 31) >= 1;
    }
    case B.MulInt32:
      return isEven(info.left) || isEven(info.right);
    case B.AndInt32:
      return isEven(info.left) || isEven(info.right);
    default:
      return false;
  }
}


const TRAPPING = new Set([B.DivSInt32, B.DivUInt32, B.RemSInt32, B.RemUInt32, B.DivSInt64, B.DivUInt64, B.RemSInt64, B.RemUInt64]);

/**
 * Whether evaluating `e` can be skipped without a visible difference: no write, call, load (a load may trap: memory
 * is bounds-checked) or trapping arithmetic — constants, locals, globals and non-trapping unary/binary operators
 * over such. A branch may then leave such an operand unevaluated (short-circuit `&&`/`||`, lower-cond.ts).
 */
export function isPure(e: number): boolean {
  const info = exprInfo(e);
  switch (info.id) {
    case B.ConstId:
    case B.LocalGetId:
    case B.GlobalGetId:
      return true;
    case B.UnaryId:
      return isPure(info.value);
    case B.BinaryId:
      return !TRAPPING.has(info.op) && isPure(info.left) && isPure(info.right);
    case B.SelectId:
      return isPure(info.condition) && isPure(info.ifTrue) && isPure(info.ifFalse);
    default:
      return false;
  }
}

/** Whether an i32 expression's value is 0 or 1: a compare, `eqz`, the constants 0 and 1, `and`/`or` of such. */
export function isBool(e: number): boolean {
  const info = exprInfo(e);
  if (info.type !== B.i32) return false;
  if (info.id === B.ConstId) return info.value === 0 || info.value === 1;
  if (info.id === B.UnaryId) return info.op === B.EqZInt32 || info.op === B.EqZInt64;
  if (info.id !== B.BinaryId) return false;
  if (RELS.has(info.op)) return true;
  return (info.op === B.AndInt32 || info.op === B.OrInt32) && isBool(info.left) && isBool(info.right);
}
