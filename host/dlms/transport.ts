import { DlmsTransportError } from './errors.ts';
import type { PeerAddress, ServerSession } from './server/session.ts';

// What the client needs from a transport: send one APDU, get the one answer (DLMS client/server is strictly
// request–response). Wrapper, HDLC and the in-process loopback implement it.

export interface ApduChannel {
  readonly address: PeerAddress;
  request(apdu: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** In-process channel straight into a server session: for tests and the benchmark's baseline. */
export class LoopbackChannel implements ApduChannel {
  constructor(
    private readonly session: ServerSession,
    readonly address: PeerAddress,
  ) {}

  async request(apdu: Uint8Array): Promise<Uint8Array> {
    const out = this.session.handle(this.address, apdu);
    if (!out) throw new DlmsTransportError('server sent no answer');
    return out;
  }

  async close(): Promise<void> {
    this.session.closeAll();
  }
}
