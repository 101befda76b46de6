// The backend for scale: PostgreSQL through `pg` (a pool; one client per transaction). The same statements as
// SQLite: `?` placeholders become $1…; BIGINT columns come back as strings from `pg` and are converted by the
// repository with num(). Commits are durable under PostgreSQL's default synchronous_commit = on.
import pg from 'pg';
import { StorageError, type Database, type Param, type Row, type Sql } from './sql.ts';

/** `?` → `$n`, outside string literals (our statements have no `?` inside literals, but be exact anyway). */
export function numbered(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const c of sql) {
    if (c === "'") quoted = !quoted;
    out += c === '?' && !quoted ? `$${++n}` : c;
  }
  return out;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

const values = (params: Param[]) => params.map((p) => (typeof p === 'bigint' ? p.toString() : p));

export async function openPostgres(url: string): Promise<Database> {
  const where = redact(url);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // an idle client's broken connection: the next query reports it
  const on = (client: pg.Pool | pg.PoolClient): Sql => ({
    dialect: 'postgres',
    all: async <T extends Row>(sql: string, params: Param[] = []) => {
      try {
        return (await client.query(numbered(sql), values(params))).rows as T[];
      } catch (e) {
        throw new StorageError((e as Error).message, where, sql);
      }
    },
    run: async (sql: string, params: Param[] = []) => {
      try {
        return (await client.query(numbered(sql), values(params))).rowCount ?? 0;
      } catch (e) {
        throw new StorageError((e as Error).message, where, sql);
      }
    },
  });
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new StorageError(`cannot connect: ${(e as Error).message}`, where);
  }
  const direct = on(pool);
  return {
    ...direct,
    where,
    transaction: async (body) => {
      const client = await pool.connect().catch((e: Error) => {
        throw new StorageError(`cannot connect: ${e.message}`, where);
      });
      try {
        await client.query('BEGIN');
        const r = await body(on(client));
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
