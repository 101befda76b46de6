// How evaluators talk: one framed message per peer per round (the round batching asked by the issue).
// A Transport moves opaque frames; Party (party.ts) frames, checks and counts them. Two implementations: memory.ts
// (three parties in one process, for tests) and tls.ts (three OS processes).

export type PartyId = 1 | 2 | 3;
export const PARTIES: readonly PartyId[] = [1, 2, 3];

export function peersOf(id: PartyId): [PartyId, PartyId] {
  return PARTIES.filter((p) => p !== id) as [PartyId, PartyId];
}

export interface Transport {
  readonly id: PartyId;
  send(peer: PartyId, frame: Uint8Array): void;
  /** The next frame from peer; rejects with MpcAbort on disconnect or timeout. */
  recv(peer: PartyId): Promise<Uint8Array>;
  close(): void;
}

/** The protocol cannot go on: a peer vanished, timed out or sent something malformed. Every party stops. */
export class MpcAbort extends Error {
  override name = 'MpcAbort';
}

/** A FIFO of frames from one peer with a deadline per wait: a silent peer aborts the run instead of hanging it. */
export class Inbox {
  private frames: Uint8Array[] = [];
  private waiter: { resolve: (f: Uint8Array) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly what: string,
    private readonly timeoutMs: number,
  ) {}

  push(frame: Uint8Array): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
    } else this.frames.push(frame);
  }

  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(err);
    }
  }

  next(): Promise<Uint8Array> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new MpcAbort(`${this.what}: no message within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiter = {
        resolve: (x) => {
          clearTimeout(timer);
          resolve(x);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }
}
