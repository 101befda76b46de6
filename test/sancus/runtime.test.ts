// The module runtime's own rules (toolchain/sancus/module/runtime.ts), on the example modules of host/deploy/examples:
// a connection's counter is 32 bits on both sides (events keep working, in order only, past a byte and past 16
// bits), a connection id is keyed once, an event reaches only its input's handler, and an entry a module cannot
// serve (handle_input without inputs, set_key without io) fails at once.
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

// Inputs around an output: the handler table has a hole (io 1), which no event may reach.
const MIX: ModuleSpec = {
  name: 'mix',
  vendorId: 0x0777,
  source: [
    'mix_a:', '  mov @r12, &mix_last', '  mov #1, &mix_who', '  ret',
    'mix_b:', '  mov @r12, &mix_last', '  mov #2, &mix_who', '  ret',
    'mix_state:', '  mov &mix_who, r12', '  mov &mix_last, r13', '  ret',
    '  .section .data.sm.mix, "aw"', 'mix_last: .word 0', 'mix_who: .word 0', '',
  ].join('\n'),
  entries: [{ name: 'mix_state', results: 2 }],
  io: { io: [{ kind: 'input', name: 'a', handler: 'mix_a' }, { kind: 'output', name: 'o' }, { kind: 'input', name: 'b', handler: 'mix_b' }], slots: 3 },
};

function setup() {
  const board = boardWith({ violation: 'reset' });
  const built = buildNodeImage(board, [METER, RELAY, PLAIN, MIX]);
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
  return { node, keys, mailbox, setKey, built };
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

  it('counters are 32 bits: past 0xFFFF the next event has counter 0x10000, and one sealed with counter 0 (a 16-bit wrap) is refused', () => {
    const s = setup();
    const key = rnd(8);
    expect(s.setKey('meter', 1, 0, 0, key)).toBe(1);
    expect(s.setKey('relay', 1, 0, 0, key)).toBe(1);
    // Debugger view: both ends' counters set to 0xFFFE (slot 0: conn id, io id, then the counter big-endian), as
    // after 65,534 events — 18 hours of a once-a-second connection.
    const mem = s.node.machine.bus.mem;
    for (const m of ['meter', 'relay']) mem.set([0, 0, 0xff, 0xfe], s.node.symbol(`__sm_${m}_conns`) + 4);
    const em = new EventManager();
    em.routes.set(1, { node: s.node, module: 'relay' });
    const recorded: ReturnType<typeof em.collectOne>[] = [];
    for (const counter of [0xfffe, 0xffff, 0x10000, 0x10001]) {
      expect(s.node.callEntry('meter', 3, [counter & 0xffff]).registers[12]).toBe(1);
      const e = em.collectOne(s.node)!;
      expect(openEvent(key, counter, e.sealed)).toEqual(Uint8Array.of(counter & 0xff, (counter >> 8) & 0xff));
      expect(openEvent(key, counter & 0xffff, e.sealed) === null).toBe(counter > 0xffff);
      if (counter <= 0xffff) expect(em.deliver(e)).toBe(true);
      else recorded.push(e);
    }
    // what a 16-bit counter would take after its wrap: an event sealed with counter 0, 1 (as recorded at the start)
    expect(em.deliver({ connection: 1, sealed: sealEvent(key, 0, Uint8Array.of(1, 0)) })).toBe(false);
    expect(em.deliver(recorded[0]!)).toBe(true);
    expect(em.deliver(recorded[1]!)).toBe(true);
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(1);
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

  it('an event reaches the handler of its connection\'s input; one on an output\'s connection reaches none', () => {
    const s = setup();
    const [ka, ko, kb] = [rnd(8), rnd(8), rnd(8)];
    expect(s.setKey('mix', 1, 0, 0, ka)).toBe(1);
    expect(s.setKey('mix', 2, 1, 1, ko)).toBe(1);
    expect(s.setKey('mix', 3, 2, 2, kb)).toBe(1);
    const em = new EventManager();
    for (const c of [1, 2, 3]) em.routes.set(c, { node: s.node, module: 'mix' });
    const state = () => Array.from(s.node.callEntry('mix', 3).registers.slice(12, 14));
    expect(em.deliver({ connection: 3, sealed: sealEvent(kb, 0, Uint8Array.of(0x34, 0x12)) })).toBe(true);
    expect(state()).toEqual([2, 0x1234]);
    expect(em.deliver({ connection: 1, sealed: sealEvent(ka, 0, Uint8Array.of(0x78, 0x56)) })).toBe(true);
    expect(state()).toEqual([1, 0x5678]);
    // genuine, but io 1 is an output: refused through the stub's exit (0, the other result registers cleared)
    const r = s.node.callEntry('mix', 2, [2, s.mailbox(sealEvent(ko, 0, Uint8Array.of(0xbc, 0x9a))), 2]).registers;
    expect(Array.from(r.slice(12, 16))).toEqual([0, 0, 0, 0]);
    expect(state()).toEqual([1, 0x5678]);
    expect(s.node.sancus.violations).toEqual([]);
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
    // and their code is left out: the entry table names fail (the relay, with inputs and outputs, keeps both)
    const has = (name: string) => s.built.image.symbols.some((x) => x.name === name);
    expect([has('__sm_meter_handle_input'), has('__sm_plain_set_key'), has('__sm_plain_handle_input')]).toEqual([false, false, false]);
    expect([has('__sm_relay_handle_input'), has('__sm_relay_set_key'), has('__sm_meter_set_key')]).toEqual([true, true, true]);
  });
});
