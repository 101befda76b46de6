// The embedded default backend: one SQLite file through better-sqlite3 (12.x: 13.x needs Node 22). The library is
// synchronous; statements of different callers are still serialised here, so that an `await` inside one caller's
// transaction never lets another caller's statement run inside it.
import Database3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError, type Database, type Param, type Row, type Sql } from './sql.ts';

class Queue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const r = this.tail.then(f, f);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

const bind = (params: Param[]) => params.map((p) => (typeof p === 'bigint' ? p : p));

export async function openSqlite(file: string): Promise<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Database3.Database;
  try {
    db = new Database3(file);
    // WAL lets readers (hasm central meters/readings) run beside the service; synchronous=FULL makes every commit
    // wait for the disk, which the counter rule needs (a reservation survives a power cut, not only a kill -9).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 10000');
  } catch (e) {
    throw new StorageError(`cannot open the SQLite database: ${(e as Error).message}`, file);
  }
  const queue = new Queue();
  const exec = (sql: string, params: Param[], all: boolean): Row[] | number => {
    try {
      const st = db.prepare(sql);
      if (all) return st.all(...bind(params)) as Row[];
      return st.run(...bind(params)).changes;
    } catch (e) {
      throw new StorageError((e as Error).message, file, sql);
    }
  };
  const direct: Sql = {
    dialect: 'sqlite',
    all: async <T extends Row>(sql: string, params: Param[] = []) => exec(sql, params, true) as T[],
    run: async (sql: string, params: Param[] = []) => exec(sql, params, false) as number,
  };
  return {
    dialect: 'sqlite',
    where: file,
    all: (sql, params) => queue.run(() => direct.all(sql, params)),
    run: (sql, params) => queue.run(() => direct.run(sql, params)),
    transaction: (body) =>
      queue.run(async () => {
        exec('BEGIN IMMEDIATE', [], false);
        try {
          const r = await body(direct);
          exec('COMMIT', [], false);
          return r;
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw e;
        }
      }),
    close: () => queue.run(async () => void db.close()),
  };
}
