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

export class FileCounterStore implements ClientCounterStore {
  private data: Record<string, ClientCounters> = {};
  constructor(readonly file: string) {
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
    return { ...(this.data[server] ?? { own: 0, server: 0 }) };
  }
  set(server: string, c: ClientCounters): void {
    this.data[server] = { ...c };
    writeFileDurably(this.file, JSON.stringify(this.data));
  }
}
