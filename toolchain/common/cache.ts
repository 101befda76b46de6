// The tools' on-disk cache: node_modules/.cache/hasm, the usual place for a package's caches (find-cache-dir's
// convention), so it goes away with node_modules and never lands in git. Entries are named by a hash of
// everything they depend on; a stale entry is never read, only left behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// node_modules itself, found through a package every install has.
export const CACHE_DIR = join(dirname(dirname(require.resolve('ajv/package.json'))), '.cache', 'hasm');

/** The installed version of a package (part of a cache key: a new compiler makes new entries). */
export const packageVersion = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

/** A short hash of the given parts, for an entry's name. */
export function cacheKey(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function cachePath(name: string): string {
  return join(CACHE_DIR, name);
}

export function readCached(name: string): Buffer | undefined {
  const p = cachePath(name);
  return existsSync(p) ? readFileSync(p) : undefined;
}

/** Writes an entry under a temporary name and renames it into place: a concurrent reader never sees half of it. */
export function writeCached(name: string, contents: string | Uint8Array): string {
  const p = cachePath(name);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, p);
  return p;
}
