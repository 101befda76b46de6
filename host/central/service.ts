// The head end's work loop (seed §4.3 "central system"): commands the operator queued (CLI or HTTP API, into the
// database) go out to attached meters one at a time per meter, each under an invocation counter reserved durably
// first (store.reserve); what the meters send back — half-hourly readings, register replies, log entries — is
// stored. After a crash, a command left 'sent' is sent again byte for byte, never re-sealed under a new value.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { OperationError } from '../../toolchain/common/errors.ts';
import type { MeterLink } from './link.ts';
import { decodeUplink, privacySettings, type Uplink } from './messages.ts';
import { StorageError, type Sql } from './sql.ts';
import type { CentralStore, CommandRow, Reservation } from './store.ts';

export interface DispatchResult {
  command: number;
  status: 'delivered' | 'refused' | 'failed';
  counter?: number;
  outcome: string;
}

export class CentralSystem {
  private readonly links = new Map<string, MeterLink>();
  /** The last command per meter whose answer (a register reply, a log entry) is still awaited. */
  private readonly awaiting = new Map<string, number>();

  /** This process, as its meter leases name it. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly leaseMs: number;

  /**
   * `report` hears what goes wrong with one meter while the others carry on (serve logs it). `leaseMs`: how long a
   * meter stays this process's without a renewal (every dispatch round renews it); after a crash another process
   * may attach the meter once it lapses.
   */
  constructor(readonly store: CentralStore, private readonly report: (message: string) => void = () => undefined, options: { leaseMs?: number } = {}) {
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  private async lease(meter: string): Promise<void> {
    const l = await this.store.claimLease(meter, this.holder, this.leaseMs);
    if (!l.ok) throw new OperationError(`meter ${meter} is attached to another central system process (${l.holder}, lease until ${new Date(l.expires_at).toISOString()})`, { meter, holder: l.holder });
  }

  /**
   * Attaches a meter's link: the meter is registered (or its deployment updated), its command key stored, its
   * counter created at the first value the link reports, and a command left unconfirmed by a crash resolved.
   */
  async attach(link: MeterLink, meter: { feeder?: string; deployment?: Record<string, unknown>; attested?: boolean } = {}): Promise<DispatchResult[]> {
    await this.store.addMeter({ id: link.meter, feeder: meter.feeder, deployment: meter.deployment });
    await this.lease(link.meter);
    if (meter.attested) await this.store.markAttested(link.meter);
    await this.store.setKey(link.meter, 'cs-command', link.keyHex);
    await this.store.ensureCounter(link.identity, link.meter, link.maxCounter, link.firstCounter);
    this.links.set(link.meter, link);
    return this.recover(link);
  }

  linked(meter: string): boolean {
    return this.links.has(meter);
  }

  /** Commands left 'sent' (reserved, maybe carried, outcome unknown — a crash, a broken link): the recorded bytes again. */
  private async recover(link: MeterLink): Promise<DispatchResult[]> {
    const results: DispatchResult[] = [];
    for (const c of await this.store.commands({ meter: link.meter, status: 'sent' })) {
      if (c.identity !== link.identity || c.counter === null) {
        await this.store.setOutcome(c.id, 'failed', `sent under ${c.identity ?? 'no key'}, which the meter no longer holds (re-keyed): outcome unknown, not repeated`);
        results.push({ command: c.id, status: 'failed', outcome: 'key changed' });
        continue;
      }
      const sealed = await this.store.counterUse(c.identity, c.counter);
      if (!sealed) throw new OperationError(`command ${c.id}: counter ${c.counter} of ${c.identity} has no recorded bytes`);
      const accepted = await link.send(sealed);
      // The meter takes only the next counter value and nobody else seals under this key, so a genuine event
      // refused now was taken before the crash.
      const outcome = accepted ? `accepted (counter ${c.counter}, carried again after a crash or a broken link)` : `accepted earlier (counter ${c.counter}: the identical retransmission was refused as a replay)`;
      await this.store.setOutcome(c.id, 'delivered', outcome);
      if (c.kind === 'privacy') await this.store.setPrivacy(c.meter_id, privacySettings(c.args), c.id, 'delivered');
      results.push({ command: c.id, status: 'delivered', counter: c.counter, outcome });
    }
    return results;
  }

  /**
   * Sends every queued command of the attached meters, oldest first. A command whose bytes could not be carried
   * (the link broke) stays 'sent' and is carried again, byte for byte, before anything newer goes to that meter —
   * the meter takes only the next counter value, so nothing newer could pass before it anyway. One meter's broken
   * link holds back only that meter's commands.
   *
   * In rounds (issue 21 item 4: a fleet's thousands of commands each waited for the disk two or three times): a
   * round takes the oldest queued command of every attached meter, reserves all their counters in one durable
   * transaction, carries them to their meters together, then records the outcomes in one transaction. The counter
   * rule holds for each command as before — its value and sealed bytes are on disk before the bytes leave, and a
   * crash after leaves it 'sent' for recover() to carry exactly those bytes again; each meter still gets its
   * commands one at a time, in order (a round holds one per meter, and each meter's identity is its own).
   */
  async dispatch(): Promise<DispatchResult[]> {
    const out: DispatchResult[] = [];
    const broken = new Set<string>();
    for (const link of this.links.values()) {
      try {
        await this.lease(link.meter);
        out.push(...(await this.recover(link)));
      } catch (e) {
        broken.add(link.meter);
        this.report(`meter ${link.meter}: ${(e as Error).message}; its commands wait for the link`);
      }
    }
    for (;;) {
      const round = new Map<string, CommandRow>();
      for (const c of await this.store.commands({ status: 'queued', limit: 1_000_000 })) {
        if (this.links.has(c.meter_id) && !broken.has(c.meter_id) && !round.has(c.meter_id)) round.set(c.meter_id, c);
      }
      if (!round.size) break;
      out.push(...(await this.sendRound([...round.values()], broken)));
    }
    return out;
  }

  /** One command per meter: reserve all (one commit), carry all, record all outcomes (one commit). */
  private async sendRound(commands: CommandRow[], broken: Set<string>): Promise<DispatchResult[]> {
    const results: DispatchResult[] = [];
    const reserved: { c: CommandRow; link: MeterLink; r: Reservation }[] = [];
    await this.store.db.transaction(async (tx) => {
      for (const c of commands) {
        const link = this.links.get(c.meter_id)!;
        const plain = Uint8Array.from(Buffer.from(c.payload_hex, 'hex'));
        try {
          reserved.push({ c, link, r: await this.store.reserveIn(tx, link.identity, c.id, (v) => link.seal(v, plain)) });
        } catch (e) {
          // reserveIn throws before it writes (no counter, used up, sealing failed): this command fails, the round goes on.
          if (e instanceof StorageError) throw e;
          await this.store.setOutcome(c.id, 'failed', (e as Error).message, tx);
          results.push({ command: c.id, status: 'failed', outcome: (e as Error).message });
        }
      }
    });
    const carried = await Promise.all(reserved.map(async (x) => {
      try {
        return { ...x, accepted: await x.link.send(x.r.sealed) };
      } catch (e) {
        // The bytes may or may not have reached the meter: it stays 'sent', so a restart sends exactly them again.
        broken.add(x.c.meter_id);
        this.report(`command ${x.c.id} to ${x.c.meter_id}: ${(e as Error).message}; the command stays sent and is carried again, byte for byte`);
        return undefined;
      }
    }));
    const done = carried.filter((x) => x !== undefined);
    if (done.length) await this.store.db.transaction(async (tx) => {
      for (const { c, r, accepted } of done) {
        const status = accepted ? 'delivered' : 'refused';
        const outcome = accepted ? `accepted by the meter (counter ${r.value})` : `refused by the meter (counter ${r.value})`;
        await this.store.setOutcome(c.id, status, outcome, tx);
        if (c.kind === 'privacy') await this.store.setPrivacy(c.meter_id, privacySettings(c.args), c.id, status, tx);
        results.push({ command: c.id, status, counter: r.value, outcome });
      }
    });
    for (const { c, accepted } of done) if (accepted && (c.kind === 'read' || c.kind === 'log-read')) this.awaiting.set(c.meter_id, c.id);
    return results.sort((x, y) => x.command - y.command);
  }

  /**
   * Collects what the meters sent and stores it, in one transaction: one commit (one wait for the disk) for every
   * reading, log entry and answer that arrived since the last collection, not one each (issue 21 item 4: a fleet's
   * readings cost an fsync apiece). Nothing is lost to a crash that one statement each would have kept: an uplink is
   * held only in this process (opened under the session's inbound counter, which is not persisted either) until the
   * commit, and this returns only after it — what a caller has seen returned is on disk (test/central/kill.test.ts).
   */
  async collect(): Promise<{ meter: string; uplink: Uplink }[]> {
    const got: { meter: string; uplink: Uplink }[] = [];
    for (const [meter, link] of this.links) {
      for (const r of await link.receive()) got.push({ meter, uplink: decodeUplink(r.plaintext) });
    }
    if (got.length) await this.store.db.transaction(async (tx) => {
      for (const x of got) await this.store1(tx, x.meter, x.uplink);
    });
    return got;
  }

  private async store1(tx: Sql, meter: string, u: Uplink): Promise<void> {
    if (u.type === 'reading') {
      await this.store.addReading(meter, { t: u.t, wh: u.wh, tariff: u.tariff, pseudonym: u.pseudonym }, tx);
    } else if (u.type === 'log') {
      if (u.found) await this.store.addLog({ meter_id: meter, log: u.log, kind: u.kind, result: u.result, aux: u.aux, value: u.value, t: u.time }, tx);
      await this.answer(tx, meter, u);
    } else if (u.type === 'event') {
      await this.store.addLog({ meter_id: meter, log: 'security', kind: u.kind, result: u.result, aux: u.aux, value: u.value, t: null }, tx);
    } else if (u.type === 'registers') {
      await this.answer(tx, meter, u);
    } else {
      await this.store.addLog({ meter_id: meter, log: 'unknown', kind: 0, result: 0, aux: 0, value: 0, t: null }, tx);
    }
  }

  private async answer(tx: Sql, meter: string, u: Uplink): Promise<void> {
    const id = this.awaiting.get(meter);
    if (id === undefined) return;
    this.awaiting.delete(meter);
    await this.store.setOutcome(id, 'delivered', JSON.stringify(u), tx);
  }

  async close(): Promise<void> {
    for (const l of this.links.values()) {
      await l.close();
      await this.store.releaseLease(l.meter, this.holder).catch(() => undefined);
    }
    this.links.clear();
  }
}
