// The compiled JavaScript that `hasm` runs: every TypeScript file under host/, toolchain/ and boards/ becomes
// dist/<same path>.js, one file per source file (no bundle), with its relative imports pointing at the compiled
// siblings. Why: loading node_modules through a TypeScript loader at run time cost `hasm` 30–50 s and 1.8 GB
// (binaryen's 14.8 MB index.js went through tsx's transform); plain Node imports it in about a second.
//
// `import.meta.url` in a compiled file still names its source file, so assets beside the sources (boards/*.json,
// demo-keys.json, runtime/helpers.as, serial-bridge.mjs) are found where they are, with no copies in dist/.
//
// Used by bin/hasm.mjs (rebuilds when a source is newer than the last build, so the command never lags behind the
// code) and by `make` (node bin/dist.mjs). Concurrent builds are safe: each file is written to a temporary name and
// renamed, so a reader sees the old file or the new one, never half of one.
import { readdirSync, statSync, mkdirSync, writeFileSync, renameSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.built');
const SOURCE_DIRS = ['host', 'toolchain', 'boards'];

/** Every TypeScript source the command may load (declaration files excluded). */
export function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  return files;
}

/** True when dist/ is missing or some source (or this build script) is newer than the last build. */
export function isStale() {
  let built;
  try {
    built = statSync(STAMP).mtimeMs;
  } catch (e) {
    if (e.code === 'ENOENT') return true;
    throw e;
  }
  if (statSync(fileURLToPath(import.meta.url)).mtimeMs > built) return true;
  // A file removed since the build leaves a dead .js behind, harmless: nothing imports it any more.
  return sourceFiles().some((f) => statSync(f).mtimeMs > built);
}

const toPosix = (p) => p.split(sep).join('/');
const distPathOf = (src) => join(DIST, relative(ROOT, src)).replace(/\.ts$/, '.js');

/** Compiles every source to dist/ (esbuild, transpile only: `make test` type-checks with tsc). */
export async function build() {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const sources = sourceFiles();
  const rewriteImports = {
    name: 'hasm-dist',
    setup(b) {
      // Relative imports stay separate files: a .ts import becomes its compiled .js sibling, anything else (an
      // .mjs, a .json) points back at the source tree.
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer) return undefined; // an entry point itself
        const target = join(args.resolveDir, args.path);
        const fromDist = dirname(distPathOf(args.importer));
        let path = toPosix(relative(fromDist, target.endsWith('.ts') ? distPathOf(target) : target));
        if (!path.startsWith('.')) path = './' + path;
        return { path, external: true };
      });
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const back = toPosix(relative(dirname(distPathOf(args.path)), args.path));
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(back)}, import.meta.url).href`),
          loader: 'ts',
        };
      });
    },
  };
  const result = await esbuild.build({
    entryPoints: sources,
    outdir: DIST,
    outbase: ROOT,
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
    plugins: [rewriteImports],
  });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  mkdirSync(DIST, { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()} ${sources.length} files\n`);
  return { files: sources.length, ms: Date.now() - startedAt };
}

/** Builds when stale; says so on stderr (a first run after a clone or an edit takes about a second). */
export async function ensureBuilt() {
  if (!isStale()) return;
  process.stderr.write('hasm: compiling the TypeScript sources to dist/ …');
  const { files, ms } = await build();
  process.stderr.write(` ${files} files, ${(ms / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files, ms } = await build();
  console.error(`dist/: ${files} files compiled in ${(ms / 1000).toFixed(1)} s`);
}
