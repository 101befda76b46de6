// The import directions of ARCHITECTURE.md ("Each folder … what it may import"; "Import directions (enforced by a
// test)"), checked on every TypeScript source with the TypeScript compiler's own import scanner (ts.preProcessFile:
// static imports, re-exports and dynamic import() calls), each import resolved to a repository path.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && !e.name.startsWith('.')) out.push(...sources(p));
    } else if (/\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** file → the repository paths it imports (bare package names kept as `pkg:name`). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName }) => (fileName.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), fileName)) : `pkg:${fileName}`));
}

const FILES = ['toolchain', 'host', 'boards'].flatMap(sources);
const EDGES = FILES.map((f) => ({ file: f, imports: importsOf(f) }));
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
const violations = (from: (f: string) => boolean, to: (p: string) => boolean) =>
  EDGES.filter((e) => from(e.file)).flatMap((e) => e.imports.filter(to).map((p) => `${e.file} → ${p}`));

describe('import directions (ARCHITECTURE.md)', () => {
  it('the scanner sees the imports (sanity: the compiler imports the instruction table)', () => {
    expect(EDGES.find((e) => e.file === 'toolchain/compiler/emit.ts')!.imports).toContain('toolchain/msp430/isa.ts');
    expect(FILES.length).toBeGreaterThan(100);
  });
  it('the instruction table imports nothing', () => {
    expect(EDGES.find((e) => e.file === 'toolchain/msp430/isa.ts')!.imports).toEqual([]);
  });
  it('toolchain/ never imports host/', () => {
    expect(violations((f) => under(f, 'toolchain'), (p) => under(p, 'host'))).toEqual([]);
  });
  it('the compiler never imports the emulator', () => {
    expect(violations((f) => under(f, 'toolchain/compiler'), (p) => under(p, 'toolchain/emulator'))).toEqual([]);
  });
  it('host/dlms, host/mpc and host/analysis never import each other', () => {
    const pillars = ['host/dlms', 'host/mpc', 'host/analysis'];
    for (const a of pillars) {
      expect(violations((f) => under(f, a), (p) => pillars.some((b) => b !== a && under(p, b)))).toEqual([]);
    }
  });
  it('nothing outside test/ imports test/', () => {
    expect(violations(() => true, (p) => under(p, 'test'))).toEqual([]);
  });
});
