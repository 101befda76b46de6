// MeterLink over a host/deploy session: the meter's modules deployed on a node with the firmware runtime (emulated,
// or a board on a serial line), the central system holding the keys of the connections whose other end is the
// host on the WAN — `wan.NAME → cs.command` to send, `MODULE.OUTPUT → wan.NAME` to receive (firmware/cs: uplink;
// firmware/logs: entry). Events are sealed and opened with the Sancus connection protocol (host/deploy/protocol.ts:
// SpongeWrap, AD = the connection's 32-bit counter; the module accepts only the next counter value).
import { OperationError } from '../../toolchain/common/errors.ts';
import type { DeploySession, WanEnd } from '../deploy/deploy.ts';
import { MAX_EVENT_COUNTER, openEvent, sealEvent } from '../deploy/protocol.ts';
import type { SealedEvent } from '../deploy/event-manager.ts';
import { NOT_HEAD_END } from './messages.ts';
import { fingerprint } from './store.ts';
import type { MeterLink, Received } from './link.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface DeployLinkOptions {
  /** The WAN endpoint the commands go out on (default: `central`, or the session's one connection from the WAN). */
  command?: string;
  /** The module that connection goes to (default `cs`, the CS security module). */
  module?: string;
  /** WAN endpoints that are not the head end's (default NOT_HEAD_END: the data concentrator's, the evaluators'). */
  exclude?: string[];
}

/** Module payloads are whole 16-bit words (firmware/README.md): an odd length is padded with a zero byte. */
export function wholeWords(plaintext: Uint8Array): Uint8Array {
  return plaintext.length % 2 ? Uint8Array.from([...plaintext, 0]) : plaintext;
}

/**
 * What a meter sent the head end, opened: each event under its connection's key and that connection's next counter
 * (the module's own rule, so a replayed or reordered event does not open), the counter advanced only when it did.
 * Events on connections not in `ins` (between two nodes, or for the data concentrator and the evaluators) are
 * skipped; those that do not open are counted in `rejected`. `open` lets a caller time the crypto (host/fleet).
 */
export function openInbound(
  ins: Map<number, WanEnd>,
  events: Iterable<SealedEvent>,
  open: (key: Uint8Array, counter: number, sealed: Uint8Array) => Uint8Array | null = openEvent,
): { got: Received[]; rejected: number } {
  const got: Received[] = [];
  let rejected = 0;
  for (const e of events) {
    const end = ins.get(e.connection);
    if (!end) continue;
    const plain = open(end.key, end.counter, e.sealed);
    if (!plain) {
      rejected++;
      continue;
    }
    end.counter++;
    got.push({ channel: end.name, plaintext: plain });
  }
  return { got, rejected };
}

export class DeployLink implements MeterLink {
  readonly identity: string;
  readonly keyHex: string;
  readonly firstCounter: number;
  readonly maxCounter = MAX_EVENT_COUNTER;
  rejected = 0;
  private readonly out: WanEnd;
  private readonly ins: Map<number, WanEnd>;

  constructor(readonly meter: string, private readonly session: DeploySession, private readonly options: DeployLinkOptions = {}) {
    const ends = [...session.wanEnds.values()];
    // The command connection: the one named, else the one from `wan.central`, else the only one from the WAN.
    const toNode = ends.filter((e) => e.direction === 'to-node');
    const name = options.command ?? (toNode.some((e) => e.name === 'central') ? 'central' : undefined);
    const outs = toNode.filter((e) => !name || e.name === name);
    if (outs.length !== 1) {
      throw new OperationError(`meter ${meter}: the deployment needs exactly one connection from the WAN${options.command ? ` named wan.${options.command}` : ''} to CS security (found ${outs.map((e) => `wan.${e.name}`).join(', ') || 'none'})`, { meter });
    }
    this.out = outs[0]!;
    // What the meter sends the head end: every output to the WAN except the data concentrator's (`wan.dc`: the
    // DC security module's masked readings are for the data concentrator, seed §4.3, not for the head end) and the
    // evaluators' shares (`wan.mpc1..3`, seed chapter 6).
    const dc = options.exclude ?? NOT_HEAD_END;
    this.ins = new Map(ends.filter((e) => e.direction === 'from-node' && !dc.includes(e.name)).map((e) => [e.id, e]));
    this.keyHex = hex(this.out.key);
    this.firstCounter = this.out.counter;
    this.identity = `${meter}/sancus-connection-${this.out.id}/${fingerprint(this.keyHex)}`;
  }

  seal(value: number, plaintext: Uint8Array): Uint8Array {
    return sealEvent(this.out.key, value, wholeWords(plaintext));
  }

  /** The node whose runtime delivers the command connection to its module (the deployer set up that route). */
  private target() {
    const name = this.options.module ?? 'cs';
    const p = this.session.modules.get(name);
    if (!p?.node.wan) throw new OperationError(`meter ${this.meter}: no module '${name}' on a node with the firmware runtime to send commands to`, { meter: this.meter });
    return p.node;
  }

  async send(sealed: Uint8Array): Promise<boolean> {
    return this.target().wan!.event(this.out.id, sealed);
  }

  async receive(): Promise<Received[]> {
    const events: SealedEvent[] = [];
    for (const n of this.session.nodes.values()) {
      if (n.wan) events.push(...n.wan.takeOutputs());
      // Output frames the node sent on its own while the host was not waiting for an answer.
      if (n.firmware) for (const f of n.firmware.takeFrames()) if (f.type === 0x10 && f.payload.length >= 10) events.push({ connection: f.payload[0]! | (f.payload[1]! << 8), sealed: f.payload.slice(2) });
    }
    const { got, rejected } = openInbound(this.ins, events);
    this.rejected += rejected;
    return got;
  }

  /** The deployment belongs to whoever deployed it (serve.ts closes it); the link holds nothing else. */
  async close(): Promise<void> {}
}
