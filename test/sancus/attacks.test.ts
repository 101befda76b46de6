// The attack suite (issue 10): every attack fails and is detected, and each has a positive twin showing the
// legitimate path works. Runs on the emulated Sancus node with the meter/relay example modules
// (host/deploy/examples) and hand-written attacker code.
import { describe, expect, it } from 'vitest';
import type { Board } from '../../boards/board.ts';
import type { Device } from '../../toolchain/emulator/device.ts';
import { DEFAULT_NODE_KEY, deriveVendorKey, enableCycles } from '../../toolchain/sancus/index.ts';
import { confidentialize, expectedModuleKey, type ModuleInfo, type ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { EventManager } from '../../host/deploy/event-manager.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { attestationTag, sealEvent, setKeyRequest, CHALLENGE_BYTES } from '../../host/deploy/protocol.ts';
import { METER, RELAY } from '../../host/deploy/examples/modules.ts';
import { boardWith } from './emu.ts';
import { seededBytes } from './vectors.ts';

const rnd = seededBytes(0xa77ac4);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Attacker code linked into the node's unprotected part: each routine is called by the test as a function.
const ATTACKER = `
  .text
  .global atk_read
atk_read:           ; r12 = address → r12 = word there
  mov @r12, r12
  ret
  .global atk_write
atk_write:          ; r12 = address, r13 = value
  mov r13, 0(r12)
  ret
  .global atk_jump
atk_jump:           ; r12 = address to jump to
  mov r12, pc
  .global atk_disable
atk_disable:        ; SM_DISABLE from unprotected code
  mov #atk_after, r15
  .word 0x1380
  mov r15, r12
  ret
atk_after:
  mov #0x7777, r12
  ret
  .global atk_isr
atk_isr:            ; timer ISR: records the registers it finds
  mov r4, &atk_seen
  mov r5, &atk_seen+2
  mov r6, &atk_seen+4
  mov r7, &atk_seen+6
  mov r8, &atk_seen+8
  mov r9, &atk_seen+10
  mov r10, &atk_seen+12
  mov r11, &atk_seen+14
  mov r12, &atk_seen+16
  mov r13, &atk_seen+18
  mov r14, &atk_seen+20
  mov r15, &atk_seen+22
  inc &atk_irqs
  reti
  .global atk_call_gie
atk_call_gie:       ; calls module entry r11 with index r10 and interrupts enabled
  mov r10, r6
  eint
  call r11
  dint
  nop
  ret
  .global atk_violation_isr
atk_violation_isr:
  inc &atk_violations
  mov #0x5a80, &0x0120
  dint
1: jmp 1b
  .data
  .global atk_seen
atk_seen: .space 24
  .global atk_irqs
atk_irqs: .word 0
  .global atk_violations
atk_violations: .word 0
  .section .vec_sancus, "a"
  .word atk_violation_isr
`;

// A snooping module: entry 3 reads the word at r12 (used to read another module's data).
const SNOOP: ModuleSpec = {
  name: 'snoop',
  vendorId: 0x0bad,
  source: 'snoop_read:\n  mov @r12, r12\n  ret\nsnoop_own:\n  mov &snoop_secret, r12\n  ret\n  .section .data.sm.snoop, "aw"\nsnoop_secret: .word 0x5eed\n',
  entries: [{ name: 'snoop_read' }, { name: 'snoop_own' }],
};

interface Setup {
  node: EmulatedNode;
  info: Record<string, ModuleInfo>;
  keys: Record<string, Uint8Array>;
}

function setup(opts: { board?: Board; modules?: ModuleSpec[]; enable?: boolean } = {}): Setup {
  // The reset policy (RESET_ON_VIOLATION) unless a case names the board: boards/emulated.json takes the interrupt.
  const board = opts.board ?? boardWith({ violation: 'reset' });
  const modules = opts.modules ?? [METER, RELAY, SNOOP];
  const place = { '.vec_sancus': 0xfffa };
  const built = buildNodeImage(board, modules, [{ source: ATTACKER, file: 'attacker.s' }], place);
  const node = new EmulatedNode('n1', board, built.image, built.modules);
  const info: Record<string, ModuleInfo> = {};
  const keys: Record<string, Uint8Array> = {};
  for (const m of built.modules) {
    info[m.name] = m;
    keys[m.name] = expectedModuleKey(m, deriveVendorKey(DEFAULT_NODE_KEY, m.vendorId));
  }
  if (opts.enable !== false) for (const m of modules) expect(node.enable(m.name)).toBeGreaterThan(0);
  return { node, info, keys };
}

const sym = (s: Setup, n: string) => s.node.symbol(n);
const call = (s: Setup, name: string, args: number[] = []) => s.node.call(sym(s, name), args).registers[12]!;
/** Calls expecting the node to be reset by the violation (board policy: reset). */
function callExpectingReset(s: Setup, name: string, args: number[]): void {
  expect(() => s.node.call(sym(s, name), args)).toThrow(/ended with 'halt'/);
  expect(s.node.machine.pucLog.at(-1)?.reason).toMatch(/^sancus /);
  expect(s.node.sancus.modules()).toEqual([]); // PUC clears the module table: the secrets' keys are gone
}

function connect(s: Setup, connKey: Uint8Array): EventManager {
  expect(s.node.callEntry('meter', 1, [writeMailbox(s, setKeyRequest(s.keys.meter!, 1, 0, 0, connKey))]).registers[12]).toBe(1);
  expect(s.node.callEntry('relay', 1, [writeMailbox(s, setKeyRequest(s.keys.relay!, 1, 0, 0, connKey))]).registers[12]).toBe(1);
  const em = new EventManager();
  em.routes.set(1, { node: s.node, module: 'relay' });
  return em;
}

function writeMailbox(s: Setup, bytes: Uint8Array): number {
  s.node.write(s.node.mailbox, bytes);
  return s.node.mailbox;
}

describe('attack: unprotected code touches a module\'s data', () => {
  it('a read is stopped (reads nothing), recorded with pc/address/module, and resets the node', () => {
    const s = setup();
    const secret = s.info.snoop!.symbols.snoop_secret!;
    callExpectingReset(s, 'atk_read', [secret]);
    const v = s.node.sancus.violations[0]!;
    expect(v).toMatchObject({ kind: 'read', address: secret, module: s.node.module('snoop').id, from: 0 });
    expect(v.pc).toBe(sym(s, 'atk_read'));
    expect(s.node.machine.r[12]).not.toBe(0x5eed);
  });

  it('with the violation-IRQ policy the access is stopped and the handler at 0xFFFA runs, modules stay', () => {
    const s = setup({ board: boardWith({ violation: 'irq' }) });
    const secret = s.info.snoop!.symbols.snoop_secret!;
    expect(() => s.node.call(sym(s, 'atk_read'), [secret])).toThrow(/ended with 'halt'/);
    expect(s.node.read(sym(s, 'atk_violations'), 1)[0]).toBe(1);
    expect(s.node.sancus.modules().length).toBe(3);
  });

  it('a write is stopped and recorded; the secret is unchanged', () => {
    const s = setup();
    const secret = s.info.snoop!.symbols.snoop_secret!;
    callExpectingReset(s, 'atk_write', [secret, 0x0000]);
    expect(s.node.sancus.violations[0]).toMatchObject({ kind: 'write', address: secret });
    expect(s.node.machine.bus.peekWord(secret)).toBe(0x5eed);
  });

  it('twin: the module reads its own data through its entry', () => {
    const s = setup();
    expect(s.node.callEntry('snoop', 4).registers[12]).toBe(0x5eed);
    expect(s.node.sancus.violations).toEqual([]);
  });
});

describe('attack: jump into the middle of a module', () => {
  it('is an exec violation at the target address', () => {
    const s = setup();
    const mid = s.info.relay!.symbols.relay_state!;
    callExpectingReset(s, 'atk_jump', [mid]);
    expect(s.node.sancus.violations[0]).toMatchObject({ kind: 'exec', address: mid, pc: mid, from: 0 });
  });
  it('twin: entering at the entry point with the same function\'s index works', () => {
    const s = setup();
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(0);
    expect(s.node.sancus.violations).toEqual([]);
  });
});

describe('attack: write a module\'s text', () => {
  it('from unprotected code: a write violation on the text, the text unchanged', () => {
    const s = setup();
    const at = s.info.relay!.layout.textStart + 8;
    const before = s.node.machine.bus.peekWord(at);
    callExpectingReset(s, 'atk_write', [at, 0x4303]);
    expect(s.node.sancus.violations[0]).toMatchObject({ kind: 'write', address: at, module: 2 });
    expect(s.node.machine.bus.peekWord(at)).toBe(before);
  });
  it('twin: the same write to unprotected memory goes through', () => {
    const s = setup();
    const at = s.node.mailbox;
    call(s, 'atk_write', [at, 0x4303]);
    expect(s.node.machine.bus.peekWord(at)).toBe(0x4303);
    expect(s.node.sancus.violations).toEqual([]);
  });
});

describe('attack: a module reads another module\'s data', () => {
  it('snoop reading relay\'s data is a read violation from module snoop', () => {
    const s = setup();
    const target = s.info.relay!.symbols.relay_value!;
    expect(() => s.node.callEntry('snoop', 3, [target])).toThrow(/ended with 'halt'/);
    expect(s.node.sancus.violations[0]).toMatchObject({ kind: 'read', address: target, module: s.node.module('relay').id, from: s.node.module('snoop').id });
  });
  it('twin: snoop reads its own secret', () => {
    const s = setup();
    expect(s.node.callEntry('snoop', 3, [s.info.snoop!.symbols.snoop_secret!]).registers[12]).toBe(0x5eed);
  });
});

describe('attack: forged, replayed and reordered events to a module input', () => {
  it('twin first: genuine events pass in order and act on the relay', () => {
    const s = setup();
    const em = connect(s, rnd(8));
    for (const v of [1, 0, 1]) {
      expect(s.node.callEntry('meter', 3, [v]).registers[12]).toBe(1);
      const e = em.collectOne(s.node)!;
      expect(e.sealed.length).toBe(2 + 8);
      expect(hex(e.sealed.slice(0, 2))).not.toBe(hex(Uint8Array.of(v, 0))); // the reading is not in clear
      expect(em.deliver(e)).toBe(true);
      expect(s.node.callEntry('relay', 3).registers[12]).toBe(v);
    }
    expect(s.node.callEntry('relay', 4).registers[12]).toBe(3);
  });

  it('a forged event (attacker without the connection key) is refused and changes nothing', () => {
    const s = setup();
    const em = connect(s, rnd(8));
    for (const forged of [sealEvent(rnd(8), 0, Uint8Array.of(1, 0)), Uint8Array.from([1, 0, ...rnd(8)])]) {
      expect(em.deliver({ connection: 1, sealed: forged })).toBe(false);
    }
    expect(s.node.callEntry('relay', 4).registers[12]).toBe(0);
    // Twin: a genuine event after the forgeries still passes (the counter did not move).
    s.node.callEntry('meter', 3, [1]);
    expect(em.deliver(em.collectOne(s.node)!)).toBe(true);
  });

  it('a replayed event is refused; reordered events: the later one first is refused', () => {
    const s = setup();
    const em = connect(s, rnd(8));
    s.node.callEntry('meter', 3, [1]);
    const e1 = em.collectOne(s.node)!;
    expect(em.deliver(e1)).toBe(true);
    expect(em.deliver(e1)).toBe(false); // replay
    s.node.callEntry('meter', 3, [0]);
    const e2 = em.collectOne(s.node)!;
    s.node.callEntry('meter', 3, [1]);
    const e3 = em.collectOne(s.node)!;
    expect(em.deliver(e3)).toBe(false); // out of order
    expect(em.deliver(e2)).toBe(true);
    expect(em.deliver(e3)).toBe(true);
    expect(s.node.callEntry('relay', 4).registers[12]).toBe(3);
  });

  it('set_key: a replayed key request (stale nonce) and one under the wrong module key are refused', () => {
    const s = setup();
    const k = rnd(8);
    const req = setKeyRequest(s.keys.relay!, 1, 0, 0, k);
    expect(s.node.callEntry('relay', 1, [writeMailbox(s, req)]).registers[12]).toBe(1);
    expect(s.node.callEntry('relay', 1, [writeMailbox(s, req)]).registers[12]).toBe(0);
    expect(s.node.callEntry('relay', 1, [writeMailbox(s, setKeyRequest(s.keys.meter!, 2, 0, 1, k))]).registers[12]).toBe(0);
    expect(s.node.callEntry('relay', 1, [writeMailbox(s, setKeyRequest(s.keys.relay!, 2, 0, 1, k))]).registers[12]).toBe(1);
  });
});

describe('attack: protect a range overlapping an enabled module', () => {
  it('enabling over relay\'s text is a create violation; the enable returns 0 and the ID is given back', () => {
    const s = setup({ board: boardWith({ violation: 'irq' }) });
    const l = s.info.relay!.layout;
    // The violation interrupt's handler (atk_violation_isr) parks the CPU: the loader's call does not return.
    expect(() => s.node.call(sym(s, '__ld_enable'), [l.textStart + 4, l.textEnd + 4, 0x2000, 0x2010], { 9: 0, 10: 0, 11: 1 }))
      .toThrow(/create violation: text at 0x[0-9a-f]+ overlaps module 2/);
    expect(s.node.machine.r[15]).toBe(0);
    expect(s.node.read(sym(s, 'atk_violations'), 1)[0]).toBe(1);
    expect(s.node.sancus.violations[0]).toMatchObject({ kind: 'create', address: l.textStart + 4, module: s.node.module('relay').id });
    expect(s.node.sancus.modules().length).toBe(3);
    expect(s.node.sancus.table.nextId).toBe(4);
  });
  it('twin: a disjoint range is protected with the next ID', () => {
    const s = setup({ modules: [METER, RELAY] });
    const l = s.info.relay!.layout;
    const r = s.node.call(sym(s, '__ld_enable'), [l.textEnd, l.textEnd + 2, 0x2000, 0x2010], { 9: 0, 10: 0, 11: 1 });
    expect(r.registers[12]).toBe(3);
  });
});

describe('attack: disable and re-enable to steal a module\'s identity or key', () => {
  it('disable from outside the module is refused (r15 = 0)', () => {
    const s = setup();
    expect(call(s, 'atk_disable')).toBe(0);
    expect(s.node.sancus.modules().length).toBe(3);
  });

  it('an impostor text at a disabled module\'s layout gets another key: its attestation fails; the genuine text re-enabled attests', () => {
    const s = setup({ modules: [RELAY] });
    const info = s.info.relay!;
    const key = s.keys.relay!;
    const challenge = rnd(CHALLENGE_BYTES);
    const attest = () => {
      const box = writeMailbox(s, challenge);
      expect(s.node.callEntry('relay', 0, [box, box + CHALLENGE_BYTES]).registers[12]).toBe(1);
      return s.node.read(box + CHALLENGE_BYTES, 8);
    };
    expect(hex(attest())).toBe(hex(attestationTag(key, challenge)));
    // The loader (debug interface) wipes the node and loads an impostor: same layout, one instruction changed.
    s.node.reboot();
    const text = Buffer.from(info.text, 'hex');
    const evil = Uint8Array.from(text);
    const off = info.symbols.relay_state! - info.layout.textStart;
    evil[off] = 0x3f; // mov #-1, r12 … instead of reading the state
    evil.forEach((b, i) => s.node.machine.bus.poke(info.layout.textStart + i, b));
    expect(s.node.enable('relay')).toBe(1);
    expect(hex(s.node.sancus.moduleById(1)!.key)).not.toBe(hex(key));
    expect(hex(attest())).not.toBe(hex(attestationTag(key, challenge)));
    // Twin: the genuine text at the same layout gets the same key back.
    s.node.reboot();
    text.forEach((b, i) => s.node.machine.bus.poke(info.layout.textStart + i, b));
    expect(s.node.enable('relay')).toBe(1);
    expect(hex(attest())).toBe(hex(attestationTag(key, challenge)));
  });
});

describe('attack: secrets left in registers', () => {
  it('after a module returns, no register holds the secret (the stub clears them); twin: the result is returned', () => {
    const s = setup();
    const em = connect(s, rnd(8));
    s.node.callEntry('meter', 3, [0x1357]);
    const regs = s.node.machine.r;
    expect(Array.from(regs.slice(4))).not.toContain(0x1357 ^ 0); // the reading
    const e = em.collectOne(s.node)!;
    expect(em.deliver(e)).toBe(true);
    const r = s.node.callEntry('relay', 3).registers;
    expect(r[12]).toBe(0x1357);
    expect([r[13], r[14], r[15]]).toEqual([0, 0, 0]);
  });

  it('an interrupt raised while the module runs is held until it returns: the ISR sees no secret; twin: it runs', () => {
    const s = setup();
    const m = s.node.machine;
    // A one-shot interrupt source on line 9 (vector 0xFFF2), firing 300 cycles after arming: inside the entry.
    let at = Infinity;
    let pending = false;
    const timer: Device = {
      name: 'test-timer', addresses: [], reset() { at = Infinity; pending = false; },
      read: () => 0, write() {}, nextEvent: () => at, advance() { pending = true; at = Infinity; },
      irq: () => (pending ? 1 << 9 : 0), acknowledge() { pending = false; },
    };
    m.devices.push(timer);
    m.bus.poke(0xfff2, sym(s, 'atk_isr') & 0xff);
    m.bus.poke(0xfff3, sym(s, 'atk_isr') >> 8);
    s.node.callEntry('snoop', 4); // warm up: snoop's secret 0x5eed is what we look for
    at = m.cycle + 60;
    m.changed();
    const r = s.node.call(sym(s, 'atk_call_gie'), [], { 10: 4, 11: s.node.module('snoop').entry });
    expect(r.registers[12]).toBe(0x5eed);
    expect(s.node.read(sym(s, 'atk_irqs'), 1)[0]).toBe(1); // twin: the interrupt was served
    const seen = s.node.read(sym(s, 'atk_seen'), 24);
    const words = Array.from({ length: 12 }, (_, i) => seen[2 * i]! | (seen[2 * i + 1]! << 8));
    // The ISR ran after the stub's exit: r12 is the returned result (by design), nothing else holds it.
    expect(words.slice(0, 8)).not.toContain(0x5eed);
    expect(words.slice(9)).not.toContain(0x5eed);
    expect(s.node.sancus.violations).toEqual([]);
  });
});

describe('attack: confidentially loaded module with a wrong tag', () => {
  it('a wrong tag fails the enable (r15 = 0, ID given back); the right one enables with the expected key', () => {
    const s = setup({ modules: [RELAY], enable: false });
    const info = s.info.relay!;
    const vk = deriveVendorKey(DEFAULT_NODE_KEY, RELAY.vendorId);
    const { cipher, tag } = confidentialize(info, vk, 0x4242);
    const load = (t: Uint8Array) => {
      cipher.forEach((b, i) => s.node.machine.bus.poke(info.layout.textStart + i, b));
      const tagAt = s.node.mailbox;
      s.node.write(tagAt, t);
      return s.node.enable('relay', { nonce: 0x4242, tagAddress: tagAt });
    };
    const bad = tag.slice();
    bad[7]! ^= 1;
    const c0 = s.node.machine.cycle;
    expect(load(bad)).toBe(0);
    expect(s.node.sancus.table.nextId).toBe(1);
    expect(s.node.machine.cycle - c0).toBeGreaterThan(enableCycles(info.text.length / 4, 'bad'));
    expect(load(tag)).toBe(1);
    expect(hex(s.node.sancus.moduleById(1)!.key)).toBe(hex(s.keys.relay!));
    const m = s.node.machine;
    const plain = Uint8Array.from({ length: 8 }, (_, i) => m.bus.mem[info.layout.textStart + i]!); // debugger view
    expect(hex(plain)).toBe(info.text.slice(0, 16)); // decrypted in place
    expect(s.node.callEntry('relay', 3).registers[12]).toBe(0); // and it runs
  });
});

describe('attack: confused deputy (a pointer argument into the module\'s own data)', () => {
  it('attest with its tag pointer on a connection counter is refused; the counter is unchanged and replays still fail', () => {
    const s = setup();
    const em = connect(s, rnd(8));
    s.node.callEntry('meter', 3, [1]);
    const e1 = em.collectOne(s.node)!;
    expect(em.deliver(e1)).toBe(true);
    const counter = s.info.relay!.symbols.__sm_relay_conns! + 4;
    const before = s.node.machine.bus.peekWord(counter);
    const box = writeMailbox(s, rnd(CHALLENGE_BYTES));
    expect(s.node.callEntry('relay', 0, [box, counter]).registers[12]).toBe(0);
    expect(s.node.callEntry('relay', 0, [counter - 8, box + 16]).registers[12]).toBe(0); // challenge read from its data
    expect(s.node.callEntry('relay', 2, [1, counter - 4, 2]).registers[12]).toBe(0); // event "from" its own data
    expect(s.node.machine.bus.peekWord(counter)).toBe(before);
    expect(em.deliver(e1)).toBe(false);
    expect(s.node.sancus.violations).toEqual([]);
    // Twin: the same calls with pointers outside the module work.
    expect(s.node.callEntry('relay', 0, [box, box + CHALLENGE_BYTES]).registers[12]).toBe(1);
  });
});
