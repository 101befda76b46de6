// The central system's durable state (ARCHITECTURE.md "Host": keys, invocation counters, readings, logs, commands)
// over either backend (sql.ts). Every method is one statement or one transaction; nothing is cached in memory, so
// several processes (the service, `hasm central meters|readings|command`) share one database.
import { createHash } from 'node:crypto';
import { OperationError } from '../../toolchain/common/errors.ts';
import { num, optNum, type Database, type Sql } from './sql.ts';

export interface Meter {
  id: string;
  system_title: string | null;
  feeder: string | null;
  deployment: Record<string, unknown>;
  attested_at: string | null;
  created_at: string;
}

export interface Reading {
  t: number;
  wh: number;
  tariff: number;
  pseudonym: number;
}

export interface LogEntry {
  id?: number;
  meter_id: string;
  log: string;
  kind: number;
  result: number;
  aux: number;
  value: number;
  t: number | null;
  received_at?: string;
}

export type CommandStatus = 'queued' | 'sent' | 'delivered' | 'refused' | 'failed';

export interface CommandRow {
  id: number;
  meter_id: string;
  kind: string;
  args: Record<string, unknown>;
  payload_hex: string;
  status: CommandStatus;
  identity: string | null;
  counter: number | null;
  outcome: string | null;
  created_at: string;
  sent_at: string | null;
  outcome_at: string | null;
}

export interface PrivacySettings {
  round_wh: number;
  omit_per_1024: number;
  pseudonym_halfhours: number;
  key_hex: string;
}

/** A reserved invocation counter: the value and the bytes sealed under it (already durable when returned). */
export interface Reservation {
  identity: string;
  value: number;
  sealed: Uint8Array;
}

export class UnknownMeterError extends OperationError {
  override name = 'UnknownMeterError';
  constructor(readonly meter: string) {
    super(`no meter '${meter}' in the central system`, { meter });
  }
}

/** The counter's values are used up: the key must change before anything else is sent under it. */
export class CounterExhaustedError extends OperationError {
  override name = 'CounterExhaustedError';
  constructor(readonly identity: string, readonly max: number) {
    super(`invocation counter of ${identity} reached its last value ${max}: a new key must be installed first`, { identity, max });
  }
}

const now = () => new Date().toISOString();
export const fingerprint = (keyHex: string) => createHash('sha256').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 16);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function commandRow(r: Record<string, unknown>): CommandRow {
  return {
    id: num(r.id),
    meter_id: String(r.meter_id),
    kind: String(r.kind),
    args: JSON.parse(String(r.args)) as Record<string, unknown>,
    payload_hex: String(r.payload_hex),
    status: r.status as CommandStatus,
    identity: (r.identity as string | null) ?? null,
    counter: optNum(r.counter, 'counter'),
    outcome: (r.outcome as string | null) ?? null,
    created_at: String(r.created_at),
    sent_at: (r.sent_at as string | null) ?? null,
    outcome_at: (r.outcome_at as string | null) ?? null,
  };
}

export class CentralStore {
  constructor(readonly db: Database) {}

  // --- meters and keys
  async addMeter(m: { id: string; system_title?: string | null; feeder?: string | null; deployment?: Record<string, unknown> }): Promise<Meter> {
    const at = now();
    // Re-registering a meter (a new deployment) keeps its history and updates where it is deployed.
    const changed = await this.db.run('UPDATE meters SET system_title = ?, feeder = ?, deployment = ? WHERE id = ?', [m.system_title ?? null, m.feeder ?? null, JSON.stringify(m.deployment ?? {}), m.id]);
    if (!changed) await this.db.run('INSERT INTO meters (id, system_title, feeder, deployment, created_at) VALUES (?, ?, ?, ?, ?)', [m.id, m.system_title ?? null, m.feeder ?? null, JSON.stringify(m.deployment ?? {}), at]);
    return (await this.meter(m.id))!;
  }

  async meter(id: string): Promise<Meter | undefined> {
    const [r] = await this.db.all('SELECT * FROM meters WHERE id = ?', [id]);
    return r ? this.meterRow(r) : undefined;
  }

  async requireMeter(id: string): Promise<Meter> {
    const m = await this.meter(id);
    if (!m) throw new UnknownMeterError(id);
    return m;
  }

  async meters(): Promise<Meter[]> {
    return (await this.db.all('SELECT * FROM meters ORDER BY id')).map((r) => this.meterRow(r));
  }

  private meterRow(r: Record<string, unknown>): Meter {
    return {
      id: String(r.id),
      system_title: (r.system_title as string | null) ?? null,
      feeder: (r.feeder as string | null) ?? null,
      deployment: JSON.parse(String(r.deployment)) as Record<string, unknown>,
      attested_at: (r.attested_at as string | null) ?? null,
      created_at: String(r.created_at),
    };
  }

  async markAttested(id: string, at = now()): Promise<void> {
    await this.db.run('UPDATE meters SET attested_at = ? WHERE id = ?', [at, id]);
  }

  /** Installs a key for a purpose; the previous ones of that purpose stay on record, inactive. Returns its fingerprint. */
  async setKey(meter: string, purpose: string, keyHex: string): Promise<string> {
    const fp = fingerprint(keyHex);
    await this.db.transaction(async (tx) => {
      await tx.run('UPDATE meter_keys SET active = 0 WHERE meter_id = ? AND purpose = ?', [meter, purpose]);
      const n = await tx.run('UPDATE meter_keys SET active = 1 WHERE meter_id = ? AND purpose = ? AND fingerprint = ?', [meter, purpose, fp]);
      if (!n) await tx.run('INSERT INTO meter_keys (meter_id, purpose, fingerprint, key_hex, active, created_at) VALUES (?, ?, ?, ?, 1, ?)', [meter, purpose, fp, keyHex, now()]);
    });
    return fp;
  }

  async activeKey(meter: string, purpose: string): Promise<{ key_hex: string; fingerprint: string } | undefined> {
    const [r] = await this.db.all<{ key_hex: string; fingerprint: string }>('SELECT key_hex, fingerprint FROM meter_keys WHERE meter_id = ? AND purpose = ? AND active = 1', [meter, purpose]);
    return r;
  }

  // --- invocation counters (the rule of ARCHITECTURE.md: persisted before use)
  /** Creates the counter of an identity at `first` unless it exists; returns its next value. */
  async ensureCounter(identity: string, meter: string, max: number, first = 0): Promise<number> {
    await this.db.run('INSERT INTO counters (identity, meter_id, next_value, max_value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity) DO NOTHING', [identity, meter, first, max, now()]);
    const [r] = await this.db.all('SELECT next_value FROM counters WHERE identity = ?', [identity]);
    return num(r!.next_value);
  }

  async nextCounter(identity: string): Promise<number | undefined> {
    const [r] = await this.db.all('SELECT next_value FROM counters WHERE identity = ?', [identity]);
    return r ? num(r.next_value) : undefined;
  }

  /**
   * Reserve-then-use: in one durable transaction, takes the identity's next counter value, seals `seal(value)`,
   * records the sealed bytes under that value and marks the command sent. Only after this returns may the bytes
   * leave the process; a crash afterwards leaves a record from which exactly these bytes are sent again, and a
   * crash before leaves the value unused and untaken. No value is ever handed out twice.
   */
  async reserve(identity: string, commandId: number | null, seal: (value: number) => Uint8Array): Promise<Reservation> {
    return this.db.transaction((tx) => this.reserveIn(tx, identity, commandId, seal));
  }

  /** reserve's work inside the caller's transaction (several identities' reservations under one commit: a dispatch
   *  round, service.ts). It throws before it writes anything (no counter, used up, a failing seal). */
  async reserveIn(tx: Sql, identity: string, commandId: number | null, seal: (value: number) => Uint8Array): Promise<Reservation> {
    const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const [c] = await tx.all(`SELECT next_value, max_value FROM counters WHERE identity = ?${lock}`, [identity]);
    if (!c) throw new OperationError(`no invocation counter for ${identity}`, { identity });
    const value = num(c.next_value, 'counter');
    const max = num(c.max_value, 'counter limit');
    if (value > max) throw new CounterExhaustedError(identity, max);
    const sealed = seal(value);
    const at = now();
    await tx.run('UPDATE counters SET next_value = ?, updated_at = ? WHERE identity = ?', [value + 1, at, identity]);
    await tx.run('INSERT INTO counter_uses (identity, value, command_id, sealed_hex, reserved_at) VALUES (?, ?, ?, ?, ?)', [identity, value, commandId, hex(sealed), at]);
    if (commandId !== null) await tx.run("UPDATE commands SET status = 'sent', identity = ?, counter = ?, sent_at = ? WHERE id = ?", [identity, value, at, commandId]);
    return { identity, value, sealed };
  }

  /** The sealed bytes recorded for a counter value (what to send again after a crash). */
  async counterUse(identity: string, value: number): Promise<Uint8Array | undefined> {
    const [r] = await this.db.all<{ sealed_hex: string }>('SELECT sealed_hex FROM counter_uses WHERE identity = ? AND value = ?', [identity, value]);
    return r ? Uint8Array.from(Buffer.from(r.sealed_hex, 'hex')) : undefined;
  }

  // --- leases (migration 2)
  /** Takes or renews the lease on a meter for `holder` until now + ttl; false (and who holds it) when another has it. */
  async claimLease(meter: string, holder: string, ttlMs: number): Promise<{ ok: true } | { ok: false; holder: string; expires_at: number }> {
    const t = Date.now();
    // One statement, atomic on both backends: insert, or take over a lapsed lease, or renew our own.
    const n = await this.db.run(
      'INSERT INTO meter_leases (meter_id, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (meter_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE meter_leases.expires_at < ? OR meter_leases.holder = ?',
      [meter, holder, t + ttlMs, t, holder],
    );
    if (n > 0) return { ok: true };
    const [r] = await this.db.all('SELECT holder, expires_at FROM meter_leases WHERE meter_id = ?', [meter]);
    return { ok: false, holder: String(r?.holder), expires_at: num(r?.expires_at ?? 0) };
  }

  async releaseLease(meter: string, holder: string): Promise<void> {
    await this.db.run('DELETE FROM meter_leases WHERE meter_id = ? AND holder = ?', [meter, holder]);
  }

  // --- commands
  async queueCommand(meter: string, kind: string, args: Record<string, unknown>, payload: Uint8Array): Promise<CommandRow> {
    await this.requireMeter(meter);
    const at = now();
    const [r] = await this.db.all('INSERT INTO commands (meter_id, kind, args, payload_hex, status, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [meter, kind, JSON.stringify(args), hex(payload), 'queued', at]);
    return (await this.command(num(r!.id)))!;
  }

  async command(id: number): Promise<CommandRow | undefined> {
    const [r] = await this.db.all('SELECT * FROM commands WHERE id = ?', [id]);
    return r ? commandRow(r) : undefined;
  }

  async commands(filter: { meter?: string; status?: CommandStatus; limit?: number } = {}): Promise<CommandRow[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.meter) where.push('meter_id = ?') && params.push(filter.meter);
    if (filter.status) where.push('status = ?') && params.push(filter.status);
    params.push(filter.limit ?? 1000);
    const sql = `SELECT * FROM commands${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`;
    return (await this.db.all(sql, params)).map(commandRow);
  }

  async setOutcome(id: number, status: CommandStatus, outcome: string, tx: Sql = this.db): Promise<void> {
    await tx.run('UPDATE commands SET status = ?, outcome = ?, outcome_at = ? WHERE id = ?', [status, outcome, now(), id]);
  }

  // --- readings and logs
  /** Stores a half-hourly reading; a reading already stored for that half hour is kept (returns false). */
  async addReading(meter: string, r: Reading, tx: Sql = this.db): Promise<boolean> {
    const n = await tx.run('INSERT INTO readings (meter_id, t, wh, tariff, pseudonym, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meter_id, t) DO NOTHING', [meter, r.t, r.wh, r.tariff, r.pseudonym, now()]);
    return n > 0;
  }

  async readings(meter: string, range: { from?: number; to?: number } = {}): Promise<Reading[]> {
    const rows = await this.db.all('SELECT t, wh, tariff, pseudonym FROM readings WHERE meter_id = ? AND t >= ? AND t < ? ORDER BY t', [meter, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER]);
    return rows.map((r) => ({ t: num(r.t), wh: num(r.wh), tariff: num(r.tariff), pseudonym: num(r.pseudonym) }));
  }

  async countReadings(): Promise<number> {
    const [r] = await this.db.all('SELECT COUNT(*) AS n FROM readings');
    return num(r!.n);
  }

  async addLog(e: LogEntry, tx: Sql = this.db): Promise<number> {
    const [r] = await tx.all('INSERT INTO logs (meter_id, log, kind, result, aux, value, t, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id', [e.meter_id, e.log, e.kind, e.result, e.aux, e.value, e.t, now()]);
    return num(r!.id);
  }

  async logs(meter: string, limit = 100): Promise<LogEntry[]> {
    const rows = await this.db.all('SELECT * FROM logs WHERE meter_id = ? ORDER BY id DESC LIMIT ?', [meter, limit]);
    return rows.map((r) => ({ id: num(r.id), meter_id: String(r.meter_id), log: String(r.log), kind: num(r.kind), result: num(r.result), aux: num(r.aux), value: num(r.value), t: optNum(r.t), received_at: String(r.received_at) }));
  }

  // --- privacy countermeasures (seed chapter 5)
  async setPrivacy(meter: string, s: PrivacySettings, commandId: number | null, status: string, tx: Sql = this.db): Promise<void> {
    const at = now();
    const params = [s.round_wh, s.omit_per_1024, s.pseudonym_halfhours, s.key_hex, commandId, status, at];
    const n = await tx.run('UPDATE privacy_settings SET round_wh = ?, omit_per_1024 = ?, pseudonym_halfhours = ?, key_hex = ?, command_id = ?, status = ?, updated_at = ? WHERE meter_id = ?', [...params, meter]);
    if (!n) await tx.run('INSERT INTO privacy_settings (round_wh, omit_per_1024, pseudonym_halfhours, key_hex, command_id, status, updated_at, meter_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [...params, meter]);
  }

  async privacy(meter: string): Promise<(PrivacySettings & { status: string; command_id: number | null; updated_at: string }) | undefined> {
    const [r] = await this.db.all('SELECT * FROM privacy_settings WHERE meter_id = ?', [meter]);
    if (!r) return undefined;
    return { round_wh: num(r.round_wh), omit_per_1024: num(r.omit_per_1024), pseudonym_halfhours: num(r.pseudonym_halfhours), key_hex: String(r.key_hex), status: String(r.status), command_id: optNum(r.command_id), updated_at: String(r.updated_at) };
  }
}
