// JSON input files (boards, deployment descriptors, DLMS keys files) with positions, so that every error names
// file:line:column as ../shared/CLI.md promises. JSON.parse gives neither positions of values nor, in Node 20, a
// position for every syntax error; a strict scanner over the text records where each value and each key starts
// (by JSON Pointer, the paths Ajv reports) and locates syntax errors. The value itself still comes from JSON.parse.
import { InputError, formatLocation, type SourceLocation } from './errors.ts';

export interface JsonSource {
  file: string;
  text: string;
  value: unknown;
  /** Where the value at `pointer` starts; for a pointer into something absent, where its nearest present parent starts. */
  at(pointer: string): SourceLocation;
  /** Where the key of the member at `pointer` starts (the value's position for array items and the root). */
  keyAt(pointer: string): SourceLocation;
}

/** One thing wrong in a JSON input, at a JSON Pointer; `key` points at the member's name rather than its value. */
export interface JsonProblem {
  pointer: string;
  message: string;
  key?: boolean;
}

/** Parses `text` strictly as JSON; a syntax error is an InputError at its line and column. */
export function parseJsonSource(text: string, file: string): JsonSource {
  const lines = lineStarts(text);
  const locate = (offset: number): SourceLocation => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - lines[lo]! + 1 };
  };
  const { values, keys } = scan(text, (offset, message) => new InputError(`not valid JSON: ${message}`, locate(offset)));
  const nearest = (map: Map<string, number>, pointer: string): number => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const o = map.get(p) ?? values.get(p);
      if (o !== undefined) return o;
      if (p === '') return 0;
    }
  };
  return {
    file,
    text,
    value: JSON.parse(text),
    at: (pointer) => locate(nearest(values, pointer)),
    keyAt: (pointer) => locate(nearest(keys, pointer)),
  };
}

/**
 * Every problem at once, in file order, as one InputError: the first carries the error's location, each further one
 * is a line of its own with its own file:line:column.
 */
export function jsonProblemsError(src: JsonSource, problems: JsonProblem[]): InputError {
  const located = problems
    .map((p) => ({ ...p, loc: p.key ? src.keyAt(p.pointer) : src.at(p.pointer) }))
    .sort((a, b) => a.loc.line! - b.loc.line! || a.loc.column! - b.loc.column!);
  const [first, ...rest] = located;
  if (!first) throw new Error('jsonProblemsError: no problems');
  return new InputError([first.message, ...rest.map((p) => `${formatLocation(p.loc)}: ${p.message}`)].join('\n'), first.loc);
}

export const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** RFC 8259 JSON, nothing more (no comments, no trailing commas): offsets of every value and member name. */
function scan(text: string, fail: (offset: number, message: string) => Error) {
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const what = () => (i >= text.length ? 'the end of the file' : `'${text[i]}'`);
  const expect = (c: string, context: string) => {
    if (text[i] !== c) throw fail(i, `expected '${c}' ${context}, found ${what()}`);
    i++;
  };
  const string = (): string => {
    const start = i;
    expect('"', 'to start a string');
    for (;;) {
      if (i >= text.length) throw fail(start, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) throw fail(i, 'control character in a string (write it as an escape)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw fail(i, 'bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw fail(i, `bad escape '\\${e ?? ''}'`);
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    ws();
    values.set(pointer, i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const at = i;
        if (text[i] !== '"') throw fail(i, `expected a member name in double quotes, found ${what()}`);
        const name = string();
        const member = `${pointer}/${escapePointer(name)}`;
        keys.set(member, at);
        ws();
        expect(':', `after the member name "${name}"`);
        value(member);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}', 'or \',\' after a member value');
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${pointer}/${n}`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']', "or ',' after an array item");
        return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const m = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m || /[\w.]/.test(text[i + m[0].length] ?? '')) throw fail(i, `expected a value, found ${what()}`);
    i += m[0].length;
  };
  value('');
  ws();
  if (i < text.length) throw fail(i, `unexpected ${what()} after the end of the value`);
  return { values, keys };
}
