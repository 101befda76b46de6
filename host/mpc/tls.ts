import { randomBytes } from 'node:crypto';
import { connect as tlsConnect, createServer, type TLSSocket, type Server } from 'node:tls';
import { fingerprintOf } from './certs.ts';
import { Inbox, MpcAbort, PARTIES, type PartyId, type Transport } from './transport.ts';

// Three evaluator processes over TCP + TLS 1.3 with mutual authentication. Each party listens; party i dials every
// j < i. Both ends pin the peer's certificate by its SHA-256 fingerprint (the configuration lists them), so a
// connection from anyone else is refused. A frame travels as a 4-byte length and its bytes, in one socket write.
// Disconnects and silences turn into MpcAbort at the waiting party (Inbox timeouts), never a hang.

export interface PeerAddress {
  host: string;
  port: number;
  /** PEM certificate of the party (pinned) */
  cert: string;
}

export interface TlsOptions {
  id: PartyId;
  key: string;
  cert: string;
  peers: Record<PartyId, PeerAddress>;
  timeoutMs: number;
}

const MAX_FRAME = 1 << 30;

class TlsTransport implements Transport {
  readonly inbox = new Map<PartyId, Inbox>();
  readonly sockets = new Map<PartyId, TLSSocket>();
  server: Server | undefined;
  private closing = false;

  constructor(
    readonly id: PartyId,
    timeoutMs: number,
  ) {
    for (const p of PARTIES) if (p !== id) this.inbox.set(p, new Inbox(`party ${id}: waiting for party ${p}`, timeoutMs));
  }

  attach(peer: PartyId, sock: TLSSocket, leftover: Buffer): void {
    this.sockets.set(peer, sock);
    sock.setNoDelay(true); // one write per round: Nagle would hold it back for the peer's delayed ACK
    const box = this.inbox.get(peer)!;
    // Chunks are kept in a list and joined once a whole frame is there (joining on every chunk is quadratic).
    const chunks: Buffer[] = leftover.length ? [leftover] : [];
    let have = leftover.length;
    const drain = () => {
      while (have >= 4) {
        let head = chunks[0]!;
        if (head.length < 4) {
          head = Buffer.concat(chunks);
          chunks.splice(0, chunks.length, head);
        }
        const len = head.readUInt32LE(0);
        if (len > MAX_FRAME) {
          box.fail(new MpcAbort(`party ${this.id}: malformed message from party ${peer}: frame length ${len}`));
          sock.destroy();
          return;
        }
        if (have < 4 + len) return;
        const all = chunks.length === 1 ? head : Buffer.concat(chunks);
        box.push(new Uint8Array(all.buffer, all.byteOffset + 4, len));
        const rest = all.subarray(4 + len);
        chunks.length = 0;
        if (rest.length) chunks.push(rest);
        have = rest.length;
      }
    };
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      have += d.length;
      drain();
    });
    const gone = (why: string) => () => {
      if (!this.closing) box.fail(new MpcAbort(`party ${this.id}: party ${peer} ${why}`));
    };
    sock.on('close', gone('disconnected'));
    sock.on('error', (e) => gone(`connection failed (${e.message})`)());
    drain();
  }

  send(peer: PartyId, frame: Uint8Array): void {
    const sock = this.sockets.get(peer);
    if (!sock || sock.destroyed) return; // the receive side reports the disconnect
    const out = Buffer.allocUnsafe(4 + frame.length);
    out.writeUInt32LE(frame.length, 0);
    out.set(frame, 4);
    sock.write(out);
  }

  recv(peer: PartyId): Promise<Uint8Array> {
    return this.inbox.get(peer)!.next();
  }

  close(): void {
    this.closing = true;
    for (const s of this.sockets.values()) s.end();
    this.server?.close();
  }
}

/** Reads the 5-byte hello (magic 'M', 'P', 'C', '1', party id) that opens each connection. */
function readHello(sock: TLSSocket, timeoutMs: number): Promise<{ id: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new MpcAbort('peer sent no hello')), timeoutMs);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 5) return;
      cleanup();
      if (buf.toString('latin1', 0, 4) !== 'MPC1') return reject(new MpcAbort('peer hello has a wrong magic'));
      resolve({ id: buf[4]!, rest: buf.subarray(5) });
    };
    const onClose = () => fail(new MpcAbort('peer closed before hello'));
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
    };
    sock.on('data', onData);
    sock.on('close', onClose);
  });
}

const hello = (id: PartyId) => Buffer.from([0x4d, 0x50, 0x43, 0x31, id]);

/** Connects party `id` to both peers; resolves once both pinned TLS links are up. */
export async function connectMesh(opts: TlsOptions): Promise<Transport> {
  const t = new TlsTransport(opts.id, opts.timeoutMs);
  const pins = new Map<string, PartyId>();
  for (const p of PARTIES) if (p !== opts.id) pins.set(fingerprintOf(opts.peers[p].cert), p);
  const peerCas = PARTIES.filter((p) => p !== opts.id).map((p) => opts.peers[p].cert);
  const expectIn = PARTIES.filter((p) => p > opts.id);
  const expectOut = PARTIES.filter((p) => p < opts.id);
  const deadline = Date.now() + opts.timeoutMs;

  const inbound = new Promise<void>((resolve, reject) => {
    if (expectIn.length === 0) return resolve();
    const pending = new Set<PartyId>(expectIn);
    const server = createServer(
      { key: opts.key, cert: opts.cert, ca: peerCas, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
      (sock) => {
        const fp = sock.getPeerCertificate().fingerprint256;
        const who = fp ? pins.get(fp) : undefined;
        if (who === undefined || !pending.has(who)) {
          sock.destroy();
          return;
        }
        readHello(sock, opts.timeoutMs).then(
          ({ id, rest }) => {
            if (id !== who) {
              sock.destroy();
              return reject(new MpcAbort(`party ${opts.id}: peer with party ${who}'s certificate claims to be party ${id}`));
            }
            pending.delete(who);
            t.attach(who, sock, rest);
            if (pending.size === 0) resolve();
          },
          (e: Error) => reject(new MpcAbort(`party ${opts.id}: ${e.message}`)),
        );
      },
    );
    t.server = server;
    server.on('error', (e) => reject(new MpcAbort(`party ${opts.id}: cannot listen on port ${opts.peers[opts.id].port}: ${e.message}`)));
    server.listen(opts.peers[opts.id].port, opts.peers[opts.id].host);
    setTimeout(() => pending.size && reject(new MpcAbort(`party ${opts.id}: parties ${[...pending].join(', ')} did not connect within ${opts.timeoutMs} ms`)), opts.timeoutMs).unref();
  });

  const dial = async (peer: PartyId): Promise<void> => {
    const addr = opts.peers[peer];
    for (;;) {
      try {
        const sock = await new Promise<TLSSocket>((resolve, reject) => {
          const s = tlsConnect({
            host: addr.host,
            port: addr.port,
            key: opts.key,
            cert: opts.cert,
            ca: [addr.cert],
            minVersion: 'TLSv1.3',
            checkServerIdentity: (_host, cert) =>
              pins.get(cert.fingerprint256) === peer ? undefined : new Error(`certificate of ${addr.host}:${addr.port} is not party ${peer}'s pinned one`),
          });
          s.once('secureConnect', () => resolve(s));
          s.once('error', reject);
        });
        sock.write(hello(opts.id));
        t.attach(peer, sock, Buffer.alloc(0));
        return;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if ((err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        throw new MpcAbort(`party ${opts.id}: cannot reach party ${peer} at ${addr.host}:${addr.port}: ${err.message}`);
      }
    }
  };

  try {
    await Promise.all([inbound, ...expectOut.map(dial)]);
  } catch (e) {
    t.close();
    throw e;
  }
  return t;
}

/** PRSS pair keys over the fresh links: the lower id of each pair draws the key and sends it (one setup round). */
export async function agreePairKeys(t: Transport): Promise<Map<PartyId, Uint8Array>> {
  const keys = new Map<PartyId, Uint8Array>();
  for (const p of PARTIES) {
    if (p === t.id) continue;
    if (t.id < p) {
      const k = randomBytes(16);
      keys.set(p, k);
      t.send(p, k);
    }
  }
  for (const p of PARTIES) {
    if (p !== t.id && p < t.id) {
      const k = await t.recv(p);
      if (k.length !== 16) throw new MpcAbort(`party ${t.id}: malformed pair key from party ${p} (${k.length} bytes)`);
      keys.set(p, k);
    }
  }
  return keys;
}
