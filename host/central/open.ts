// Opens the central system's database from the --db argument: a postgres:// (or postgresql://) URL, or a SQLite
// file path (default: $HASM_STATE_DIR or ~/.hasm, central.sqlite), and brings its schema up to date.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { migrate } from './migrations.ts';
import type { Database } from './sql.ts';

export function defaultDbPath(): string {
  return join(process.env.HASM_STATE_DIR ?? join(homedir(), '.hasm'), 'central.sqlite');
}

export const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

export async function openDatabase(spec: string | undefined, options: { migrate?: boolean } = {}): Promise<Database> {
  const s = spec ?? defaultDbPath();
  const db = isPostgresUrl(s) ? await (await import('./postgres.ts')).openPostgres(s) : await (await import('./sqlite.ts')).openSqlite(s);
  if (options.migrate !== false) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  return db;
}
