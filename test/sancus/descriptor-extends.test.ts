// A descriptor that extends another (host/deploy/descriptor.ts "extends"): firmware/meter-dlms.json names only what
// the DLMS meter changes in firmware/meter.json; the merged deployment is checked as a whole, and every error names
// the file and line that wrote the offending value — the base's or the variant's.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDescriptor } from '../../host/deploy/descriptor.ts';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
};

const BASE = {
  nodes: [{ name: 'n', runtime: 'firmware' }],
  modules: [
    { name: 'a', node: 'n', vendor_id: 1, source: 'a.s', entries: [{ name: 'go' }], outputs: ['out'] },
    { name: 'b', node: 'n', vendor_id: 2, source: 'b.s', entries: [{ name: 'go' }], inputs: [{ name: 'in', handler: 'h' }] },
  ],
  connections: [{ id: 1, from: 'a.out', to: 'b.in' }],
};

/** Files written one value per line, so that a line names one value. */
function write(dir: string, name: string, value: object): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

describe('a descriptor that extends another', () => {
  it('firmware/meter-dlms.json is firmware/meter.json with CS security from cs-dlms, its board and two connections more', () => {
    const meter = loadDescriptor('firmware/meter.json');
    const dlms = loadDescriptor('firmware/meter-dlms.json');
    expect(dlms.nodes).toEqual([{ ...meter.nodes[0], board: 'emulated-dlms' }]);
    expect(dlms.modules.map((m) => m.name)).toEqual(meter.modules.map((m) => m.name));
    for (const m of dlms.modules) {
      const base = meter.modules.find((x) => x.name === m.name)!;
      if (m.name === 'cs') expect(resolve(dlms.dir, m.source)).toBe(resolve('firmware/cs-dlms'));
      else expect(m).toEqual(base);
    }
    expect(dlms.connections.slice(0, meter.connections.length)).toEqual(meter.connections);
    expect(dlms.connections.slice(meter.connections.length)).toEqual([
      { id: 28, from: 'logs.copy', to: 'cs.logs' },
      { id: 29, from: 'cs.logs_query', to: 'logs.query' },
    ]);
  });

  it("keeps the base's module sources where they are when the variant lives in another folder", () => {
    const root = mkdtempSync(join(tmpdir(), 'extends-'));
    mkdirSync(join(root, 'variants'));
    write(root, 'base.json', BASE);
    const v = write(join(root, 'variants'), 'v.json', { extends: '../base.json', modules: [{ name: 'c', node: 'n', vendor_id: 3, source: 'c.s', entries: [{ name: 'go' }] }] });
    const d = loadDescriptor(v);
    expect(d.modules.map((m) => resolve(d.dir, m.source))).toEqual([join(root, 'a.s'), join(root, 'b.s'), join(root, 'variants', 'c.s')]);
    expect(d.connections).toEqual(BASE.connections);
  });

  it("names the variant's line for its own mistakes and the base's line for the base's", () => {
    const root = mkdtempSync(join(tmpdir(), 'extends-'));
    const base = write(root, 'base.json', BASE);
    // A connection of the variant to an input the base's module does not have: at the variant's line.
    const v = write(root, 'v.json', { extends: 'base.json', connections: [{ id: 2, from: 'a.out', to: 'b.nosuch' }] });
    expect(messageOf(() => loadDescriptor(v))).toBe(`${v}:7:13: descriptor /connections/1/to: module 'b' has no input 'nosuch' (its inputs: in)`);
    // The same id twice, one in each file: at the variant's.
    const twice = write(root, 'twice.json', { extends: 'base.json', connections: [{ id: 1, from: 'b.x', to: 'a.y' }] });
    expect(messageOf(() => loadDescriptor(twice))).toMatch(new RegExp(`^${twice}:5:13: descriptor /connections/1/id: connection id 1 is used twice`));
    // The variant moves module b to a node that does not exist: the base's connection is still fine, b is the variant's.
    const moved = write(root, 'moved.json', { extends: 'base.json', modules: [{ ...BASE.modules[1], node: 'elsewhere' }] });
    expect(messageOf(() => loadDescriptor(moved))).toBe(`${moved}:6:15: descriptor /modules/1/node: module 'b' is on node 'elsewhere', which is not in "nodes"`);
    // A variant that removes nothing but replaces b by a module without input 'in': the base's connection is wrong now, at the base's line.
    const noInput = write(root, 'no-input.json', { extends: 'base.json', modules: [{ name: 'b', node: 'n', vendor_id: 2, source: 'b.s', entries: [{ name: 'go' }], inputs: [{ name: 'other', handler: 'h' }] }] });
    expect(messageOf(() => loadDescriptor(noInput))).toBe(`${base}:45:13: descriptor /connections/0/to: module 'b' has no input 'in' (its inputs: other)`);
  });

  it('a base that cannot be read, or that extends the variant, is an error at "extends"', () => {
    const root = mkdtempSync(join(tmpdir(), 'extends-'));
    const missing = write(root, 'missing.json', { extends: 'nosuch.json' });
    expect(messageOf(() => loadDescriptor(missing))).toMatch(new RegExp(`^${missing}:2:14: cannot read descriptor: ENOENT`));
    const a = write(root, 'a.json', { extends: 'b.json' });
    write(root, 'b.json', { extends: 'a.json' });
    expect(messageOf(() => loadDescriptor(a))).toMatch(/b\.json:2:14: descriptor \/extends: .*a\.json → .*b\.json → .*a\.json extends itself/);
    // Without "extends", nodes and modules stay required.
    const plain = write(root, 'plain.json', { connections: [] });
    expect(messageOf(() => loadDescriptor(plain))).toMatch(/missing fields "nodes", "modules"/);
  });
});
