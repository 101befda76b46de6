// The untrusted event manager: collects the sealed events modules leave in their node's outbox and delivers them to
// the module input the connection names (runtime entry 2, handle_input). It sees only cipher ‖ tag and the
// connection id; it cannot read or forge an event, and a replayed or reordered one fails the counter check inside
// the receiving module. Deliberately untrusted: tests use it to inject forged, replayed and reordered events.
import { OperationError } from '../../toolchain/common/errors.ts';
import { OUTBOX, OUTBOX_SLOTS, OUTBOX_SLOT_BYTES } from '../../toolchain/sancus/module/runtime.ts';
import type { EmulatedNode } from './node.ts';

export interface SealedEvent {
  connection: number;
  /** cipher ‖ tag */
  sealed: Uint8Array;
}

export interface Route {
  node: EmulatedNode;
  module: string;
}

/** Index of the runtime's handle_input entry (toolchain/sancus/module/runtime.ts). */
export const HANDLE_INPUT = 2;

export class EventManager {
  readonly routes = new Map<number, Route>();
  /** Every event seen, in order (what an eavesdropper on the network would have). */
  readonly log: SealedEvent[] = [];

  /** Takes the pending events out of a node's outbox slots (pending flag, conn id, len, cipher ‖ tag), in order. */
  collect(node: EmulatedNode): SealedEvent[] {
    const out: SealedEvent[] = [];
    for (let k = 0; k < OUTBOX_SLOTS; k++) {
      const at = node.symbol(OUTBOX) + k * OUTBOX_SLOT_BYTES;
      const head = node.read(at, 6);
      if ((head[0]! | (head[1]! << 8)) === 0) continue;
      const connection = head[2]! | (head[3]! << 8);
      const len = head[4]! | (head[5]! << 8);
      const sealed = node.read(at + 6, len + 8);
      node.write(at, Uint8Array.of(0, 0));
      const e = { connection, sealed };
      this.log.push(e);
      out.push(e);
    }
    return out;
  }

  /** The one pending event of a node (tests that make one output per call), or undefined; refuses more than one. */
  collectOne(node: EmulatedNode): SealedEvent | undefined {
    const all = this.collect(node);
    if (all.length > 1) throw new OperationError(`event manager: ${all.length} events pending on node ${node.name}, expected at most one`);
    return all[0];
  }

  /** Hands an event to the module input its connection is routed to; true when the module accepted it. */
  deliver(e: SealedEvent): boolean {
    const route = this.routes.get(e.connection);
    if (!route) throw new OperationError(`event manager: no route for connection ${e.connection}`);
    const box = route.node.mailbox;
    route.node.write(box, e.sealed);
    const r = route.node.callEntry(route.module, HANDLE_INPUT, [e.connection, box, e.sealed.length - 8]);
    return r.registers[12] === 1;
  }
}
