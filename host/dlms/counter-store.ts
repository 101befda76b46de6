import { readFileSync } from 'node:fs';
import { writeFileDurably } from './durable.ts';
import { InputError } from '../../toolchain/common/errors.ts';

// The client's counters per server (by server system title): `own` is the client's invocation counter (used for
// GCM nonces and, hardened, the challenge counter of seed §3.4.2, which also follows the server's challenges);
// `server` is the last server invocation counter seen. Persisted before use, like the server's.

export interface ClientCounters {
  own: number;
  server: number;
}

export interface ClientCounterStore {
  get(server: string): ClientCounters;
  set(server: string, c: ClientCounters): void;
}

export class MemoryCounterStore implements ClientCounterStore {
  private readonly m = new Map<string, ClientCounters>();
  get(server: string): ClientCounters {
    return { ...(this.m.get(server) ?? { own: 0, server: 0 }) };
  }
  set(server: string, c: ClientCounters): void {
    this.m.set(server, { ...c });
  }
}

/**
 * Counters in a file. The client's own counter is reserved in blocks (issue 16: an fsync per request is what a
 * head-end cannot afford): the file holds the end of the block, every value up to it may have been used, and a new
 * process continues above it — so no (key, nonce) pair repeats across a crash. The last server counter (hardened)
 * is written whenever it changes, as before.
 */
export class FileCounterStore implements ClientCounterStore {
  /** As on disk: `own` is the reservation. */
  private data: Record<string, ClientCounters> = {};
  /** As in use: `own` is the last counter handed out. */
  private readonly live = new Map<string, ClientCounters>();
  constructor(
    readonly file: string,
    private readonly reserveStep = 100,
  ) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`cannot read client state: ${(e as Error).message}`, { file });
    }
    if (text !== undefined) {
      try {
        this.data = JSON.parse(text) as Record<string, ClientCounters>;
      } catch (e) {
        throw new InputError(`client state is not JSON: ${(e as Error).message}`, { file });
      }
    }
  }
  get(server: string): ClientCounters {
    return { ...(this.live.get(server) ?? this.data[server] ?? { own: 0, server: 0 }) };
  }
  set(server: string, c: ClientCounters): void {
    this.live.set(server, { ...c });
    const disk = this.data[server] ?? { own: 0, server: 0 };
    if (c.own <= disk.own && c.server === disk.server) return; // covered by the reservation on disk
    this.data[server] = { own: c.own > disk.own ? Math.min(0xffffffff, c.own + this.reserveStep - 1) : disk.own, server: c.server };
    writeFileDurably(this.file, JSON.stringify(this.data));
  }
}
