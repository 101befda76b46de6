import { concat } from './bytes.ts';
import { DlmsDecodeError, DlmsRejectedError, DlmsTimeoutError, DlmsTransportError } from './errors.ts';
import type { PeerAddress, ServerSession } from './server/session.ts';
import { FrameQueue, type ByteStream } from './stream.ts';
import type { ApduChannel } from './transport.ts';

// HDLC as DLMS uses it (IEC 62056-46, Green Book §8.4): frame format type 3 with segmentation bit and 11-bit
// length, extended addresses (client 1 byte, server 1/2/4 bytes), HCS and FCS (CRC-16/X.25), SNRM/UA with
// negotiated information-field sizes and windows, I/RR/RNR, DISC/DM, LLC header, segmentation both ways, window 1.

export const FLAG = 0x7e;
export const CONTROL = { snrm: 0x83, disc: 0x43, ua: 0x63, dm: 0x0f, frmr: 0x87, ui: 0x03, rr: 0x01, rnr: 0x05 } as const;
const PF = 0x10;
const LLC_REQUEST = Uint8Array.of(0xe6, 0xe6, 0x00);
const LLC_RESPONSE = Uint8Array.of(0xe6, 0xe7, 0x00);
export const DEFAULT_MAX_INFO = 128;

// CRC-16/X.25 (reflected poly 0x1021 = 0x8408, init and xorout 0xFFFF), sent least significant byte first.
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffff;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ CRC_TABLE[(c ^ b[i]!) & 0xff]!;
  return (c ^ 0xffff) & 0xffff;
}

/** HDLC server address: upper (logical device) and lower (physical) parts; size 1, 2 or 4 bytes. */
export interface ServerAddress {
  logical: number;
  physical?: number;
  size: 1 | 2 | 4;
}

export function encodeServerAddress(a: ServerAddress): Uint8Array {
  if (a.size === 1) return Uint8Array.of(((a.logical & 0x7f) << 1) | 1);
  const p = a.physical ?? 0;
  if (a.size === 2) return Uint8Array.of((a.logical & 0x7f) << 1, ((p & 0x7f) << 1) | 1);
  return Uint8Array.of(((a.logical >> 7) & 0x7f) << 1, (a.logical & 0x7f) << 1, ((p >> 7) & 0x7f) << 1, ((p & 0x7f) << 1) | 1);
}

function decodeAddress(b: Uint8Array, at: number): { bytes: number[]; next: number } {
  const bytes: number[] = [];
  for (let i = at; i < b.length && bytes.length < 4; i++) {
    bytes.push(b[i]!);
    if (b[i]! & 1) return { bytes, next: i + 1 };
  }
  throw new DlmsDecodeError('HDLC address not terminated within 4 bytes', at);
}

function addressValue(bytes: number[]): ServerAddress {
  const v = bytes.map((x) => x >> 1);
  if (v.length === 1) return { logical: v[0]!, size: 1 };
  if (v.length === 2) return { logical: v[0]!, physical: v[1]!, size: 2 };
  if (v.length === 4) return { logical: (v[0]! << 7) | v[1]!, physical: (v[2]! << 7) | v[3]!, size: 4 };
  throw new DlmsDecodeError(`HDLC address of ${v.length} bytes (1, 2 or 4 allowed)`);
}

export interface HdlcFrame {
  segmented: boolean;
  destination: Uint8Array;
  source: Uint8Array;
  control: number;
  info: Uint8Array;
}

export function encodeFrame(f: HdlcFrame): Uint8Array {
  const headerLen = 2 + f.destination.length + f.source.length + 1;
  const length = headerLen + (f.info.length ? 2 + f.info.length : 0) + 2;
  if (length > 0x7ff) throw new DlmsDecodeError(`HDLC frame of ${length} bytes exceeds the 11-bit length`);
  const body = new Uint8Array(length);
  body[0] = 0xa0 | (f.segmented ? 0x08 : 0) | ((length >> 8) & 0x07);
  body[1] = length & 0xff;
  body.set(f.destination, 2);
  body.set(f.source, 2 + f.destination.length);
  body[headerLen - 1] = f.control;
  let at = headerLen;
  if (f.info.length) {
    const hcs = crc16(body, 0, headerLen);
    body[at++] = hcs & 0xff;
    body[at++] = hcs >> 8;
    body.set(f.info, at);
    at += f.info.length;
  }
  const fcs = crc16(body, 0, at);
  body[at++] = fcs & 0xff;
  body[at++] = fcs >> 8;
  return concat(Uint8Array.of(FLAG), body, Uint8Array.of(FLAG));
}

/** Parses one frame body (between flags). */
export function decodeFrame(body: Uint8Array): HdlcFrame {
  if (body.length < 7) throw new DlmsDecodeError('HDLC frame too short');
  if ((body[0]! & 0xf0) !== 0xa0) throw new DlmsDecodeError(`HDLC frame format 0x${body[0]!.toString(16)} is not type 3`, 0);
  const length = ((body[0]! & 0x07) << 8) | body[1]!;
  if (length !== body.length) throw new DlmsDecodeError(`HDLC length field ${length} but frame has ${body.length} bytes`);
  const fcs = body[length - 2]! | (body[length - 1]! << 8);
  if (crc16(body, 0, length - 2) !== fcs) throw new DlmsDecodeError('HDLC FCS mismatch');
  const d = decodeAddress(body, 2);
  const s = decodeAddress(body, d.next);
  if (s.next >= length - 2) throw new DlmsDecodeError('HDLC frame without control field');
  const control = body[s.next]!;
  const headerEnd = s.next + 1;
  let info = new Uint8Array(0);
  if (length - 2 > headerEnd) {
    if (length - 2 < headerEnd + 2) throw new DlmsDecodeError('HDLC frame with a truncated HCS');
    const hcs = body[headerEnd]! | (body[headerEnd + 1]! << 8);
    if (crc16(body, 0, headerEnd) !== hcs) throw new DlmsDecodeError('HDLC HCS mismatch');
    info = body.slice(headerEnd + 2, length - 2);
  }
  return { segmented: (body[0]! & 0x08) !== 0, destination: Uint8Array.from(d.bytes), source: Uint8Array.from(s.bytes), control, info };
}

/** Finds frames in a byte stream: skips bytes outside flags, tolerates shared flags between frames. */
export class HdlcDecoder {
  private buf: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array, onError: (e: Error) => void): HdlcFrame[] {
    this.buf = this.buf.length ? concat(this.buf, bytes) : bytes.slice();
    const out: HdlcFrame[] = [];
    for (;;) {
      const start = this.buf.indexOf(FLAG);
      if (start < 0) {
        this.buf = new Uint8Array(0);
        break;
      }
      let i = start;
      while (i < this.buf.length && this.buf[i] === FLAG) i++; // shared / repeated flags
      if (i + 2 > this.buf.length) {
        this.buf = this.buf.subarray(i - 1);
        break;
      }
      const length = ((this.buf[i]! & 0x07) << 8) | this.buf[i + 1]!;
      if ((this.buf[i]! & 0xf0) !== 0xa0 || length < 7) {
        onError(new DlmsDecodeError('HDLC: bad frame format, resynchronising'));
        this.buf = this.buf.subarray(i);
        continue;
      }
      if (i + length + 1 > this.buf.length) {
        this.buf = this.buf.subarray(i - 1);
        break;
      }
      const body = this.buf.slice(i, i + length);
      if (this.buf[i + length] !== FLAG) {
        onError(new DlmsDecodeError('HDLC: closing flag missing, resynchronising'));
        this.buf = this.buf.subarray(i);
        continue;
      }
      this.buf = this.buf.subarray(i + length); // keep the closing flag: it may open the next frame
      try {
        out.push(decodeFrame(body));
      } catch (e) {
        onError(e as Error);
      }
    }
    return out;
  }
}

export interface LinkParameters {
  maxInfoTx: number;
  maxInfoRx: number;
  windowTx: number;
  windowRx: number;
}

/** The SNRM/UA information field (format 0x81, group 0x80; parameters 5–8). */
export function encodeLinkParameters(p: LinkParameters): Uint8Array {
  const param = (id: number, v: number, n: number) => {
    const b = [];
    for (let i = n - 1; i >= 0; i--) b.push((v >> (8 * i)) & 0xff);
    return Uint8Array.of(id, n, ...b);
  };
  const size = (v: number) => (v > 0xff ? 2 : 1);
  const inner = concat(param(5, p.maxInfoTx, size(p.maxInfoTx)), param(6, p.maxInfoRx, size(p.maxInfoRx)), param(7, p.windowTx, 4), param(8, p.windowRx, 4));
  return concat(Uint8Array.of(0x81, 0x80, inner.length), inner);
}

export function decodeLinkParameters(info: Uint8Array): LinkParameters {
  const p: LinkParameters = { maxInfoTx: DEFAULT_MAX_INFO, maxInfoRx: DEFAULT_MAX_INFO, windowTx: 1, windowRx: 1 };
  if (info.length === 0) return p;
  if (info[0] !== 0x81 || info[1] !== 0x80 || info.length < 3 || info[2]! + 3 > info.length) throw new DlmsDecodeError('bad HDLC parameter negotiation field');
  for (let i = 3; i < 3 + info[2]!; ) {
    const id = info[i]!;
    const n = info[i + 1]!;
    if (i + 2 + n > info.length || n > 4) throw new DlmsDecodeError('truncated HDLC parameter');
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + info[i + 2 + k]!;
    if (id === 5) p.maxInfoTx = v;
    else if (id === 6) p.maxInfoRx = v;
    else if (id === 7) p.windowTx = v;
    else if (id === 8) p.windowRx = v;
    i += 2 + n;
  }
  return p;
}

const isI = (c: number) => (c & 1) === 0;
const isRR = (c: number) => (c & 0x0f) === CONTROL.rr;
const isRNR = (c: number) => (c & 0x0f) === CONTROL.rnr;
const iControl = (ns: number, nr: number) => ((nr & 7) << 5) | PF | ((ns & 7) << 1);
const rrControl = (nr: number) => ((nr & 7) << 5) | PF | CONTROL.rr;
const clientAddress = (sap: number) => Uint8Array.of(((sap & 0x7f) << 1) | 1);

export interface HdlcClientOptions {
  clientSap: number;
  server: ServerAddress;
  maxInfo?: number;
  timeoutMs?: number;
  /** Re-sends of a frame whose answer did not come in time (lost on a noisy line). Default 3. */
  retries?: number;
}

/** Client side of one HDLC link: SNRM on connect, I-frames with segmentation, DISC on close. */
export class HdlcChannel implements ApduChannel {
  readonly address: PeerAddress;
  private readonly queue = new FrameQueue<HdlcFrame>();
  private readonly decoder = new HdlcDecoder();
  private vs = 0;
  private vr = 0;
  private params: LinkParameters = { maxInfoTx: DEFAULT_MAX_INFO, maxInfoRx: DEFAULT_MAX_INFO, windowTx: 1, windowRx: 1 };
  private readonly dst: Uint8Array;
  private readonly src: Uint8Array;
  private readonly timeoutMs: number;
  private connected = false;

  constructor(
    private readonly stream: ByteStream,
    private readonly opts: HdlcClientOptions,
  ) {
    this.address = { clientSap: opts.clientSap, serverSap: opts.server.logical };
    this.dst = encodeServerAddress(opts.server);
    this.src = clientAddress(opts.clientSap);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    stream.onData((b) => {
      for (const f of this.decoder.push(b, () => undefined)) this.queue.push(f);
    });
    stream.onClose((why) => this.queue.fail(new DlmsTransportError(`connection closed${why ? `: ${why.message}` : ''}`)));
  }

  private lastSent?: Uint8Array;

  private send(control: number, info: Uint8Array = new Uint8Array(0), segmented = false): void {
    this.lastSent = encodeFrame({ segmented, destination: this.dst, source: this.src, control, info });
    this.stream.write(this.lastSent);
  }

  /** Waits for the answer to the frame just sent; on a timeout sends that frame again, up to `retries` times. */
  private async answer(): Promise<HdlcFrame> {
    const retries = this.opts.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.receive();
      } catch (e) {
        if (!(e instanceof DlmsTimeoutError) || attempt >= retries || !this.lastSent) throw e;
        this.stream.write(this.lastSent);
      }
    }
  }

  private async receive(): Promise<HdlcFrame> {
    for (;;) {
      const f = await this.queue.next(this.timeoutMs);
      // Frames for another client address on a shared line are not ours.
      if (f.destination.length === 1 && f.destination[0] === this.src[0]) return f;
    }
  }

  async connect(): Promise<LinkParameters> {
    const want = this.opts.maxInfo ?? DEFAULT_MAX_INFO;
    this.send(CONTROL.snrm | PF, encodeLinkParameters({ maxInfoTx: want, maxInfoRx: want, windowTx: 1, windowRx: 1 }));
    const f = await this.answer();
    if ((f.control & ~PF) === CONTROL.dm) throw new DlmsRejectedError('HDLC: server refused the link (DM)', { hdlc: 'dm' });
    if ((f.control & ~PF) !== CONTROL.ua) throw new DlmsDecodeError(`HDLC: expected UA to SNRM, got control 0x${f.control.toString(16)}`);
    const p = decodeLinkParameters(f.info);
    // The UA gives the server's view: its TX is our RX.
    this.params = { maxInfoTx: Math.min(want, p.maxInfoRx), maxInfoRx: Math.min(want, p.maxInfoTx), windowTx: 1, windowRx: 1 };
    this.vs = this.vr = 0;
    this.connected = true;
    return this.params;
  }

  async request(apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.connected) throw new DlmsTransportError('HDLC link not connected (SNRM first)');
    const data = concat(LLC_REQUEST, apdu);
    const max = this.params.maxInfoTx;
    for (let at = 0; at < data.length; at += max) {
      const last = at + max >= data.length;
      this.send(iControl(this.vs, this.vr), data.subarray(at, at + max), !last);
      this.vs = (this.vs + 1) & 7;
      if (!last) {
        const ack = await this.answer();
        if (!isRR(ack.control)) throw new DlmsDecodeError(`HDLC: expected RR after a segment, got 0x${ack.control.toString(16)}`);
      }
    }
    const parts: Uint8Array[] = [];
    for (;;) {
      const f = await this.answer();
      if (isRNR(f.control)) continue;
      if (!isI(f.control)) throw new DlmsDecodeError(`HDLC: expected an I-frame, got control 0x${f.control.toString(16)}`);
      const ns = (f.control >> 1) & 7;
      if (ns === ((this.vr - 1) & 7) && parts.length) continue; // a re-sent frame we already have
      if (ns !== this.vr) throw new DlmsDecodeError(`HDLC: N(S) ${ns} where ${this.vr} was expected`);
      this.vr = (this.vr + 1) & 7;
      parts.push(f.info);
      if (!f.segmented) break;
      this.send(rrControl(this.vr));
    }
    const all = concat(...parts);
    if (all.length < 3 || all[0] !== 0xe6 || all[1] !== 0xe7) throw new DlmsDecodeError('HDLC: response without the LLC header E6 E7 00');
    return all.subarray(3);
  }

  async close(): Promise<void> {
    if (this.connected) {
      this.connected = false;
      this.send(CONTROL.disc | PF);
      const timer = this.timeoutMs;
      const f = await this.queue.next(timer).catch((e: Error) => e);
      if (f instanceof Error && !(f instanceof DlmsTransportError)) throw f;
    }
    this.stream.close();
  }
}

export interface HdlcServerOptions {
  /** Logical device addresses this server answers (default: 1). */
  logicalDevices?: number[];
  maxInfo?: number;
  onError?: (e: Error) => void;
}

/** Server side: one HDLC link per connection, APDUs handed to the session. */
export function serveHdlc(stream: ByteStream, session: ServerSession, opts: HdlcServerOptions = {}): void {
  const decoder = new HdlcDecoder();
  const devices = opts.logicalDevices ?? [1];
  const ourMax = opts.maxInfo ?? DEFAULT_MAX_INFO;
  let connected = false;
  let vs = 0;
  let vr = 0;
  let params: LinkParameters = { maxInfoTx: DEFAULT_MAX_INFO, maxInfoRx: DEFAULT_MAX_INFO, windowTx: 1, windowRx: 1 };
  let inParts: Uint8Array[] = [];
  let inSize = 0;
  let outQueue: Uint8Array[] = []; // remaining segments of a long response
  const error = (e: Error) => opts.onError?.(e);

  // The last frame we answered with: re-sent when the client repeats itself because that answer was lost.
  let lastReply: Uint8Array | undefined;
  let lastNs = -1;
  const reply = (to: HdlcFrame, control: number, info: Uint8Array = new Uint8Array(0), segmented = false) => {
    lastReply = encodeFrame({ segmented, destination: to.source, source: to.destination, control, info });
    stream.write(lastReply);
  };
  const sendNextSegment = (to: HdlcFrame) => {
    const seg = outQueue.shift()!;
    lastNs = vs;
    reply(to, iControl(vs, vr), seg, outQueue.length > 0);
    vs = (vs + 1) & 7;
  };

  stream.onData((bytes) => {
    for (const f of decoder.push(bytes, error)) {
      if (f.source.length !== 1 || (f.source[0]! & 1) === 0) {
        error(new DlmsDecodeError('HDLC: client address must be one byte'));
        continue;
      }
      let server: ServerAddress;
      try {
        server = addressValue(Array.from(f.destination));
      } catch (e) {
        error(e as Error);
        continue;
      }
      if (!devices.includes(server.logical)) continue; // not addressed to us: stay silent, as on a shared bus
      const peer: PeerAddress = { clientSap: f.source[0]! >> 1, serverSap: server.logical };
      const c = f.control;
      if ((c & ~PF) === CONTROL.snrm) {
        let p: LinkParameters;
        try {
          p = decodeLinkParameters(f.info);
        } catch (e) {
          error(e as Error);
          reply(f, CONTROL.frmr | PF);
          continue;
        }
        // Client's RX is our TX: take the smaller of what it can receive and what we offer.
        params = { maxInfoTx: Math.min(p.maxInfoRx, ourMax), maxInfoRx: Math.min(p.maxInfoTx, ourMax), windowTx: 1, windowRx: 1 };
        connected = true;
        vs = vr = 0;
        lastNs = -1;
        inParts = [];
        inSize = 0;
        outQueue = [];
        session.closeAll();
        reply(f, CONTROL.ua | PF, encodeLinkParameters(params));
      } else if ((c & ~PF) === CONTROL.disc) {
        reply(f, (connected ? CONTROL.ua : CONTROL.dm) | PF);
        connected = false;
        session.closeAll();
      } else if (!connected) {
        reply(f, CONTROL.dm | PF);
      } else if (isI(c)) {
        const ns = (c >> 1) & 7;
        if (ns === ((vr - 1) & 7) && lastReply) {
          stream.write(lastReply); // the client repeats a frame: our answer to it was lost
          continue;
        }
        if (ns !== vr) {
          error(new DlmsDecodeError(`HDLC: N(S) ${ns}, expected ${vr}`));
          reply(f, rrControl(vr)); // ask for the frame we expect
          continue;
        }
        vr = (vr + 1) & 7;
        inParts.push(f.info);
        inSize += f.info.length;
        if (inSize > 0x10000) {
          error(new DlmsDecodeError('HDLC: segmented APDU larger than 64 KiB'));
          inParts = [];
          inSize = 0;
          reply(f, CONTROL.frmr | PF);
          continue;
        }
        if (f.segmented) {
          reply(f, rrControl(vr));
          continue;
        }
        const data = concat(...inParts);
        inParts = [];
        inSize = 0;
        if (data.length < 3 || data[0] !== 0xe6 || data[1] !== 0xe6) {
          error(new DlmsDecodeError('HDLC: I-frame without the LLC header E6 E6 00'));
          reply(f, rrControl(vr));
          continue;
        }
        const resp = session.handle(peer, data.subarray(3));
        if (session.lastError) error(session.lastError);
        if (!resp) {
          reply(f, rrControl(vr));
          continue;
        }
        const out = concat(LLC_RESPONSE, resp);
        outQueue = [];
        for (let at = 0; at < out.length; at += params.maxInfoTx) outQueue.push(out.subarray(at, at + params.maxInfoTx));
        sendNextSegment(f);
      } else if (isRR(c)) {
        const nr = (c >> 5) & 7;
        if (nr === lastNs && lastReply) stream.write(lastReply); // our last segment was lost: send it again
        else if (outQueue.length) sendNextSegment(f);
        else reply(f, rrControl(vr));
      } else {
        reply(f, CONTROL.frmr | PF);
      }
    }
  });
  stream.onClose(() => session.closeAll());
}
