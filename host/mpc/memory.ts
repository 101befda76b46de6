import { Inbox, MpcAbort, PARTIES, type PartyId, type Transport } from './transport.ts';

// Three parties in one process over in-memory queues: the same frames as over TLS, used by the tests.

export interface MemoryOptions {
  timeoutMs?: number;
  /** Lets a test corrupt or drop frames: return the frame to deliver, or undefined to close the sender. */
  tamper?: (from: PartyId, to: PartyId, frame: Uint8Array) => Uint8Array | undefined;
}

export function memoryNetwork(opts: MemoryOptions = {}): Record<PartyId, Transport> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const inbox = new Map<string, Inbox>();
  for (const a of PARTIES) for (const b of PARTIES) if (a !== b) inbox.set(`${a}>${b}`, new Inbox(`party ${b}: waiting for party ${a}`, timeoutMs));
  const closed = new Set<PartyId>();
  const closeParty = (id: PartyId) => {
    if (closed.has(id)) return;
    closed.add(id);
    for (const b of PARTIES) if (b !== id) inbox.get(`${id}>${b}`)!.fail(new MpcAbort(`party ${id} disconnected`));
  };
  const make = (id: PartyId): Transport => ({
    id,
    send(peer, frame) {
      if (closed.has(id)) return;
      const f = opts.tamper ? opts.tamper(id, peer, frame) : frame;
      if (f === undefined) closeParty(id);
      else inbox.get(`${id}>${peer}`)!.push(f.slice());
    },
    recv(peer) {
      return inbox.get(`${peer}>${id}`)!.next();
    },
    close() {
      closeParty(id);
    },
  });
  return { 1: make(1), 2: make(2), 3: make(3) };
}
