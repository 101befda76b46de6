// Operand syntax (GNU/LLVM MSP430): rN, x(rN), symbolic `expr`, &expr, @rN, @rN+, #expr.
import { parseRegister } from '../isa.ts';
import { parseWholeExpr, type Expr } from './expr.ts';

/** A parsed operand before values are known: the mode family and the expression for its number. */
export type OperandSyntax =
  | { kind: 'reg'; reg: number }
  | { kind: 'indexed'; reg: number; expr: Expr }
  | { kind: 'symbolic'; expr: Expr }
  | { kind: 'absolute'; expr: Expr }
  | { kind: 'indirect'; reg: number }
  | { kind: 'autoinc'; reg: number }
  | { kind: 'immediate'; expr: Expr };

export class OperandError extends Error {
  override name = 'OperandError';
}

/**
 * `r16`, `r99`: written as a register, but the MSP430 has sixteen. Without this check it would silently become a
 * symbolic operand naming an undefined symbol `r16`, and the error would surface at link time, far from its cause.
 */
function checkRegisterLike(name: string): void {
  if (/^r\d+$/i.test(name) && parseRegister(name) === undefined) throw new OperandError(`'${name}' is not a register (r0–r15)`);
}

export function parseOperand(text: string): OperandSyntax {
  const t = text.trim();
  if (t === '') throw new OperandError('missing operand');
  const reg = parseRegister(t);
  if (reg !== undefined) return { kind: 'reg', reg };
  checkRegisterLike(t);
  if (t.startsWith('#')) return { kind: 'immediate', expr: parseWholeExpr(t.slice(1).trim()) };
  if (t.startsWith('&')) return { kind: 'absolute', expr: parseWholeExpr(t.slice(1).trim()) };
  if (t.startsWith('@')) {
    const inc = t.endsWith('+');
    const name = (inc ? t.slice(1, -1) : t.slice(1)).trim();
    checkRegisterLike(name);
    const r = parseRegister(name);
    if (r === undefined) throw new OperandError(`'${t}': expected a register after '@'`);
    return inc ? { kind: 'autoinc', reg: r } : { kind: 'indirect', reg: r };
  }
  // x(rN): the last parenthesised group names a register.
  const m = /^(.*)\(\s*([A-Za-z]\w*)\s*\)$/.exec(t);
  if (m) {
    checkRegisterLike(m[2]!);
    const r = parseRegister(m[2]!);
    if (r !== undefined) {
      const x = m[1]!.trim();
      return { kind: 'indexed', reg: r, expr: x === '' ? { k: 'num', v: 0 } : parseWholeExpr(x) };
    }
  }
  return { kind: 'symbolic', expr: parseWholeExpr(t) };
}

/** Splits an operand list at top-level commas (not inside parentheses or quotes). */
export function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '' || out.length) out.push(cur.trim());
  return out;
}
