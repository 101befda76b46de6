// The schema, as numbered migrations applied in order, each in its own transaction together with its row in
// schema_migrations, so a database is always at exactly one version. The same statements for both backends; the
// few words that differ are placeholders: {id} an auto-numbered primary key.
import { StorageError, num, type Database, type Dialect } from './sql.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'meters, keys, counters, readings, logs, commands, privacy settings',
    statements: [
      // A meter: its identity (the name the operator gives it and, once it speaks DLMS, its system title), where
      // it is deployed (the deployment descriptor and node), and when it was last attested (seed §4.6.3).
      `CREATE TABLE meters (
        id TEXT PRIMARY KEY,
        system_title TEXT,
        feeder TEXT,
        deployment TEXT NOT NULL DEFAULT '{}',
        attested_at TEXT,
        created_at TEXT NOT NULL)`,
      // Keys the head end holds for a meter: one row per purpose (a connection's key, a DLMS key) and key; the
      // fingerprint names the key in counter identities without repeating it.
      `CREATE TABLE meter_keys (
        meter_id TEXT NOT NULL REFERENCES meters(id),
        purpose TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        key_hex TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        PRIMARY KEY (meter_id, purpose, fingerprint))`,
      // Invocation counters: one per identity (the key the nonce is made under, and what it is used for: a
      // connection, a DLMS client/server pair — counters belong to an identity, never to a process or a port).
      // next_value is the next value that may be handed out; a value below it has been reserved for good.
      `CREATE TABLE counters (
        identity TEXT PRIMARY KEY,
        meter_id TEXT NOT NULL REFERENCES meters(id),
        next_value BIGINT NOT NULL,
        max_value BIGINT NOT NULL,
        updated_at TEXT NOT NULL)`,
      // Every value handed out, with what was sealed under it, written in the same transaction that advanced
      // next_value: after a crash the unconfirmed ones are sent again byte for byte (same nonce, same plaintext,
      // hence the same ciphertext: no nonce reuse), never with another message.
      `CREATE TABLE counter_uses (
        identity TEXT NOT NULL REFERENCES counters(identity),
        value BIGINT NOT NULL,
        command_id BIGINT,
        sealed_hex TEXT NOT NULL,
        reserved_at TEXT NOT NULL,
        PRIMARY KEY (identity, value))`,
      // Half-hourly readings (seed §4.3.4): t is the start of the half hour (meter clock, Unix seconds), wh the
      // energy of that half hour as the meter sent it (after its chapter 5 countermeasures), pseudonym when the
      // meter rotates pseudonyms (0 none).
      `CREATE TABLE readings (
        meter_id TEXT NOT NULL REFERENCES meters(id),
        t BIGINT NOT NULL,
        wh BIGINT NOT NULL,
        tariff INTEGER NOT NULL,
        pseudonym BIGINT NOT NULL DEFAULT 0,
        received_at TEXT NOT NULL,
        PRIMARY KEY (meter_id, t))`,
      // The meters' log entries as they reach the head end (seed §4.5 "Separate logs": metrology, security,
      // off-switch), in the modules' own words: kind, result, aux, value (firmware/lib/events.ts).
      `CREATE TABLE logs (
        id {id},
        meter_id TEXT NOT NULL REFERENCES meters(id),
        log TEXT NOT NULL,
        kind INTEGER NOT NULL,
        result INTEGER NOT NULL,
        aux INTEGER NOT NULL,
        value BIGINT NOT NULL,
        t BIGINT,
        received_at TEXT NOT NULL)`,
      `CREATE INDEX logs_meter ON logs (meter_id, id)`,
      // Commands (seed §4.3.4: disconnect/reconnect, tariffs, prepaid, top-up, load balancing, privacy) and their
      // outcomes: queued → sent (a counter reserved, the sealed bytes on their way) → delivered | refused | failed.
      `CREATE TABLE commands (
        id {id},
        meter_id TEXT NOT NULL REFERENCES meters(id),
        kind TEXT NOT NULL,
        args TEXT NOT NULL,
        payload_hex TEXT NOT NULL,
        status TEXT NOT NULL,
        identity TEXT,
        counter BIGINT,
        outcome TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        outcome_at TEXT)`,
      `CREATE INDEX commands_status ON commands (status, id)`,
      // The chapter 5 countermeasures a meter was told to apply (the last accepted CMD_PRIVACY): rounding,
      // omitted readings, pseudonym rotation; the PRF key stays here so the operator can audit a meter's choices.
      `CREATE TABLE privacy_settings (
        meter_id TEXT PRIMARY KEY REFERENCES meters(id),
        round_wh INTEGER NOT NULL,
        omit_per_1024 INTEGER NOT NULL,
        pseudonym_halfhours INTEGER NOT NULL,
        key_hex TEXT NOT NULL,
        command_id BIGINT,
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'meter leases: one central system process sends to a meter at a time',
    statements: [
      // Two processes sending under one key would each take "the next" counter value from their own view of the
      // meter: the database rows serialise the values, but the meter accepts only one message per value and the
      // two would race. A lease names the one process attached to a meter; it lapses when not renewed (a crash).
      `CREATE TABLE meter_leases (
        meter_id TEXT PRIMARY KEY REFERENCES meters(id),
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL)`,
    ],
  },
];

const ID: Record<Dialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

export function dialectSql(sql: string, dialect: Dialect): string {
  return sql.replaceAll('{id}', ID[dialect]);
}

/** Brings the database to the newest version; returns the versions it applied. Safe against a concurrent migrator. */
export async function migrate(db: Database, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = await db.transaction(async (tx) => {
      // Two services starting at once: the second waits here and then finds the version recorded.
      if (tx.dialect === 'postgres') await tx.run('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const have = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [m.version]);
      if (have.length) return false;
      for (const s of m.statements) await tx.run(dialectSql(s, tx.dialect));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  const newest = Math.max(...migrations.map((m) => m.version));
  const top = await db.all<{ v: unknown }>('SELECT MAX(version) AS v FROM schema_migrations');
  if (num(top[0]?.v ?? 0) > newest) throw new StorageError(`the database is at schema version ${num(top[0]!.v)}, newer than this program's ${newest}`, db.where);
  return applied;
}

export async function schemaVersion(db: Database): Promise<number> {
  const top = await db.all<{ v: unknown }>('SELECT MAX(version) AS v FROM schema_migrations');
  return num(top[0]?.v ?? 0);
}
