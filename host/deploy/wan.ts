// The host side of the untrusted runtime's WAN protocol (firmware/runtime/README.md): frames 0x7E TYPE LEN PAYLOAD
// CHK (TYPE + LEN + PAYLOAD + CHK ≡ 0 mod 256), one request at a time, answered by TYPE | 0x80 (or an error
// frame 0x7F); output events the node sends on its own (0x10) may come before an answer. Numbers little-endian.
// The runtime is untrusted: nothing it answers is believed without a check under a key (attestation tags, event
// tags); its answers only say what it did.
import { OperationError } from '../../toolchain/common/errors.ts';

export const SYNC = 0x7e;
export const MAX_PAYLOAD = 128;
export const T = { hello: 0x01, enable: 0x02, call: 0x03, attest: 0x04, setKey: 0x05, event: 0x06, route: 0x07, periodic: 0x08, start: 0x09, setKeys: 0x0a, output: 0x10, error: 0x7f } as const;
export const REPLY = 0x80;
/** Set-key requests per frame (24 bytes each within the 128-byte payload). */
export const SETKEYS_PER_FRAME = 5;
export const ROUTE = { local: 1, wan: 2, han: 3 } as const;
const ERRORS: Record<number, string> = { 1: 'checksum', 2: 'unknown message type', 3: 'bad arguments', 4: 'table full' };

/** The node's runtime did not answer a request: it went silent, spins, or dropped the frame. The runtime is
 *  untrusted and may always withhold service (seed §4.4: a compromised node can deny, not forge), so callers that
 *  can carry on without the answer catch this one error and report the silence; every other error stays fatal. */
export class NoAnswerError extends OperationError {
  override name = 'NoAnswerError';
}

export interface Frame {
  type: number;
  payload: Uint8Array;
}

export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`WAN frame payload of ${payload.length} bytes (at most ${MAX_PAYLOAD})`);
  let sum = type + payload.length;
  for (const b of payload) sum += b;
  return Uint8Array.from([SYNC, type, payload.length, ...payload, (0x100 - (sum & 0xff)) & 0xff]);
}

/** A DLMS/COSEM wrapper frame (IEC 62056-47) on the same line: it starts with 0x00 (its version word 0x0001), its
 *  header is 8 bytes, the APDU length big-endian in the last two (firmware/runtime/README.md: the runtime tells the two
 *  framings apart by the first byte; a module hosting a DLMS server answers wrapper frames on this line). */
export const WRAPPER_FIRST = 0x00;
export const WRAPPER_HEAD = 8;
/** The longest APDU a meter's DLMS server sends (firmware/lib/dlms/server.ts: a 224-byte PDU in a ciphered
 *  envelope, its transmit buffer less the header): a longer length is line noise, not a frame to wait for — 64 KiB
 *  taken on trust would swallow every runtime frame after a stray `00 01`. */
export const WRAPPER_MAX_APDU = 256;

/**
 * Incremental parser of the bytes a node sends on its WAN line: its runtime's frames out (bad checksums and noise
 * are skipped, and counted), wrapper frames told apart by their first byte as the runtime does on receive, taken
 * whole by their length and handed to `onWrapper`. A wrapper frame is never hunted over for 0x7E: its ciphered APDU
 * holds any byte, and a stray 0x7E read as a frame's start swallowed the runtime's next frame (the closing log reads
 * of `hasm meter run` after a DLMS session, test/sancus/wan-line.test.ts).
 */
export class FrameParser {
  private buf: number[] = [];
  bad = 0;

  constructor(private readonly onWrapper?: (frame: Uint8Array) => void) {}

  push(bytes: Iterable<number>): Frame[] {
    for (const b of bytes) this.buf.push(b & 0xff);
    const out: Frame[] = [];
    for (;;) {
      // Between frames: anything but a frame's first byte is noise.
      const start = this.buf.findIndex((b, i) => b === SYNC || (b === WRAPPER_FIRST && (i + 1 === this.buf.length || this.buf[i + 1] === 1)));
      if (start < 0) {
        this.buf.length = 0;
        return out;
      }
      if (start > 0) this.buf.splice(0, start);
      if (this.buf[0] === WRAPPER_FIRST) {
        if (this.buf.length < 2) return out;
        if (this.buf[1] !== 1) {
          this.buf.splice(0, 1); // a 0x00 that is not a wrapper's version word: noise
          continue;
        }
        if (this.buf.length < WRAPPER_HEAD) return out;
        const apdu = (this.buf[6]! << 8) | this.buf[7]!;
        if (apdu > WRAPPER_MAX_APDU) {
          this.bad++;
          this.buf.splice(0, 1);
          continue;
        }
        const need = WRAPPER_HEAD + apdu;
        if (this.buf.length < need) return out;
        const frame = Uint8Array.from(this.buf.splice(0, need)); // taken whether or not anyone listens
        this.onWrapper?.(frame);
        continue;
      }
      if (this.buf.length < 3) return out;
      const len = this.buf[2]!;
      if (len > MAX_PAYLOAD) {
        this.bad++;
        this.buf.splice(0, 1);
        continue;
      }
      if (this.buf.length < len + 4) return out;
      const frame = this.buf.splice(0, len + 4);
      if (frame.slice(1).reduce((s, x) => s + x, 0) & 0xff) {
        this.bad++;
        continue;
      }
      out.push({ type: frame[1]!, payload: Uint8Array.from(frame.slice(3, 3 + len)) });
    }
  }
}

/** A byte line to a node's runtime: sends a request frame, returns the frames up to and including its answer. */
export interface WanLink {
  exchange(request: Uint8Array, isAnswer: (f: Frame) => boolean): Promise<Frame[]>;
  close(): Promise<void>;
}

const u16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const le16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];

export interface Layout {
  textStart: number;
  textEnd: number;
  dataStart: number;
  dataEnd: number;
}

/** The deployer's and the central system's view of one node's runtime. */
export class WanClient {
  /** Output events (0x10 frames) received so far and not yet taken. */
  readonly outputs: { connection: number; sealed: Uint8Array }[] = [];

  constructor(readonly node: string, readonly link: WanLink) {}

  private async request(type: number, payload: number[] | Uint8Array): Promise<Uint8Array> {
    const frames = await this.link.exchange(encodeFrame(type, Uint8Array.from(payload)), (f) => f.type === (type | REPLY) || f.type === T.error);
    const answer = frames.pop()!;
    for (const f of frames) {
      if (f.type === T.output && f.payload.length >= 10) this.outputs.push({ connection: u16(f.payload, 0), sealed: f.payload.slice(2) });
    }
    if (answer.type === T.error) {
      throw new OperationError(`node '${this.node}': the runtime refused message 0x${type.toString(16)}: ${ERRORS[answer.payload[0]!] ?? `error ${answer.payload[0]}`}`, { node: this.node, code: answer.payload[0] });
    }
    return answer.payload;
  }

  async hello(): Promise<{ version: number; slots: number; maxEvent: number; dropped: number }> {
    const p = await this.request(T.hello, []);
    return { version: p[0]!, slots: p[1]!, maxEvent: p[2]!, dropped: u16(p, 3) };
  }

  /** SM_ENABLE of the module laid out at `l` into runtime slot `slot`, then (if given) entry `init` called once;
   *  returns its ID (0: refused). */
  async enable(slot: number, vendorId: number, l: Layout, init?: number, confidential?: { nonce: number; tagAddress: number }): Promise<number> {
    const words = [confidential?.tagAddress ?? 0, confidential?.nonce ?? 0, vendorId, l.textStart, l.textEnd, l.dataStart, l.dataEnd];
    const p = await this.request(T.enable, [slot, ...words.flatMap(le16), ...(init === undefined ? [] : [init])]);
    return u16(p, 1);
  }

  /** Entry `index` of the module in `slot` with r12–r15 = args; returns r12–r15. */
  async call(slot: number, index: number, args: number[] = []): Promise<number[]> {
    const a = [0, 1, 2, 3].map((i) => (args[i] ?? 0) & 0xffff);
    const p = await this.request(T.call, [slot, index, ...a.flatMap(le16)]);
    return [0, 2, 4, 6].map((i) => u16(p, i));
  }

  async attest(slot: number, challenge: Uint8Array): Promise<{ result: number; tag: Uint8Array }> {
    const p = await this.request(T.attest, [slot, ...challenge]);
    return { result: u16(p, 0), tag: p.slice(2, 10) };
  }

  /** Installs a connection key; with `route`, the runtime also routes the request's connection (AD's first word)
   *  that way, to this slot, once the module accepted the key. */
  async setKey(slot: number, request: Uint8Array, route = 0): Promise<number> {
    return u16(await this.request(T.setKey, [slot, route, ...request]), 0);
  }

  /** An event from the WAN to the connection's input; true when the module accepted it (the runtime says so). */
  /** Up to 5 set-key requests in one frame, installed in order; returns each r12. */
  async setKeys(list: { slot: number; route: number; request: Uint8Array }[]): Promise<number[]> {
    if (list.length < 1 || list.length > SETKEYS_PER_FRAME) throw new RangeError(`setKeys: 1..${SETKEYS_PER_FRAME} requests per frame`);
    const p = await this.request(T.setKeys, list.flatMap((x) => [x.slot, x.route, ...x.request]));
    return list.map((_, i) => u16(p, 2 * i));
  }

  async event(connection: number, sealed: Uint8Array): Promise<boolean> {
    const p = await this.request(T.event, [...le16(connection), ...sealed]);
    return u16(p, 2) === 1;
  }

  async route(connection: number, kind: number, slot = 0): Promise<void> {
    await this.request(T.route, [...le16(connection), kind, slot]);
  }

  async periodic(slot: number, index: number, ticks: number): Promise<void> {
    await this.request(T.periodic, [slot, index, ...le16(ticks)]);
  }

  async start(): Promise<void> {
    await this.request(T.start, []);
  }

  takeOutputs(): { connection: number; sealed: Uint8Array }[] {
    return this.outputs.splice(0, this.outputs.length);
  }
}
