import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hex } from './bytes.ts';
import { writeFileDurably } from './durable.ts';
import type { DlmsKeys } from './keys.ts';
import { InputError } from '../../toolchain/common/errors.ts';

// The client's counters, each kept under what the GCM nonce it guards is made of (IEC 62056-5-3 §9.2.7.2: system
// title ‖ invocation counter, under the GUEK), as the server's state is (issue 16 item 1):
// - `own`, the client's invocation counter (its nonces; hardened, also the challenge counter of seed §3.4.2, which
//   follows the server's challenges), under the client's identity (client system title, GUEK) — shared by every
//   server this client talks to with that key, so talking to a second server never starts the counter again;
// - `server`, the last server invocation counter seen, under the server's identity (server system title, GUEK).
// Persisted before use, like the server's.

export interface ClientCounters {
  own: number;
  server: number;
}

/** The store key of the client's own counter: client system title and a fingerprint of the GUEK with it. */
export function ownCounterKey(keys: Pick<DlmsKeys, 'clientSystemTitle' | 'guek'>): string {
  return `client:${identity('client', keys.clientSystemTitle, keys.guek)}`;
}

/** The store key of the last counter seen from the server whose system title is `serverTitle`. */
export function serverCounterKey(serverTitle: Uint8Array, keys: Pick<DlmsKeys, 'guek'>): string {
  return `server:${identity('server', serverTitle, keys.guek)}`;
}

function identity(role: string, title: Uint8Array, key: Uint8Array): string {
  // Domain-separated SHA-256: names the counter, never reveals the key.
  const h = createHash('sha256').update(`hasm dlms client counter v1 ${role}\0`).update(title).update(key).digest();
  return `${hex(title)}-${h.subarray(0, 8).toString('hex')}`;
}

/** Keys of the earlier format: the bare server system title, whose `own` was every counter used with any key. */
const LEGACY_KEY = /^[0-9a-f]{16}$/;

/**
 * Where a key seen for the first time starts. A new own-counter identity (a new GUEK after key_transfer, say) starts
 * above every counter the same client title used under any key, and above the earlier format's: a fresh key needs
 * no such care for its nonces, but servers that keep one monotone counter per client title (hardened, seed
 * Table 3.2) would refuse a counter that went back — and starting high is harmless. A server's last counter kept
 * under its bare title (earlier format) still counts against its replays.
 */
function freshCounters(key: string, known: Iterable<[string, ClientCounters]>): ClientCounters {
  const title = key.slice(key.indexOf(':') + 1, key.indexOf(':') + 17);
  let own = 0;
  let server = 0;
  for (const [k, c] of known) {
    if (LEGACY_KEY.test(k)) {
      if (key.startsWith('client:')) own = Math.max(own, c.own);
      else if (k === title) server = c.server;
    } else if (key.startsWith('client:') && k.startsWith(`client:${title}-`)) own = Math.max(own, c.own);
  }
  return { own, server };
}

export interface ClientCounterStore {
  get(key: string): ClientCounters;
  set(key: string, c: ClientCounters): void;
}

export class MemoryCounterStore implements ClientCounterStore {
  private readonly m = new Map<string, ClientCounters>();
  get(key: string): ClientCounters {
    return { ...(this.m.get(key) ?? freshCounters(key, this.m)) };
  }
  set(key: string, c: ClientCounters): void {
    this.m.set(key, { ...c });
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
  get(key: string): ClientCounters {
    return { ...(this.live.get(key) ?? this.data[key] ?? this.fresh(key)) };
  }
  private fresh(key: string): ClientCounters {
    // The reservations on disk bound every counter handed out, so they are the ones to start above.
    return freshCounters(key, Object.entries(this.data));
  }
  set(key: string, c: ClientCounters): void {
    this.live.set(key, { ...c });
    const disk = this.data[key] ?? { own: 0, server: this.fresh(key).server };
    if (c.own <= disk.own && c.server === disk.server) return; // covered by the reservation on disk
    this.data[key] = { own: c.own > disk.own ? Math.min(0xffffffff, c.own + this.reserveStep - 1) : disk.own, server: c.server };
    writeFileDurably(this.file, JSON.stringify(this.data));
  }
}
