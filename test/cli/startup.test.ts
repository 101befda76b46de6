// Issue 15 item 1: `hasm` starts in a blink because (a) it runs compiled JavaScript, never a TypeScript loader, and
// (b) a command's dependencies load only when that command runs. Both are structural, so they are tested as
// structure — the static import graph of the compiled files — not as wall time, which depends on the machine.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIST, ensureBuilt, ROOT } from '../../bin/dist.mjs';
import { main } from '../../host/cli/main.ts';

/** Every package reached through static imports (`import … from`, not `import()`) from a compiled file. */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) {
        if (spec.endsWith('.js')) visit(resolve(dirname(file), spec));
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  };
  visit(entry);
  return packages;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe('hasm start-up', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('bin/hasm.mjs runs the compiled dist/, with no TypeScript loader', () => {
    const bin = readFileSync(join(ROOT, 'bin/hasm.mjs'), 'utf8');
    expect(bin).toContain("'../dist/host/cli/main.js'");
    expect(bin).not.toMatch(/tsx|ts-node|register\(/);
  });

  it('the dispatcher and --help load no dependency at all', () => {
    expect([...staticPackages(join(DIST, 'host/cli/main.js'))]).toEqual([]);
  });

  it('each command loads only what it needs (no binaryen outside build, no DLMS stack in as)', () => {
    const heavy = ['binaryen', 'assemblyscript'];
    for (const cmd of ['as', 'disas', 'objcopy', 'run', 'sancus', 'dlms', 'mpc', 'privacy']) {
      const pkgs = staticPackages(join(DIST, `host/cli/commands/${cmd}.js`));
      for (const h of heavy) expect(pkgs.has(h), `${cmd} statically imports ${h}`).toBe(false);
    }
    expect(staticPackages(join(DIST, 'host/cli/commands/build.js')).has('binaryen')).toBe(true);
  });

  it('--help lists every command from the registry without loading them', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    for (const name of ['as', 'disas', 'objcopy', 'build', 'run', 'sancus', 'deploy', 'dlms', 'mpc', 'privacy']) {
      expect(c.err.join('\n')).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it('--version prints the version kept in package.json', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(c.out).toEqual([`hasm ${version}`]);
  });
});
