// The two storage backends the same tests run against: SQLite in a temp file, and PostgreSQL on a throwaway
// server (postgres-server.ts). When PostgreSQL cannot be started the reason is returned, and the suites say it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, postgresBin, startPostgres, type PgServer } from './postgres-server.ts';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Starts what the backend needs (once per file). */
  setup(): Promise<void>;
  /** A --db value for an empty database. */
  fresh(tag: string): Promise<string>;
  teardown(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir = '';
  return {
    name: 'sqlite',
    setup: async () => void (dir = mkdtempSync(join(tmpdir(), 'hasm-central-'))),
    fresh: async (tag) => join(dir, `${tag}.sqlite`),
    teardown: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresBackend(): Backend {
  let server: PgServer | undefined;
  let n = 0;
  return {
    name: 'postgres',
    setup: async () => {
      server = await startPostgres();
      process.stderr.write(`central storage tests: PostgreSQL throwaway cluster (${server.version}) at ${server.url}\n`);
    },
    fresh: async (tag) => freshDatabase(server!, `t_${tag.replace(/\W/g, '_')}_${n++}`),
    teardown: async () => server?.stop(),
  };
}

/** Why the PostgreSQL suites are skipped, or undefined when they run. */
export const postgresMissing = (() => {
  const b = postgresBin();
  return 'missing' in b ? b.missing : undefined;
})();

export const BACKENDS: Backend[] = [sqliteBackend(), postgresBackend()];
