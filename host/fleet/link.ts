// The central system's link to a meter running in a fleet worker (host/central/link.ts MeterLink): commands are
// sealed here under the key the deployer kept for `wan.central → cs.command` and carried through the data
// concentrator (which cannot read them) to the worker; what the meter sends the head end arrives through the
// concentrator too and is opened here under the head end's keys with each connection's next counter.
import { OperationError } from '../../toolchain/common/errors.ts';
import { NOT_HEAD_END } from '../central/messages.ts';
import { fingerprint } from '../central/store.ts';
import { openInbound, wholeWords } from '../central/deploy-link.ts';
import type { MeterLink, Received } from '../central/link.ts';
import { MAX_EVENT_COUNTER, openEvent, sealEvent } from '../deploy/protocol.ts';
import type { EndInfo } from './protocol.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Milliseconds spent sealing and opening on the main thread (the bench's crypto column). */
export const cryptoClock = { ms: 0 };

export function timed<T>(f: () => T): T {
  const t = performance.now();
  try {
    return f();
  } finally {
    cryptoClock.ms += performance.now() - t;
  }
}

export class WorkerLink implements MeterLink {
  readonly identity: string;
  readonly keyHex: string;
  readonly firstCounter: number;
  readonly maxCounter = MAX_EVENT_COUNTER;
  rejected = 0;
  private readonly out: EndInfo;
  private readonly ins: Map<number, EndInfo>;
  /** Sealed events the concentrator relayed, not yet opened. */
  readonly inbox: { connection: number; sealed: Uint8Array }[] = [];

  constructor(readonly meter: string, ends: EndInfo[], private readonly carry: (connection: number, sealed: Uint8Array) => Promise<boolean>) {
    const out = ends.find((e) => e.direction === 'to-node' && e.name === 'central');
    if (!out) throw new OperationError(`meter ${meter}: its deployment has no connection from wan.central (the central system's commands)`, { meter });
    this.out = out;
    this.ins = new Map(ends.filter((e) => e.direction === 'from-node' && !NOT_HEAD_END.includes(e.name)).map((e) => [e.id, e]));
    this.keyHex = hex(out.key);
    this.firstCounter = out.counter;
    this.identity = `${meter}/sancus-connection-${out.id}/${fingerprint(this.keyHex)}`;
  }

  seal(value: number, plaintext: Uint8Array): Uint8Array {
    return timed(() => sealEvent(this.out.key, value, wholeWords(plaintext)));
  }

  send(sealed: Uint8Array): Promise<boolean> {
    return this.carry(this.out.id, sealed);
  }

  async receive(): Promise<Received[]> {
    const { got, rejected } = openInbound(this.ins, this.inbox.splice(0), (key, counter, sealed) => timed(() => openEvent(key, counter, sealed)));
    this.rejected += rejected;
    return got;
  }

  async close(): Promise<void> {}
}
