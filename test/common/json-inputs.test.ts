// JSON inputs (boards, deployment descriptors, DLMS keys files) report every problem at once, each as
// file:line:column (../shared/CLI.md; issue 15 item 3).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import { loadKeys } from '../../host/dlms/keys.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { parseJsonSource } from '../../toolchain/common/json-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'json-inputs-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('parseJsonSource', () => {
  it('locates values and keys by JSON Pointer, 1-based line and column', () => {
    const src = parseJsonSource('{\n  "a": [1, {"b/c": true}],\n  "d~": null\n}\n', 'x.json');
    expect(src.value).toEqual({ a: [1, { 'b/c': true }], 'd~': null });
    expect(src.at('/a')).toEqual({ file: 'x.json', line: 2, column: 8 });
    expect(src.at('/a/1/b~1c')).toEqual({ file: 'x.json', line: 2, column: 20 });
    expect(src.keyAt('/a/1/b~1c')).toEqual({ file: 'x.json', line: 2, column: 13 });
    expect(src.keyAt('/d~0')).toEqual({ file: 'x.json', line: 3, column: 3 });
    // Something absent: where its nearest present parent starts.
    expect(src.at('/a/1/missing')).toEqual({ file: 'x.json', line: 2, column: 12 });
  });

  it('syntax errors at their line and column, strictly JSON', () => {
    expect(messageOf(() => parseJsonSource('{\n  "a": 1,\n  "b": }\n', 'x.json'))).toBe("x.json:3:8: not valid JSON: expected a value, found '}'");
    expect(messageOf(() => parseJsonSource('{"a": 1,}', 'x.json'))).toBe("x.json:1:9: not valid JSON: expected a member name in double quotes, found '}'");
    expect(messageOf(() => parseJsonSource('[1 2]', 'x.json'))).toBe("x.json:1:4: not valid JSON: expected ']' or ',' after an array item, found '2'");
    expect(messageOf(() => parseJsonSource('{"a": 01}', 'x.json'))).toMatch(/^x\.json:1:7: not valid JSON/);
    expect(messageOf(() => parseJsonSource('{"a": "x\ty"}', 'x.json'))).toMatch(/^x\.json:1:9: not valid JSON: control character/);
    expect(messageOf(() => parseJsonSource('// c\n{}', 'x.json'))).toMatch(/^x\.json:1:1: not valid JSON/);
    expect(messageOf(() => parseJsonSource('{} x', 'x.json'))).toMatch(/^x\.json:1:4: not valid JSON: unexpected 'x'/);
    expect(messageOf(() => parseJsonSource('', 'x.json'))).toBe('x.json:1:1: not valid JSON: expected a value, found the end of the file');
    expect(parseJsonSource(' [-1.5e+3, "\\u00e9\\n", false] ', 'x.json').value).toEqual([-1500, 'é\n', false]);
  });
});

describe('boards', () => {
  it('every missing field of an object in one line, at the object', () => {
    const f = write('b1.json', '{\n  "name": "x",\n  "description": "d",\n  "cpu": {},\n  "memory": []\n}\n');
    expect(messageOf(() => loadBoard(f)).split('\n')).toEqual([`${f}:4:10: board /cpu: missing fields "core", "clock_hz"`, `${f}:5:13: board /memory: must have at least 1 item`]);
  });

  it('every problem of the file, each at its own line and column; an unknown field at its name', () => {
    const f = write(
      'b2.json',
      [
        '{',
        '  "name": "x", "description": "d", "colour": "red",',
        '  "cpu": { "core": "openmsp430", "clock_hz": 1 },',
        '  "memory": [',
        '    { "name": "m", "kind": "flash", "start": 0, "size": 1 },',
        '    { "name": "n", "kind": "ram", "start": "0xZZ", "size": 1 }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(messageOf(() => loadBoard(f)).split('\n')).toEqual([
      `${f}:2:36: board (top level): unknown field "colour"`,
      `${f}:5:28: board /memory/0/kind: must be one of "rom", "ram", "peripheral", "nvm"`,
      `${f}:6:44: board /memory/1/start: must match pattern "^(0x[0-9a-fA-F]+|[0-9]+)$"`,
    ]);
  });

  it('checks after the schema name the region', () => {
    const f = write('b3.json', '{"name": "x", "description": "d", "cpu": {"core": "openmsp430", "clock_hz": 1},\n "memory": [{"name": "a", "kind": "ram", "start": 0, "size": 16},\n  {"name": "b", "kind": "ram", "start": 8, "size": 16}]}');
    expect(messageOf(() => loadBoard(f))).toBe(`${f}:3:3: board /memory/1: memory regions 'a' and 'b' overlap`);
  });
});

describe('deployment descriptors', () => {
  it('every missing field at once; a u16 given as a bad string names the form it should have', () => {
    const text = [
      '{',
      '  "nodes": [{ "name": "n1" }],',
      '  "modules": [',
      '    { "name": "m", "node": "n1", "entries": [] },',
      '    { "name": "k", "node": "n1", "vendor_id": "0x12345", "source": "k.s", "entries": [] }',
      '  ]',
      '}',
    ].join('\n');
    expect(messageOf(() => parseDescriptor(text, 'd.json')).split('\n')).toEqual([
      'd.json:4:5: descriptor /modules/0: missing fields "vendor_id", "source"',
      'd.json:5:47: descriptor /modules/1/vendor_id: must match pattern "^(0x[0-9a-fA-F]{1,4}|[0-9]{1,5})$"',
    ]);
  });

  it('a value of none of the allowed kinds; cross-reference errors at their line and column', () => {
    const head = '{\n  "nodes": [{ "name": "n1", "loader": 7 }],\n  "modules": []\n}';
    expect(messageOf(() => parseDescriptor(head, 'd.json')).split('\n')).toEqual([
      'd.json:2:39: descriptor /nodes/0/loader: must be "direct", "debug-uart" or an object',
      'd.json:3:14: descriptor /modules: must have at least 1 item',
    ]);
    const cross = '{\n  "nodes": [{ "name": "n1" }],\n  "modules": [\n    { "name": "m", "node": "n2", "vendor_id": 1, "source": "m.s", "entries": [] }\n  ]\n}';
    expect(messageOf(() => parseDescriptor(cross, 'd.json'))).toBe(`d.json:4:28: descriptor /modules/0/node: module 'm' is on node 'n2', which is not in "nodes"`);
  });
});

describe('DLMS keys files', () => {
  it('every missing field at once, and each bad value at its line and column', () => {
    const f = write('k.json', '{\n  "guek": "xyz",\n  "gak": "00112233",\n  "password": 5\n}\n');
    expect(messageOf(() => loadKeys(f)).split('\n')).toEqual([
      `${f}:1:1: keys file: missing fields "kek", "client_system_title", "server_system_title", "hls_secret"`,
      `${f}:2:11: "guek" must be a hex string`,
      `${f}:3:10: "gak" must be 16 or 32 bytes, got 4`,
      `${f}:4:15: "password" must be a string`,
    ]);
  });

  it('a syntax error at its line and column', () => {
    const f = write('k2.json', '{\n  "guek": "00"\n  "gak": "00"\n}\n');
    expect(messageOf(() => loadKeys(f))).toBe(`${f}:3:3: not valid JSON: expected '}' or ',' after a member value, found '"'`);
  });
});
