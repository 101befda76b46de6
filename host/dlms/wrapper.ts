import { concat } from './bytes.ts';
import { DlmsDecodeError, DlmsTransportError } from './errors.ts';
import type { PeerAddress, ServerSession } from './server/session.ts';
import { FrameQueue, type ByteStream } from './stream.ts';
import type { ApduChannel } from './transport.ts';

// The TCP/UDP wrapper (IEC 62056-47 / Green Book §7.3.3.4): version 0x0001, source wPort, destination wPort,
// length of the APDU, all 16-bit big-endian; default TCP port 4059.

export const WRAPPER_VERSION = 1;
export const WRAPPER_PORT = 4059;
const MAX_APDU = 0xffff;

export interface WrapperFrame {
  source: number;
  destination: number;
  apdu: Uint8Array;
}

export function encodeWrapper(f: WrapperFrame): Uint8Array {
  if (f.apdu.length > MAX_APDU) throw new DlmsDecodeError(`APDU of ${f.apdu.length} bytes does not fit a wrapper frame`);
  // One allocation per frame, from Node's Buffer pool (see ByteWriter in bytes.ts): this runs for every response the
  // server sends (issue 16).
  const out = Buffer.allocUnsafe(8 + f.apdu.length);
  out[0] = 0;
  out[1] = WRAPPER_VERSION;
  out[2] = f.source >>> 8;
  out[3] = f.source & 0xff;
  out[4] = f.destination >>> 8;
  out[5] = f.destination & 0xff;
  out[6] = f.apdu.length >>> 8;
  out[7] = f.apdu.length & 0xff;
  out.set(f.apdu, 8);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Incremental decoder: feed bytes as they arrive, get whole frames. A bad version poisons the stream. */
export class WrapperDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): WrapperFrame[] {
    // Streams hand over fresh chunks they never write again (ByteStream contract), so frames are views, not copies.
    this.buf = this.buf.length ? concat(this.buf, bytes) : bytes;
    const out: WrapperFrame[] = [];
    while (this.buf.length >= 8) {
      const version = (this.buf[0]! << 8) | this.buf[1]!;
      if (version !== WRAPPER_VERSION) throw new DlmsDecodeError(`wrapper version ${version}, expected 1`, 0);
      const len = (this.buf[6]! << 8) | this.buf[7]!;
      if (this.buf.length < 8 + len) break;
      out.push({ source: (this.buf[2]! << 8) | this.buf[3]!, destination: (this.buf[4]! << 8) | this.buf[5]!, apdu: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

/** Client side: one association's wPort pair over a stream. */
export class WrapperChannel implements ApduChannel {
  private readonly queue = new FrameQueue<WrapperFrame>();
  private readonly decoder = new WrapperDecoder();

  constructor(
    private readonly stream: ByteStream,
    readonly address: PeerAddress,
    private readonly timeoutMs = 5000,
  ) {
    stream.onData((b) => {
      try {
        for (const f of this.decoder.push(b)) this.queue.push(f);
      } catch (e) {
        this.queue.fail(e as Error);
        stream.close();
      }
    });
    stream.onClose((why) => this.queue.fail(new DlmsTransportError(`connection closed${why ? `: ${why.message}` : ''}`)));
  }

  async request(apdu: Uint8Array): Promise<Uint8Array> {
    this.stream.write(encodeWrapper({ source: this.address.clientSap, destination: this.address.serverSap, apdu }));
    for (;;) {
      const f = await this.queue.next(this.timeoutMs);
      if (f.destination === this.address.clientSap && f.source === this.address.serverSap) return f.apdu;
      // A frame for another wPort on a shared connection is not ours: skip it.
    }
  }

  async close(): Promise<void> {
    this.stream.close();
  }
}

/** Server side: answers every wrapper frame of a connection through one session. */
export function serveWrapper(stream: ByteStream, session: ServerSession, onError?: (e: Error) => void): void {
  const decoder = new WrapperDecoder();
  stream.onData((b) => {
    let frames: WrapperFrame[];
    try {
      frames = decoder.push(b);
    } catch (e) {
      onError?.(e as Error);
      stream.close(); // framing is lost: nothing sensible can follow on this connection
      return;
    }
    for (const f of frames) {
      const reply = session.handle({ clientSap: f.source, serverSap: f.destination }, f.apdu);
      if (session.lastError) onError?.(session.lastError);
      if (reply) stream.write(encodeWrapper({ source: f.destination, destination: f.source, apdu: reply }));
    }
  });
  stream.onClose(() => session.closeAll());
}
