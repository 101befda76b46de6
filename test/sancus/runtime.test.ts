// The module runtime's own rules (toolchain/sancus/module/runtime.ts), on the example modules of host/deploy/examples:
// a connection's counter is 16 bits on both sides (events keep working, in order only, past 255), a connection id is
// keyed once, and an entry a module cannot serve (handle_input without inputs, set_key without io) fails at once.
import { describe, expect, it } from 'vitest';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { EventManager } from '../../host/deploy/event-manager.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { openEvent, sealEvent, setKeyRequest } from '../../host/deploy/protocol.ts';
import { METER, RELAY } from '../../host/deploy/examples/modules.ts';
import { DEFAULT_NODE_KEY, deriveVendorKey } from '../../toolchain/sancus/index.ts';
import { expectedModuleKey, type ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { boardWith } from './emu.ts';
import { seededBytes } from './vectors.ts';

const rnd = seededBytes(0x5e7c0);
const PLAIN: ModuleSpec = { name: 'plain', vendorId: 0x0abc, source: 'plain_one:\n  mov #1, r12\n  ret\n', entries: [{ name: 'plain_one' }] };

function setup() {
  const board = boardWith({ violation: 'reset' });
  const built = buildNodeImage(board, [METER, RELAY, PLAIN]);
  const node = new EmulatedNode('n1', board, built.image, built.modules);
  const keys: Record<string, Uint8Array> = {};
  for (const m of built.modules) {
    keys[m.name] = expectedModuleKey(m, deriveVendorKey(DEFAULT_NODE_KEY, m.vendorId));
    expect(node.enable(m.name)).toBeGreaterThan(0);
  }
  const mailbox = (bytes: Uint8Array) => {
    node.write(node.mailbox, bytes);
    return node.mailbox;
  };
  const setKey = (module: string, conn: number, io: number, nonce: number, key: Uint8Array) =>
    node.callEntry(module, 1, [mailbox(setKeyRequest(keys[module]!, conn, io, nonce, key))]).registers[12];
  return { node, keys, mailbox, setKey };
}

describe('module runtime', () => {
  it('counters run past a byte: 300 events out of meter and into relay, each in order; a replay or a skip is refused', () => {
    const s = setup();
    const key = rnd(8);
    expect(s.setKey('meter', 1, 0, 0, key)).toBe(1);
    expect(s.setKey('relay', 1, 0, 0, key)).toBe(1);
    const em = new EventManager();
    em.routes.set(1, { node: s.node, module: 'relay' });
    let kept: ReturnType<typeof em.collectOne>;
    for (let i = 0; i < 300; i++) {
      expect(s.node.callEntry('meter', 3, [i]).registers[12]).toBe(1);
      const e = em.collectOne(s.node)!;
      // the meter wrapped with AD = its counter, big-endian: the host opens event i with counter i only
      expect(openEvent(key, i, e.sealed)).toEqual(Uint8Array.of(i & 0xff, i >> 8));
      expect(openEvent(key, i ^ 0x100, e.sealed)).toBeNull();
      expect(em.deliver(e)).toBe(true);
      if (i === 255) kept = e;
    }
    expect(s.node.callEntry('relay', 4).registers[12]).toBe(300);
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(299);
    expect(em.deliver(kept!)).toBe(false); // replayed after the byte carry
    expect(em.deliver({ connection: 1, sealed: sealEvent(key, 301, Uint8Array.of(7, 0)) })).toBe(false); // skips 300
    expect(em.deliver({ connection: 1, sealed: sealEvent(key, 300, Uint8Array.of(7, 0)) })).toBe(true); // the next
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(7);
    expect(s.node.sancus.violations).toEqual([]);
  });

  it('a connection id is keyed once: a second genuine request for it (right nonce) is refused, the first key stays', () => {
    const s = setup();
    const [k1, k2] = [rnd(8), rnd(8)];
    expect(s.setKey('relay', 5, 0, 0, k1)).toBe(1);
    expect(s.setKey('relay', 5, 0, 1, k2)).toBe(0);
    // twin: another connection id with that nonce is keyed
    expect(s.setKey('relay', 6, 0, 1, k2)).toBe(1);
    const em = new EventManager();
    em.routes.set(5, { node: s.node, module: 'relay' });
    expect(em.deliver({ connection: 5, sealed: sealEvent(k2, 0, Uint8Array.of(9, 0)) })).toBe(false);
    expect(em.deliver({ connection: 5, sealed: sealEvent(k1, 0, Uint8Array.of(9, 0)) })).toBe(true);
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(9);
  });

  it('entries a module cannot serve fail: handle_input of a module without inputs, set_key of one without io', () => {
    const s = setup();
    const key = rnd(8);
    expect(s.setKey('meter', 1, 0, 0, key)).toBe(1);
    // a genuine event on the meter's (output) connection: the meter has no input, so its handle_input refuses it
    const sealed = sealEvent(key, 0, Uint8Array.of(1, 0));
    expect(s.node.callEntry('meter', 2, [1, s.mailbox(sealed), 2]).registers[12]).toBe(0);
    expect(s.setKey('plain', 1, 0, 0, key)).toBe(0);
    expect(s.node.callEntry('plain', 2, [1, s.mailbox(sealed), 2]).registers[12]).toBe(0);
    // twins: their own entries and attest still work, and the meter's output still leaves with counter 0
    expect(s.node.callEntry('plain', 3).registers[12]).toBe(1);
    expect(s.node.callEntry('meter', 3, [42]).registers[12]).toBe(1);
    expect(openEvent(key, 0, new EventManager().collectOne(s.node)!.sealed)).toEqual(Uint8Array.of(42, 0));
    expect(s.node.sancus.violations).toEqual([]);
  });
});
