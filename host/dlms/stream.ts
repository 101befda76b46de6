import type { Socket } from 'node:net';
import { DlmsTimeoutError, DlmsTransportError } from './errors.ts';

// A byte stream as both framings need it: TCP socket, serial port, or an in-process pipe for tests.

export interface ByteStream {
  write(b: Uint8Array): void;
  /** Each chunk is the receiver's: the stream never writes into it again. */
  onData(cb: (b: Uint8Array) => void): void;
  onClose(cb: (why?: Error) => void): void;
  close(): void;
}

export function socketStream(sock: Socket): ByteStream {
  sock.setNoDelay(true);
  return {
    write: (b) => {
      if (!sock.destroyed) sock.write(b);
    },
    onData: (cb) => sock.on('data', (d: Buffer) => cb(new Uint8Array(d.buffer, d.byteOffset, d.length))),
    onClose: (cb) => {
      sock.on('close', () => cb());
      sock.on('error', (e) => cb(e));
    },
    close: () => sock.destroy(),
  };
}

/** Two connected in-process streams; delivery is asynchronous like a real link. */
export function pipePair(): [ByteStream, ByteStream] {
  type End = { data?: (b: Uint8Array) => void; close: ((why?: Error) => void)[]; closed: boolean };
  const a: End = { close: [], closed: false };
  const b: End = { close: [], closed: false };
  const make = (self: End, peer: End): ByteStream => ({
    write: (bytes) => {
      if (self.closed) throw new DlmsTransportError('pipe closed');
      const copy = bytes.slice();
      queueMicrotask(() => peer.data?.(copy));
    },
    onData: (cb) => {
      self.data = cb;
    },
    onClose: (cb) => {
      self.close.push(cb);
    },
    close: () => {
      if (self.closed) return;
      self.closed = peer.closed = true;
      for (const cb of [...self.close, ...peer.close]) queueMicrotask(() => cb());
    },
  });
  return [make(a, b), make(b, a)];
}

/** Collects frames produced by a decoder and hands them to waiting readers, with a timeout. */
export class FrameQueue<T> {
  private readonly frames: T[] = [];
  private waiter?: { resolve: (f: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
  private failure?: Error;

  push(f: T): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      clearTimeout(w.timer);
      w.resolve(f);
    } else this.frames.push(f);
  }

  fail(e: Error): void {
    this.failure = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  next(timeoutMs: number): Promise<T> {
    const f = this.frames.shift();
    if (f !== undefined) return Promise.resolve(f);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new DlmsTimeoutError(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
  }
}
