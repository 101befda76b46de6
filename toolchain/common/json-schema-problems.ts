// Ajv's errors (allErrors) as the problems a user should read: every missing field of an object in one line, an
// unknown field at its name, and for a `oneOf` the errors of the alternative the value was evidently meant to be
// (the one whose type it has) instead of one complaint per alternative.
import type { ErrorObject } from 'ajv';
import { escapePointer, type JsonProblem } from './json-source.ts';

/** `what` names the kind of file in each message ("board", "descriptor"). */
export function schemaProblems(errors: readonly ErrorObject[], what: string): JsonProblem[] {
  const errs = resolveAlternatives(errors.filter((e) => e.keyword !== 'if'));
  const label = (pointer: string) => `${what} ${pointer || '(top level)'}`;
  const problems: JsonProblem[] = [];
  const missing = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const e of errs) {
    if (e.keyword === 'required') {
      const list = missing.get(e.instancePath) ?? [];
      const name = String(e.params.missingProperty);
      if (!list.includes(name)) list.push(name);
      missing.set(e.instancePath, list);
      continue;
    }
    let p: JsonProblem;
    if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      p = { pointer: `${e.instancePath}/${escapePointer(name)}`, key: true, message: `${label(e.instancePath)}: unknown field "${name}"` };
    } else if (e.keyword === 'enum') {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      p = { pointer: e.instancePath, message: `${label(e.instancePath)}: must be one of ${allowed}` };
    } else if (e.keyword === 'minItems') {
      const n = Number(e.params.limit);
      p = { pointer: e.instancePath, message: `${label(e.instancePath)}: must have at least ${n} ${n === 1 ? 'item' : 'items'}` };
    } else p = { pointer: e.instancePath, message: `${label(e.instancePath)}: ${e.message}` };
    if (!seen.has(p.message)) problems.push(p);
    seen.add(p.message);
  }
  for (const [pointer, names] of missing) {
    const fields = names.map((n) => `"${n}"`).join(', ');
    problems.push({ pointer, message: `${label(pointer)}: missing ${names.length > 1 ? 'fields' : 'field'} ${fields}` });
  }
  return problems;
}

const inside = (e: ErrorObject, at: string) => e.instancePath === at || e.instancePath.startsWith(`${at}/`);
const wrongKind = (e: ErrorObject, at: string) => e.instancePath === at && ['type', 'enum', 'const'].includes(e.keyword);

/**
 * Replaces each failed oneOf/anyOf and its alternatives' errors by the errors of the alternative the value has the
 * kind of (the fewest errors when several), or by one line listing the kinds it may have. Ajv lists an
 * alternative's errors before the oneOf's own, so nested alternatives are resolved first and their replacement keeps
 * the schema path the enclosing one looks for.
 */
function resolveAlternatives(input: ErrorObject[]): ErrorObject[] {
  let errs = input;
  for (const o of input.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')) {
    const prefix = `${o.schemaPath}/`;
    const branchErrs = errs.filter((e) => e.schemaPath.startsWith(prefix) && inside(e, o.instancePath));
    if (branchErrs.length === 0) continue; // several alternatives matched: Ajv's own message says so
    const branches = new Map<string, ErrorObject[]>();
    for (const e of branchErrs) {
      const b = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(b, [...(branches.get(b) ?? []), e]);
    }
    const fitting = [...branches.values()].filter((b) => !b.some((e) => wrongKind(e, o.instancePath))).sort((a, b) => a.length - b.length);
    let replacement: ErrorObject[];
    if (fitting.length) replacement = fitting[0]!;
    else {
      const kinds = branchErrs.filter((e) => wrongKind(e, o.instancePath)).map(kindOf);
      replacement = [{ ...o, keyword: 'type', message: `must be ${[...new Set(kinds)].join(' or ')}` }];
    }
    errs = errs.flatMap((e) => (e === o ? replacement : branchErrs.includes(e) ? [] : [e]));
  }
  return errs;
}

function kindOf(e: ErrorObject): string {
  if (e.keyword === 'type') return `${/^[aeiou]/.test(String(e.params.type)) ? 'an' : 'a'} ${e.params.type}`;
  if (e.keyword === 'enum') return (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
  if (e.keyword === 'const') return JSON.stringify(e.params.allowedValue);
  return e.message ?? e.keyword;
}
