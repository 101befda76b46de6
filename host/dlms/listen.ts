import { createServer, type Server, type Socket } from 'node:net';
import { FLAG, serveHdlc } from './hdlc.ts';
import type { DlmsServer } from './server/server.ts';
import { socketStream } from './stream.ts';
import { serveWrapper } from './wrapper.ts';

// `hasm dlms serve`: one TCP port for both framings (../shared/CLI.md) — a connection whose first byte is the HDLC
// flag speaks HDLC, any other the wrapper. Each connection has its own session; an idle or broken connection is
// closed after `idleMs` and never blocks the others (everything is event-driven, nothing waits on one peer).

export interface ListenOptions {
  port: number;
  host?: string;
  idleMs?: number;
  onError?: (e: Error, remote: string) => void;
  onConnection?: (remote: string, framing: 'hdlc' | 'wrapper') => void;
}

export function listen(server: DlmsServer, opts: ListenOptions): Promise<Server> {
  const tcp = createServer({ noDelay: true }, (sock: Socket) => {
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    sock.setTimeout(opts.idleMs ?? 120_000, () => sock.destroy());
    sock.on('error', (e) => opts.onError?.(e, remote));
    sock.once('data', (first: Buffer) => {
      const stream = socketStream(sock);
      const framing = first[0] === FLAG ? 'hdlc' : 'wrapper';
      opts.onConnection?.(remote, framing);
      const session = server.session();
      const onError = (e: Error) => opts.onError?.(e, remote);
      if (framing === 'hdlc') serveHdlc(stream, session, { onError });
      else serveWrapper(stream, session, onError);
      // Feed the first chunk, which `once` consumed, to the framing now listening.
      sock.emit('data', first);
    });
  });
  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve(tcp);
    });
  });
}
