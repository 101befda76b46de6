// Walking Binaryen IR: the child expressions of any expression, by its kind.
import binaryen from 'binaryen';

const CHILD_FIELDS = ['condition', 'ifTrue', 'ifFalse', 'body', 'value', 'ptr', 'left', 'right', 'delta', 'dest', 'source', 'size'];

/** binaryen.getExpressionInfo, also for the kinds that have no fields (nop, unreachable), where it throws. */
export function exprInfo(e: number): Record<string, any> & { id: number; type: number } {
  const id = binaryen.getExpressionId(e);
  if (id === binaryen.NopId || id === binaryen.UnreachableId) return { id, type: binaryen.getExpressionType(e) };
  return binaryen.getExpressionInfo(e) as Record<string, any> & { id: number; type: number };
}

export function children(e: number): number[] {
  const info = exprInfo(e);
  if (info.id === binaryen.ConstId) return [];
  const out: number[] = [];
  for (const k of ['children', 'operands']) if (Array.isArray(info[k])) out.push(...(info[k] as number[]));
  for (const k of CHILD_FIELDS) if (typeof info[k] === 'number' && info[k]) out.push(info[k] as number);
  if (info.id === binaryen.CallIndirectId && typeof info.target === 'number') out.push(info.target);
  return out;
}

/** Visits `e` and every expression under it, parents first. */
export function walk(e: number, visit: (e: number) => void): void {
  if (!e) return;
  visit(e);
  for (const c of children(e)) walk(c, visit);
}
