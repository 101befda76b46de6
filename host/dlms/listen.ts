import { createServer, type Server, type Socket } from 'node:net';
import { FLAG, serveHdlc } from './hdlc.ts';
import type { DlmsServer } from './server/server.ts';
import type { ByteStream } from './stream.ts';
import { serveWrapper } from './wrapper.ts';

// `hasm dlms serve`: one TCP port for both framings (../shared/CLI.md) — a connection whose first byte is the HDLC
// flag speaks HDLC, any other the wrapper. Each connection has its own session; an idle or broken connection is
// closed after `idleMs` and never blocks the others (everything is event-driven, nothing waits on one peer).
//
// What a connection costs is most of what an association costs (issue 16: a client that connects, associates, reads
// and releases spends most of the server's time in accepting and closing), so a connection here is as lean as
// net.Socket allows: one 'data' listener, no per-socket timer (one sweep for all), no address looked up unless it is
// logged, and a peer's end of stream closes at once instead of through a half-close (allowHalfOpen + destroy).

export interface ListenOptions {
  port: number;
  host?: string;
  idleMs?: number;
  onError?: (e: Error, remote: string) => void;
  onConnection?: (remote: string, framing: 'hdlc' | 'wrapper') => void;
}

/** One accepted connection: its socket as a ByteStream, and the sweep tick of its last activity. */
class Connection implements ByteStream {
  seen: number;
  private data?: (b: Uint8Array) => void;
  private readonly closers: ((why?: Error) => void)[] = [];

  constructor(
    readonly sock: Socket,
    tick: number,
  ) {
    this.seen = tick;
  }

  write(b: Uint8Array): void {
    // One write per frame: the framings hand over whole frames, so no partial frame waits behind Nagle.
    if (!this.sock.destroyed) this.sock.write(b);
  }
  onData(cb: (b: Uint8Array) => void): void {
    this.data = cb;
  }
  onClose(cb: (why?: Error) => void): void {
    this.closers.push(cb);
  }
  close(): void {
    this.sock.destroy();
  }
  deliver(b: Uint8Array): void {
    this.data?.(b);
  }
  closed(why?: Error): void {
    for (const cb of this.closers.splice(0)) cb(why);
  }
}

export function listen(server: DlmsServer, opts: ListenOptions): Promise<Server> {
  const idleMs = opts.idleMs ?? 120_000;
  const open = new Set<Connection>();
  // A coarse clock for idleness: a connection untouched for four sweeps (idleMs) is closed at the fifth.
  let tick = 0;
  const sweep = setInterval(() => {
    tick++;
    for (const c of open) if (tick - c.seen > 4) c.close();
  }, Math.max(1, Math.floor(idleMs / 4)));
  sweep.unref();
  const remoteOf = (sock: Socket) => `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? '?'}`;

  const tcp = createServer({ noDelay: true, allowHalfOpen: true }, (sock: Socket) => {
    const conn = new Connection(sock, tick);
    open.add(conn);
    let started = false;
    sock.on('data', (b: Buffer) => {
      conn.seen = tick;
      if (!started) {
        started = true;
        const framing = b[0] === FLAG ? 'hdlc' : 'wrapper';
        opts.onConnection?.(remoteOf(sock), framing);
        const session = server.session();
        const onError = opts.onError ? (e: Error) => opts.onError!(e, remoteOf(sock)) : undefined;
        if (framing === 'hdlc') serveHdlc(conn, session, { onError });
        else serveWrapper(conn, session, onError);
      }
      // A Buffer is a Uint8Array, and Node never writes into a chunk it has delivered (ByteStream's contract).
      conn.deliver(b);
    });
    // The peer is done sending: nothing more can be asked, so no half-open connection is kept for it.
    sock.on('end', () => sock.destroy());
    sock.on('error', (e) => {
      opts.onError?.(e, remoteOf(sock));
      conn.closed(e);
    });
    sock.on('close', () => {
      open.delete(conn);
      conn.closed();
    });
  });
  tcp.on('close', () => clearInterval(sweep));
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve(tcp);
    });
  });
}
