// Many meters (issue 21 item 4): emulated meters in worker threads, each the whole firmware/meter.json on its own
// node with its household from the privacy generator; on the main thread the central system (host/central, its
// real database), the data concentrator of each feeder (host/dc) between it and the meters, and the three market
// evaluators' inboxes. Virtual time advances in chunks (default one half hour) on all workers at once; between
// chunks the main thread routes what the meters sent, stores readings, checks the feeders, and sends commands.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { InputError } from '../../toolchain/common/errors.ts';
import { openDatabase } from '../central/open.ts';
import { queueCommand } from '../central/queue.ts';
import { SHARE_KEY_PEER, type CommandArgs } from '../central/messages.ts';
import { CentralSystem, type DispatchResult } from '../central/service.ts';
import { CentralStore } from '../central/store.ts';
import { DataConcentrator, type ConcentratorOptions } from '../dc/concentrator.ts';
import { Evaluator } from './evaluators.ts';
import { cryptoClock, WorkerLink } from './link.ts';
import { WorkerPool } from './pool.ts';
import type { Deployed, Frame, MeterSpec, Progress, Truth } from './protocol.ts';
import { seededRandom } from './random.ts';

/** 2009-08-01T00:00Z: the households' month starts here (host/meter/household.ts). */
export const AUGUST_2009 = Date.UTC(2009, 7, 1) / 1000;

export interface FleetOptions {
  meters: number;
  /** Meters per feeder (one DC-security group each; firmware/dc MAX_GROUP 16). */
  feederSize: number;
  /** The central system's database: a SQLite file or a postgres:// URL (host/central/open.ts). */
  db?: string;
  descriptor?: string;
  workers?: number;
  /** Seed of the deployments' keys and of the pairwise and share keys (reproducible runs); fresh randomness without. */
  seed?: number;
  /** Seed of the households (the privacy generator); meter i gets household i. */
  householdSeed?: number;
  /** Bypass fraction by meter id (theft). */
  bypass?: Record<string, number>;
  /** Meters whose HAN bytes come to the main thread (`onHan`): an in-home display there. */
  han?: { meters: string[]; onHan: (meter: string, bytes: Uint8Array) => void };
  /** The meters' clock, set by the central system first (CMD_TIME, Unix s); default 2009-08-01T00:00Z, the start
   *  of the households' month (host/meter/household.ts: August 2009), so readings carry the study's dates. */
  clock?: number;
  /** The chapter 5 countermeasures the central system configures (firmware/cs): on every meter, or on `meters`. */
  privacy?: { round_wh: number; omit_per_1024: number; pseudonym_halfhours: number; meters?: string[] };
  concentrator?: ConcentratorOptions;
  /** Progress (a bar on a terminal); called often. */
  progress?: (p: { deployed: number; meters: number; simulated: number; total: number }) => void;
}

export interface FleetTimes {
  deploy_s: number;
  commands_s: number;
  /** Wall time the workers spent emulating (the slowest worker of each chunk, summed). */
  emulation_s: number;
  /** Main thread: sealing and opening events (SpongeWrap on the host). */
  crypto_s: number;
  /** Main thread: the central system's database work (storing readings, counters, commands). */
  database_s: number;
  wall_s: number;
  /**
   * CPU seconds of the whole process (every thread) in each phase. The phases do not overlap — the main thread waits
   * while the workers deploy or emulate, the workers idle while the main thread stores — so each is that part's own
   * CPU time, which the other processes on a shared machine do not stretch as they stretch the wall times above.
   * `database` is the main thread's storing (readings, queued commands, attaching) and includes its crypto.
   */
  cpu: { deploy_s: number; commands_s: number; emulation_s: number; database_s: number };
}

/** CPU seconds of this process (all threads) since `c0`. */
function cpuSince(c0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1e6;
}

export class Fleet {
  readonly central: CentralSystem;
  readonly dc: DataConcentrator;
  readonly evaluators = [new Evaluator(1), new Evaluator(2), new Evaluator(3)] as const;
  readonly links = new Map<string, WorkerLink>();
  readonly feeders = new Map<string, string[]>();
  readonly deployed: Deployed[] = [];
  readonly times: FleetTimes = { deploy_s: 0, commands_s: 0, emulation_s: 0, crypto_s: 0, database_s: 0, wall_s: 0, cpu: { deploy_s: 0, commands_s: 0, emulation_s: 0, database_s: 0 } };
  /** Simulated seconds run so far (every meter). */
  simulated = 0;
  /** Relay state of each meter after the last chunk (closed = supplied). */
  readonly relay = new Map<string, boolean>();
  private readonly where = new Map<string, number>();
  private readonly truth = new Map<string, { wh: number; meters: number }>();
  private readonly started = performance.now();
  private progressState = { deployed: 0, simulated: 0 };
  /** The meters' clock at the start of the households' first half hour (Unix s). */
  readonly clock: number;
  private total = 0;

  private constructor(
    readonly options: FleetOptions,
    readonly store: CentralStore,
    private readonly pool: WorkerPool,
  ) {
    this.central = new CentralSystem(store, (m) => options.progress && process.stderr.write(`central: ${m}\n`));
    this.dc = new DataConcentrator(options.concentrator);
    this.clock = options.clock ?? AUGUST_2009;
  }

  static async start(o: FleetOptions): Promise<Fleet> {
    if (!Number.isInteger(o.meters) || o.meters < 2) throw new InputError(`--meters: at least 2 (a feeder group has 2…16 meters), got ${o.meters}`);
    if (!Number.isInteger(o.feederSize) || o.feederSize < 2 || o.feederSize > 16) throw new InputError(`--feeder-size: 2…16 meters (firmware/dc MAX_GROUP), got ${o.feederSize}`);
    const db = await openDatabase(o.db);
    const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.meters));
    let fleet: Fleet | undefined;
    const pool = new WorkerPool(workers, (p: Progress) => fleet?.onProgress(p));
    fleet = new Fleet(o, new CentralStore(db), pool);
    try {
      await fleet.deploy();
      await fleet.keyFeeders();
      return fleet;
    } catch (e) {
      await fleet.close();
      throw e;
    }
  }

  private onProgress(p: Progress): void {
    this.progressState.deployed += p.deployed ?? 0;
    this.progressState.simulated += p.simulated;
    this.options.progress?.({ deployed: this.progressState.deployed, meters: this.options.meters, simulated: this.progressState.simulated, total: this.total });
  }

  /** Meter ids and feeders: m0001… in feeders f001… of feederSize meters (the last group takes the remainder when it is at least 2). */
  private specs(): { spec: MeterSpec; feeder: string; index: number; group: number }[] {
    const n = this.options.meters;
    const size = this.options.feederSize;
    const groups: number[] = [];
    for (let left = n; left > 0; ) {
      const g = left - size === 1 ? size - 1 : Math.min(size, left); // never a group of one
      groups.push(g);
      left -= g;
    }
    const out: { spec: MeterSpec; feeder: string; index: number; group: number }[] = [];
    let i = 0;
    groups.forEach((g, f) => {
      for (let k = 0; k < g; k++, i++) {
        const id = `m${String(i + 1).padStart(4, '0')}`;
        out.push({ spec: { id, household: i, seed: this.options.householdSeed ?? 1, bypass: this.options.bypass?.[id] ?? 0, han: this.options.han?.meters.includes(id) }, feeder: `f${String(f + 1).padStart(3, '0')}`, index: k, group: g });
      }
    });
    return out;
  }

  private async deploy(): Promise<void> {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const all = this.specs();
    const w = this.pool.size;
    const parts = Array.from({ length: w }, (_, k) => all.filter((_, i) => i % w === k));
    const descriptor = this.options.descriptor ?? 'firmware/meter.json';
    const replies = await Promise.all(parts.map((p, k) => this.pool.ask(k, { op: 'deploy', descriptor, meters: p.map((x) => x.spec), seed: this.options.seed })));
    this.times.deploy_s = (performance.now() - t) / 1000;
    this.times.cpu.deploy_s += cpuSince(cpu0);
    const tdb = performance.now();
    const cpu1 = process.cpuUsage();
    const c0 = cryptoClock.ms;
    for (const [k, r] of replies.entries()) {
      for (const d of r.meters) {
        const s = all.find((x) => x.spec.id === d.meter)!;
        this.where.set(d.meter, k);
        this.deployed.push(d);
        const link = new WorkerLink(d.meter, d.ends, (conn, sealed) => this.dc.down(sealed, (b) => this.carry(d.meter, conn, b)));
        this.links.set(d.meter, link);
        await this.central.attach(link, { feeder: s.feeder, deployment: { descriptor, worker: k, household: s.spec.household, household_seed: s.spec.seed }, attested: d.attested });
        const dcEnd = d.ends.find((e) => e.direction === 'from-node' && e.name === 'dc');
        if (!dcEnd) throw new InputError(`${descriptor}: the meter has no connection to wan.dc (the data concentrator's masked readings)`);
        this.dc.register(d.meter, s.feeder, s.index, s.group, dcEnd);
        for (const e of this.evaluators) e.register(d.meter, d.ends);
        if (!this.feeders.has(s.feeder)) this.feeders.set(s.feeder, []);
        this.feeders.get(s.feeder)![s.index] = d.meter;
      }
    }
    this.times.database_s += (performance.now() - tdb - (cryptoClock.ms - c0)) / 1000;
    this.times.cpu.database_s += cpuSince(cpu1);
  }

  /** The central system keys each feeder group's DC security (one pairwise key per pair, both ends) and each meter's share key, and sets the privacy countermeasures. */
  private async keyFeeders(): Promise<void> {
    const random = this.options.seed === undefined ? (n: number) => new Uint8Array(randomBytes(n)) : seededRandom(`${this.options.seed}/dc-keys`);
    const key = () => Buffer.from(random(16)).toString('hex');
    for (const m of this.links.keys()) await this.queue(m, 'time', { t: this.clock });
    for (const members of this.feeders.values()) {
      const n = members.length;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const k = key();
          await this.queue(members[i]!, 'dc-key', { index: i, group: n, peer: j, key: k });
          await this.queue(members[j]!, 'dc-key', { index: j, group: n, peer: i, key: k });
        }
        await this.queue(members[i]!, 'dc-key', { index: i, group: n, peer: SHARE_KEY_PEER, key: key() });
        const p = this.options.privacy;
        if (p && (!p.meters || p.meters.includes(members[i]!))) await this.queue(members[i]!, 'privacy', { round_wh: p.round_wh, omit_per_1024: p.omit_per_1024, pseudonym_halfhours: p.pseudonym_halfhours, key: key() });
      }
    }
    await this.dispatch();
  }

  async queue(meter: string, kind: string, args: CommandArgs = {}): Promise<number> {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const c = await queueCommand(this.store, meter, kind, args);
    this.times.database_s += (performance.now() - t) / 1000;
    this.times.cpu.database_s += cpuSince(cpu0);
    return c.id;
  }

  /** Sends every queued command (the central system's dispatch: counters reserved durably, then carried). */
  async dispatch(): Promise<DispatchResult[]> {
    const t = performance.now();
    const c0 = cryptoClock.ms;
    const cpu0 = process.cpuUsage();
    const r = await this.central.dispatch();
    this.times.cpu.commands_s += cpuSince(cpu0);
    const bad = r.filter((x) => x.status !== 'delivered');
    if (bad.length) throw new InputError(`${bad.length} of ${r.length} commands not delivered: ${bad.slice(0, 3).map((x) => `${x.command} ${x.status} ${x.outcome}`).join('; ')}`);
    await this.collect();
    this.times.commands_s += (performance.now() - t) / 1000;
    this.times.crypto_s += (cryptoClock.ms - c0) / 1000;
    return r;
  }

  private async carry(meter: string, connection: number, sealed: Uint8Array): Promise<boolean> {
    const r = await this.pool.ask(this.where.get(meter)!, { op: 'send', meter, connection, sealed });
    this.route(r.frames);
    return r.accepted;
  }

  /** Everything the meters sent goes through the concentrator: its own masked readings stay there, the evaluators'
   *  shares go to them, the rest to the central system's links. */
  private route(frames: Frame[]): void {
    for (const f of frames) {
      if (!this.dc.up(f.meter, f.connection, f.sealed)) continue;
      if (this.evaluators.some((e) => e.take(f.meter, f.connection, f.sealed))) continue;
      this.links.get(f.meter)?.inbox.push({ connection: f.connection, sealed: f.sealed });
    }
  }

  private async collect(): Promise<void> {
    const t = performance.now();
    const c0 = cryptoClock.ms;
    const cpu0 = process.cpuUsage();
    await this.central.collect();
    this.times.cpu.database_s += cpuSince(cpu0);
    this.times.database_s += (performance.now() - t - (cryptoClock.ms - c0)) / 1000;
  }

  /** The transformer's meter per feeder: the households' true half-hour energies, summed once all are in. */
  private transformer(truth: Truth[]): void {
    const feederOf = new Map<string, string>();
    for (const [f, ms] of this.feeders) for (const m of ms) feederOf.set(m, f);
    for (const x of truth) {
      const feeder = feederOf.get(x.meter)!;
      const k = `${feeder}\u0000${x.slot}`;
      const s = this.truth.get(k) ?? { wh: 0, meters: 0 };
      s.wh += x.wh;
      s.meters++;
      this.truth.set(k, s);
      if (s.meters === this.feeders.get(feeder)!.length) this.dc.transformerReading(feeder, this.clock + x.slot * 1800, Math.round(s.wh));
    }
  }

  /** Runs every meter `seconds` further in virtual time, in chunks, routing and storing after each chunk. */
  async run(seconds: number, chunk = 1800): Promise<void> {
    this.total = this.simulated + seconds;
    this.progressState.simulated = this.simulated * this.options.meters;
    this.total *= this.options.meters;
    for (let done = 0; done < seconds; ) {
      const s = Math.min(chunk, seconds - done);
      const cpu0 = process.cpuUsage();
      const replies = await Promise.all(Array.from({ length: this.pool.size }, (_, k) => this.pool.ask(k, { op: 'run', seconds: s })));
      this.times.emulation_s += Math.max(...replies.map((r) => r.emulation_ms)) / 1000;
      this.times.cpu.emulation_s += cpuSince(cpu0);
      const c0 = cryptoClock.ms;
      const d0 = this.dc.cryptoMs;
      for (const r of replies) {
        this.route(r.frames);
        this.transformer(r.truth);
        for (const x of r.relay) this.relay.set(x.meter, x.closed);
        for (const h of r.han) if (h.bytes.length) this.options.han?.onHan(h.meter, h.bytes);
      }
      await this.collect();
      this.times.crypto_s += (cryptoClock.ms - c0 + this.dc.cryptoMs - d0) / 1000;
      done += s;
      this.simulated += s;
    }
    this.times.wall_s = (performance.now() - this.started) / 1000;
  }

  async pressButton(meter: string): Promise<void> {
    await this.pool.ask(this.where.get(meter)!, { op: 'press-button', meter });
  }

  async close(): Promise<void> {
    await this.central.close().catch(() => undefined);
    await this.pool.close();
    await this.store.db.close();
  }
}
