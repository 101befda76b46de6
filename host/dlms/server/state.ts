import { readFileSync } from 'node:fs';
import { writeFileDurably } from '../durable.ts';
import { InputError } from '../../../toolchain/common/errors.ts';

// The server's durable state: its own invocation counter, the last counter seen from each client, key changes
// and the security event log. Written atomically (temp file, fsync, rename) BEFORE a counter is used, so a crash
// or restart never sends a GCM nonce twice (issue 12; ../shared/ARCHITECTURE.md host/central rule).

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
  /** Every server invocation counter up to this value may have been used; a restart continues above it. */
  serverIcReserved: number;
  /** Last counter accepted from (or, hardened, sent to) each client, by system title hex. */
  clients: Record<string, number>;
  /** Keys replaced by key_transfer, hex, by key name. */
  keys: Record<string, string>;
  events: SecurityEvent[];
}

const MAX_EVENTS = 500;

export class ServerState {
  data: ServerStateData;
  private serverIc: number;

  /** `file` undefined: in memory only (tests of everything but persistence). */
  constructor(
    readonly file: string | undefined,
    private readonly reserveStep = 1000,
    private readonly lazyMs = 200,
  ) {
    this.data = { version: 1, serverIcReserved: 0, clients: {}, keys: {}, events: [] };
    if (file) this.load(file);
    this.serverIc = this.data.serverIcReserved;
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // first start
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
    this.data = { ...j, keys: j.keys ?? {}, events: j.events ?? [] };
  }

  save(): void {
    this.dirty = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.file) return;
    writeFileDurably(this.file, JSON.stringify(this.data));
  }

  /** The next server invocation counter; the reservation on disk always covers it before it is returned. */
  nextServerIc(): number {
    const ic = this.serverIc + 1;
    if (ic > 0xffffffff) throw new RangeError('server invocation counter exhausted: the keys must be changed');
    if (ic > this.data.serverIcReserved) {
      this.data.serverIcReserved = Math.min(0xffffffff, ic + this.reserveStep - 1);
      this.save();
    }
    this.serverIc = ic;
    return ic;
  }

  /** The last server invocation counter handed out (0 before the first). */
  get lastServerIc(): number {
    return this.serverIc;
  }

  clientCounter(title: string): number {
    return this.data.clients[title] ?? 0;
  }

  /**
   * Records the last counter of a client. `durable`: written (fsync) before returning — for what establishes an
   * association (AARQ counter, challenge counters), so no AARQ or challenge can be replayed after a restart.
   * Counters of APDUs inside an association are written lazily (within `lazyMs`): an association does not survive
   * a restart, so a replayed in-association APDU finds no association to act in even if the file lags behind.
   */
  setClientCounter(title: string, value: number, durable = true): void {
    this.data.clients[title] = value;
    if (durable) this.save();
    else this.saveSoon();
  }

  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private saveSoon(): void {
    this.dirty = true;
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.lazyMs);
    this.timer.unref();
  }

  /** Writes pending lazy updates now (before an AARE leaves, on connection close, at shutdown). */
  flush(): void {
    if (this.dirty) this.save();
  }

  /**
   * Appends a security event. Counter replays/jumps and key changes come from authentic (tag-checked) or
   * security-relevant input and are written at once; events any stranger can cause (a bad password, garbage)
   * stay in memory until the next write, so a flood of them cannot turn into a flood of disk writes.
   */
  record(ev: Omit<SecurityEvent, 'time'>): void {
    this.data.events.push({ time: new Date().toISOString(), ...ev });
    if (this.data.events.length > MAX_EVENTS) this.data.events.splice(0, this.data.events.length - MAX_EVENTS);
    if (ev.kind === 'counter-replay' || ev.kind === 'counter-jump' || ev.kind === 'key-change') this.save();
  }
}
