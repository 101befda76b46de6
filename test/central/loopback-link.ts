// A test double of a meter's link (test/ only, never product code): a meter that keeps the Sancus connection rule —
// it accepts an event only under the next counter value — and a wire that records, durably, every byte string the
// central system sent (one line per send: counter value and sealed bytes). The meter's state is the wire itself,
// so it survives the central system's process being killed. Sealing is deterministic (a keyed hash of counter and
// plaintext), as SpongeWrap is: the same value and plaintext give the same bytes.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { MeterLink, Received } from '../../host/central/link.ts';

export interface WireLine {
  value: number;
  sealed: string;
}

export function readWire(file: string): WireLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [v, s] = l.split(' ');
      return { value: Number(v), sealed: s! };
    });
}

export class LoopbackLink implements MeterLink {
  readonly identity: string;
  readonly firstCounter = 0;
  rejected = 0;
  /** What the meter sends back, queued by the test. */
  readonly pending: Received[] = [];
  private meterNext: number;

  /** Told before the bytes go on the wire and after (the kill test prints these, so kills land in between). */
  onSend?: (stage: 'sending' | 'on-wire', value: number) => void;

  constructor(readonly meter: string, readonly keyHex: string, private readonly wire: string, readonly maxCounter = 0xffff) {
    this.identity = `${meter}/loopback/${keyHex.slice(0, 8)}`;
    // The meter's counter: the values it accepted, in order, as the wire shows them.
    let next = 0;
    for (const l of readWire(wire)) if (l.value === next) next++;
    this.meterNext = next;
  }

  seal(value: number, plaintext: Uint8Array): Uint8Array {
    const tag = createHash('sha256').update(this.keyHex).update(String(value)).update(plaintext).digest().subarray(0, 8);
    return Uint8Array.from([value & 0xff, (value >> 8) & 0xff, ...plaintext, ...tag]);
  }

  async send(sealed: Uint8Array): Promise<boolean> {
    const value = sealed[0]! | (sealed[1]! << 8);
    this.onSend?.('sending', value);
    const fd = openSync(this.wire, 'a');
    try {
      writeSync(fd, `${value} ${Buffer.from(sealed).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.onSend?.('on-wire', value);
    if (value !== this.meterNext) return false;
    this.meterNext++;
    return true;
  }

  async receive(): Promise<Received[]> {
    return this.pending.splice(0);
  }

  async close(): Promise<void> {}
}
