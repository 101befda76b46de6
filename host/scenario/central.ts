// A scenario with the central system in the loop (`central:` in the file, or `--db`): the meter is attached to a
// real `CentralSystem` (host/central) over a database — a throwaway SQLite file by default — so every genuine
// command the scenario sends is queued, sealed under a counter reserved durably in the database and dispatched, and
// what the meter sends back is stored; `expect-row` then looks for rows in the head end's tables (issue 21 item 6:
// "expect … a database row"). The link is the driver's own connection to CS security (`MeterDriver.carry`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../../toolchain/common/errors.ts';
import type { MeterLink, Received } from '../central/link.ts';
import type { CommandArgs } from '../central/messages.ts';
import { openDatabase } from '../central/open.ts';
import { queueCommand } from '../central/queue.ts';
import { CentralSystem } from '../central/service.ts';
import type { Database } from '../central/sql.ts';
import { CentralStore, fingerprint } from '../central/store.ts';
import { sealEvent } from '../deploy/protocol.ts';
import type { MeterDriver } from '../meter/driver.ts';
import type { RowTable } from './parse.ts';

/** The scenario's meter in the head end's tables. */
export const SCENARIO_METER = 'meter';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** MeterLink over a scenario's driver: seals under the command key, carries through the driver, drains what it opened. */
class DriverLink implements MeterLink {
  readonly meter = SCENARIO_METER;
  readonly identity: string;
  readonly keyHex: string;
  readonly firstCounter: number;
  readonly maxCounter = 0xffff;
  readonly rejected = 0;
  /** Sealed bytes → the counter value they were sealed under (send needs it to move the driver's counter). */
  private readonly values = new Map<string, number>();

  constructor(private readonly driver: MeterDriver) {
    const end = driver.commandEnd;
    this.keyHex = hex(end.key);
    this.firstCounter = end.counter;
    this.identity = `${this.meter}/sancus-connection-${end.id}/${fingerprint(this.keyHex)}`;
  }

  seal(value: number, plaintext: Uint8Array): Uint8Array {
    const p = plaintext.length % 2 ? Uint8Array.from([...plaintext, 0]) : plaintext;
    const sealed = sealEvent(this.driver.commandEnd.key, value, p);
    this.values.set(hex(sealed), value);
    return sealed;
  }

  send(sealed: Uint8Array): Promise<boolean> {
    return this.driver.carry(sealed, this.values.get(hex(sealed)));
  }

  async receive(): Promise<Received[]> {
    return this.driver.received.splice(0, this.driver.received.length);
  }

  async close(): Promise<void> {}
}

export class ScenarioCentral {
  private constructor(
    readonly db: Database,
    readonly store: CentralStore,
    readonly system: CentralSystem,
    private readonly tempDir: string | undefined,
  ) {}

  /** Opens (and migrates) the database — `spec` as `hasm central --db` takes it, else a temporary SQLite file — and
   *  attaches the driver's meter; from then on the driver's genuine commands go through the central system. */
  static async attach(driver: MeterDriver, spec?: string): Promise<ScenarioCentral> {
    const tempDir = spec === undefined ? mkdtempSync(join(tmpdir(), 'hasm-scenario-central-')) : undefined;
    const db = await openDatabase(spec ?? join(tempDir!, 'central.sqlite'));
    const store = new CentralStore(db);
    const problems: string[] = [];
    const system = new CentralSystem(store, (m) => problems.push(m));
    const c = new ScenarioCentral(db, store, system, tempDir);
    try {
      await system.attach(new DriverLink(driver), { attested: driver.report.modules.every((m) => m.attestation.ok) });
    } catch (e) {
      await c.close();
      throw e;
    }
    driver.sender = async (kind: string, args: CommandArgs) => {
      const row = await queueCommand(store, SCENARIO_METER, kind, args);
      const done = (await system.dispatch()).find((r) => r.command === row.id);
      await system.collect();
      if (!done) throw new OperationError(`central system: command ${row.id} (${kind}) was not dispatched${problems.length ? `: ${problems.join('; ')}` : ''}`);
      if (done.status === 'failed') throw new OperationError(`central system: command ${row.id} (${kind}) failed: ${done.outcome}`);
      return done.status === 'delivered';
    };
    return c;
  }

  /** The scenario meter's rows of one table, after storing what the meter sent since the last look. */
  async rows(table: RowTable): Promise<Record<string, unknown>[]> {
    await this.system.collect();
    if (table === 'readings') return (await this.store.readings(SCENARIO_METER)) as unknown as Record<string, unknown>[];
    if (table === 'logs') return (await this.store.logs(SCENARIO_METER, 10_000)) as unknown as Record<string, unknown>[];
    return (await this.store.commands({ meter: SCENARIO_METER })) as unknown as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    await this.system.close();
    await this.db.close();
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
