import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFileDurably } from '../durable.ts';
import { InputError } from '../../../toolchain/common/errors.ts';
import { withFileLock } from './state-identity.ts';

// The server's durable state: its own invocation counter, the last counter seen from each client, key changes
// and the security event log (issue 12). The server's counter is reserved on disk in blocks BEFORE any counter of
// the block is used, so a crash or restart never sends a GCM nonce twice; the file belongs to the identity the
// nonce is made of (state-identity.ts, issue 16), and every write merges with what is on disk under a lock, so two
// servers told to share one identity draw disjoint blocks and never lose each other's client counters.

export interface SecurityEvent {
  time: string;
  kind: 'counter-replay' | 'counter-jump' | 'auth-failure' | 'deciphering-failure' | 'reflection' | 'key-change';
  client: string; // system title (hex) or "sap:N"
  detail: string;
  received?: number;
  last?: number;
}

export interface ServerStateData {
  version: 1;
  /** stateIdentity() of the keys this state belongs to (absent in files of earlier versions). */
  identity?: string;
  /** Every server invocation counter up to this value may have been used; a restart continues above it. */
  serverIcReserved: number;
  /** Last counter accepted from (or, hardened, sent to) each client, by system title hex. */
  clients: Record<string, number>;
  /** Keys replaced by key_transfer, hex, by key name. */
  keys: Record<string, string>;
  events: SecurityEvent[];
}

export interface ServerStateOptions {
  /** Counters reserved per durable write (one fsync per block, not per nonce). */
  reserveStep?: number;
  /** Delay of lazy writes (counters inside associations, counters of HLS establishment). */
  lazyMs?: number;
  /** The identity this state must belong to; a file of another identity is refused. */
  identity?: string;
  /** A fresh state starts its reservation above this (counters used by earlier, per-port state files). */
  floor?: number;
}

const MAX_EVENTS = 500;

export class ServerState {
  data: ServerStateData;
  private serverIc: number;
  private readonly reserveStep: number;
  private readonly lazyMs: number;
  /** Events recorded since the last write, appended to the file's on the next merge. */
  private unsavedEvents: SecurityEvent[] = [];
  private changedKeys: Record<string, string> = {};

  /** `file` undefined: in memory only (tests of everything but persistence). */
  constructor(
    readonly file: string | undefined,
    opts: ServerStateOptions | number = {},
    lazyMs?: number,
  ) {
    const o = typeof opts === 'number' ? { reserveStep: opts, lazyMs } : opts;
    this.reserveStep = o.reserveStep ?? 10_000;
    this.lazyMs = o.lazyMs ?? 200;
    this.data = { version: 1, identity: o.identity, serverIcReserved: o.floor ?? 0, clients: {}, keys: {}, events: [] };
    const disk = file ? readState(file) : undefined;
    if (disk) {
      if (o.identity && disk.identity && disk.identity !== o.identity) {
        throw new InputError(`server state belongs to another server identity (${disk.identity}, these keys are ${o.identity}): its counters say nothing about these keys`, { file: file! });
      }
      this.data = { ...disk, identity: disk.identity ?? o.identity, serverIcReserved: Math.max(disk.serverIcReserved, o.floor ?? 0) };
    }
    if (file) for (const [t, v] of Object.entries(readClients(clientsFileOf(file)))) this.data.clients[t] = Math.max(this.data.clients[t] ?? 0, v);
    this.serverIc = this.data.serverIcReserved;
  }

  /** Writes the state now (fsync), merged with the file's current contents. */
  save(): void {
    this.dirty = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const file = this.file;
    if (!file) {
      this.unsavedEvents = [];
      return;
    }
    withFileLock(file, () => {
      const disk = readState(file);
      if (disk) this.mergeFrom(disk);
      writeFileDurably(file, JSON.stringify(this.data));
    });
    this.unsavedEvents = [];
    this.changedKeys = {};
  }

  /** Takes in what another server sharing this state wrote: higher reservations and counters, its events. */
  private mergeFrom(disk: ServerStateData): void {
    const d = this.data;
    d.serverIcReserved = Math.max(d.serverIcReserved, disk.serverIcReserved);
    for (const [t, v] of Object.entries(disk.clients)) d.clients[t] = Math.max(d.clients[t] ?? 0, v);
    d.keys = { ...disk.keys, ...this.changedKeys };
    d.events = [...disk.events, ...this.unsavedEvents].slice(-MAX_EVENTS);
  }

  /**
   * The next server invocation counter; the reservation on disk always covers it before it is returned. A block is
   * taken above the highest reservation on disk, so servers sharing the state never hand out the same counter.
   */
  nextServerIc(): number {
    let ic = this.serverIc + 1;
    if (ic > this.localReserved) {
      const file = this.file;
      const take = () => {
        const disk = file ? readState(file) : undefined;
        if (disk) this.mergeFrom(disk);
        ic = Math.max(ic, this.data.serverIcReserved + 1);
        if (ic > 0xffffffff) throw new RangeError('server invocation counter exhausted: the keys must be changed');
        this.data.serverIcReserved = Math.min(0xffffffff, ic + this.reserveStep - 1);
        if (file) writeFileDurably(file, JSON.stringify(this.data));
      };
      if (file) withFileLock(file, take);
      else take();
      this.localReserved = this.data.serverIcReserved;
      this.unsavedEvents = [];
      this.changedKeys = {};
    }
    if (ic > 0xffffffff) throw new RangeError('server invocation counter exhausted: the keys must be changed');
    this.serverIc = ic;
    return ic;
  }

  /** The end of the block this process reserved (its counters run up to here, then a new block is taken). */
  private localReserved = -1;

  /** The last server invocation counter handed out (0 before the first). */
  get lastServerIc(): number {
    return this.serverIc;
  }

  clientCounter(title: string): number {
    return this.data.clients[title] ?? 0;
  }

  /**
   * Records the last counter of a client. `durable`: written (fsync) before returning. Otherwise written within
   * `lazyMs` (see session.ts for which counters may wait: those whose replay after a restart achieves nothing).
   */
  setClientCounter(title: string, value: number, durable = true): void {
    this.data.clients[title] = value;
    if (durable) this.save();
    else this.saveSoon();
  }

  /** Records a key replaced by key_transfer (written with the key-change event). */
  setKey(name: string, hexKey: string): void {
    this.data.keys[name] = hexKey;
    this.changedKeys[name] = hexKey;
  }

  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  saveSoon(): void {
    this.dirty = true;
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveClientsLazily();
    }, this.lazyMs);
    this.timer.unref();
  }

  /**
   * The lazy write: client counters only, into a side file, merged (max) with what is there, renamed into place
   * without an fsync. Those counters may be lost in a crash anyway (session.ts says why that is harmless); waiting
   * for the disk here stalled every connection for the length of an fsync, several times a second (issue 16). The
   * server's own counter reservation never goes through here: it lives in the main file, fsynced before use.
   */
  private saveClientsLazily(): void {
    const file = this.file;
    if (!file || !this.dirty) return;
    this.dirty = false;
    const side = clientsFileOf(file);
    withFileLock(side, () => {
      const disk = readClients(side);
      for (const [t, v] of Object.entries(disk)) this.data.clients[t] = Math.max(this.data.clients[t] ?? 0, v);
      const tmp = `${side}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.data.clients));
      renameSync(tmp, side);
    });
  }

  /** Writes pending lazy updates durably now (at shutdown, or before an AARE whose counters must be durable). */
  flush(): void {
    if (this.dirty) this.save();
  }

  /**
   * Appends a security event. Counter replays/jumps and key changes come from authentic (tag-checked) or
   * security-relevant input and are written at once; events any stranger can cause (a bad password, garbage)
   * stay in memory until the next write, so a flood of them cannot turn into a flood of disk writes.
   */
  record(ev: Omit<SecurityEvent, 'time'>): void {
    const e = { time: new Date().toISOString(), ...ev };
    this.data.events.push(e);
    this.unsavedEvents.push(e);
    if (this.data.events.length > MAX_EVENTS) this.data.events.splice(0, this.data.events.length - MAX_EVENTS);
    if (ev.kind === 'counter-replay' || ev.kind === 'counter-jump' || ev.kind === 'key-change') this.save();
  }
}

function readState(file: string): ServerStateData | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // first start
    throw new InputError(`cannot read server state: ${(e as Error).message}`, { file });
  }
  let j: ServerStateData;
  try {
    j = JSON.parse(text) as ServerStateData;
  } catch (e) {
    throw new InputError(`server state is not JSON: ${(e as Error).message}`, { file });
  }
  if (j.version !== 1 || typeof j.serverIcReserved !== 'number' || typeof j.clients !== 'object') {
    throw new InputError('not a DLMS server state file (version 1)', { file });
  }
  return { ...j, keys: j.keys ?? {}, events: j.events ?? [] };
}

/** The side file of lazily written client counters (see saveClientsLazily). */
const clientsFileOf = (file: string) => `${file}.clients`;

function readClients(file: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new InputError(`cannot read server state: ${(e as Error).message}`, { file });
  }
  // Written without an fsync, so a crash may leave it empty or zero-filled: its counters are then lost, as a crash
  // may lose them anyway (they are the lazily written ones). Anything else that is not JSON is bad input.
  if (/^\0*$/.test(text.trim())) return {};
  try {
    return JSON.parse(text) as Record<string, number>;
  } catch (e) {
    throw new InputError(`server state (client counters) is not JSON: ${(e as Error).message}`, { file });
  }
}
