// The one SQL interface the central system's storage is written against (ARCHITECTURE.md "Host": SQLite by
// default, PostgreSQL for scale). Statements use `?` placeholders and portable SQL; a backend translates what
// differs (PostgreSQL's $1…). Integers that may pass 2^53 (invocation counters are 32-bit today, but the
// DLMS ones are 64-bit on the wire) are stored as BIGINT and read back as numbers only after a range check.
import { OperationError } from '../../toolchain/common/errors.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Param = string | number | bigint | null;
export type Row = Record<string, unknown>;

/** A connection or a transaction on one: the statements run in order. */
export interface Sql {
  readonly dialect: Dialect;
  all<T extends Row = Row>(sql: string, params?: Param[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: Param[]): Promise<number>;
}

export interface Database extends Sql {
  /** Where it lives, for messages (a file path or the URL without its password). */
  readonly where: string;
  /**
   * Runs `body` in one transaction that takes the write lock at its start (SQLite BEGIN IMMEDIATE; PostgreSQL
   * statements there lock what they read with FOR UPDATE): committed when `body` resolves — durably, the commit
   * waits for the disk — rolled back when it throws.
   */
  transaction<T>(body: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A storage failure with the statement and the database it happened on. */
export class StorageError extends OperationError {
  override name = 'StorageError';
  constructor(message: string, readonly where: string, readonly statement?: string) {
    super(`${where}: ${message}${statement ? ` (in: ${statement.replace(/\s+/g, ' ').slice(0, 120)})` : ''}`, { database: where });
  }
}

/** A BIGINT column as a JS number (the values we keep stay below 2^53; a larger one is a bug, said so). */
export function num(v: unknown, what = 'value'): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? Number(v) : (v as number);
  if (!Number.isSafeInteger(n)) throw new OperationError(`${what}: ${String(v)} is not an integer below 2^53`);
  return n;
}

export function optNum(v: unknown, what?: string): number | null {
  return v === null || v === undefined ? null : num(v, what);
}
