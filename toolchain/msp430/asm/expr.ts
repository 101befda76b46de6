// Expressions in assembler operands and directives: numbers, symbols, `.`/`$` (the current address), unary
// - ~ +, and C-precedence binary operators. A value is absolute or relative to one symbol (label or undefined
// external); the difference of two labels of one section is absolute.

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'sym'; name: string }
  | { k: 'here' }
  | { k: 'un'; op: string; a: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr };

export class ExprError extends Error {
  override name = 'ExprError';
}

const BIN_PREC: Record<string, number> = {
  '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

/** Parses an expression from the start of `text`; returns it and the index after it. */
export function parseExpr(text: string, start = 0): { expr: Expr; end: number } {
  let i = start;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const primary = (): Expr => {
    ws();
    const c = text[i];
    if (c === undefined) throw new ExprError('expected an expression');
    if (c === '(') {
      i++;
      const e = binary(0);
      ws();
      if (text[i] !== ')') throw new ExprError(`expected ')' at '${text.slice(i)}'`);
      i++;
      return e;
    }
    if (c === '-' || c === '~' || c === '+' || c === '!') {
      i++;
      return { k: 'un', op: c, a: primary() };
    }
    if (c === "'") {
      // character constant 'a' (or '\n')
      const m = /^'(\\.|[^\\'])'?/.exec(text.slice(i));
      if (!m) throw new ExprError('bad character constant');
      i += m[0].length;
      const ch = m[1]!.length === 2 ? ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[m[1]![1]!] ?? m[1]![1]! : m[1]!;
      return { k: 'num', v: ch.charCodeAt(0) };
    }
    const num = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+[bf]?|[0-9a-fA-F]+[hH](?![\w]))/.exec(text.slice(i));
    if (num) {
      const t = num[1]!;
      // numeric local label reference: 1b / 1f
      if (/^[0-9]+[bf]$/.test(t)) {
        i += t.length;
        return { k: 'sym', name: t };
      }
      i += t.length;
      let v: number;
      if (/^0[xX]/.test(t)) v = parseInt(t.slice(2), 16);
      else if (/^0[bB]/.test(t)) v = parseInt(t.slice(2), 2);
      else if (/[hH]$/.test(t)) v = parseInt(t.slice(0, -1), 16);
      else v = parseInt(t, 10);
      return { k: 'num', v };
    }
    if (c === '$' || (c === '.' && !/[\w.$]/.test(text[i + 1] ?? ''))) {
      i++;
      return { k: 'here' };
    }
    const sym = /^[A-Za-z_.$][\w.$]*/.exec(text.slice(i));
    if (sym) {
      i += sym[0].length;
      return { k: 'sym', name: sym[0] };
    }
    throw new ExprError(`unexpected '${text.slice(i)}' in expression`);
  };
  const binary = (minPrec: number): Expr => {
    let lhs = primary();
    for (;;) {
      ws();
      const two = text.slice(i, i + 2);
      const op = two === '<<' || two === '>>' ? two : text[i] ?? '';
      const prec = BIN_PREC[op];
      if (prec === undefined || prec <= minPrec - 1 || prec < minPrec) break;
      i += op.length;
      const rhs = binary(prec + 1);
      lhs = { k: 'bin', op, a: lhs, b: rhs };
    }
    return lhs;
  };
  const expr = binary(0);
  ws();
  return { expr, end: i };
}

/** Parses a whole string as one expression. */
export function parseWholeExpr(text: string): Expr {
  const { expr, end } = parseExpr(text);
  if (end !== text.length) throw new ExprError(`unexpected '${text.slice(end)}' after expression`);
  return expr;
}

/**
 * A value: `sym` undefined means absolute. Labels are relative to their section (`sym` = the section's base
 * symbol, SECTION_BASE + name), so a difference of two labels of one section is absolute; an external symbol is
 * `sym` = its own name, off = 0.
 */
export const SECTION_BASE = '\u00a7';

export interface Value {
  sym?: string;
  off: number;
}

export interface EvalContext {
  /** Returns the value of a symbol, or undefined when it is not (yet) defined. */
  lookup(name: string): Value | undefined;
  /** The current location as a value (relative to the current section's start symbol). */
  here: Value;
}

/** Evaluates; returns undefined if a symbol is not yet known (a forward reference). */
export function evaluate(e: Expr, ctx: EvalContext): Value | undefined {
  switch (e.k) {
    case 'num':
      return { off: e.v };
    case 'here':
      return ctx.here;
    case 'sym':
      return ctx.lookup(e.name) ?? undefined;
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (!a) return undefined;
      if (e.op === '+') return a;
      if (a.sym !== undefined) throw new ExprError(`operator '${e.op}' needs an absolute operand, '${a.sym}' is relocatable`);
      return { off: e.op === '-' ? -a.off : e.op === '~' ? ~a.off : a.off ? 0 : 1 };
    }
    case 'bin': {
      const a = evaluate(e.a, ctx);
      const b = evaluate(e.b, ctx);
      if (!a || !b) return undefined;
      if (e.op === '+') {
        if (a.sym !== undefined && b.sym !== undefined) throw new ExprError('cannot add two relocatable values');
        return { sym: a.sym ?? b.sym, off: a.off + b.off };
      }
      if (e.op === '-') {
        if (b.sym === undefined) return { sym: a.sym, off: a.off - b.off };
        if (a.sym === undefined) throw new ExprError(`cannot subtract relocatable '${b.sym}' from an absolute value`);
        if (a.sym === b.sym) return { off: a.off - b.off };
        throw new ExprError(`difference of symbols in different sections (${a.sym}, ${b.sym}) is not a constant`);
      }
      if (a.sym !== undefined || b.sym !== undefined) throw new ExprError(`operator '${e.op}' needs absolute operands`);
      const x = a.off;
      const y = b.off;
      switch (e.op) {
        case '*': return { off: x * y };
        case '/': if (y === 0) throw new ExprError('division by zero'); return { off: Math.trunc(x / y) };
        case '%': if (y === 0) throw new ExprError('division by zero'); return { off: x % y };
        case '<<': return { off: x << y };
        case '>>': return { off: x >> y };
        case '&': return { off: x & y };
        case '|': return { off: x | y };
        case '^': return { off: x ^ y };
      }
      throw new ExprError(`unknown operator '${e.op}'`);
    }
  }
}
