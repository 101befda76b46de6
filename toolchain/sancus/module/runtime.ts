// The module runtime every packaged module carries after its entry stub (written for this project; the protocol
// follows the authentic-execution design the seed cites, §4.6.1/§4.6.3, and the conventions of sancus-compiler's
// stubs listed in ../shared/research/sancus.md §2.3). Three entries, always at indexes 0–2:
//
//   0 attest(challenge*, tag*)      tag := MAC(K_SM, 16-byte challenge) — SM_AE_WRAP with r9 = 0, empty body.
//   1 set_key(request*)             request = AD ‖ wrapped key ‖ tag (22 bytes); AD = conn id, io id, nonce, each
//                                   16-bit big-endian; unwrapped under K_SM; nonce must equal the number of
//                                   connections so far (a replayed or reordered request fails), and a connection id
//                                   keyed already is refused.
//   2 handle_input(conn, payload*, len)   payload = cipher (len bytes, even, ≤ MAX_EVENT) ‖ tag; AD = the
//                                   connection's 32-bit counter big-endian; unwrapped under the connection key;
//                                   on success the counter advances and the io's handler gets the plaintext.
//
// Outputs (internal): `emit` with r11 = output io id, r12 = plaintext* (module data), r13 = len (even): wraps under
// the connection bound to that output with AD = its counter, and writes the event into the first free slot of the
// node's unprotected outbox `__em_outbox` = OUTBOX_SLOTS × [pending, conn id, len, cipher ‖ tag], where the untrusted
// runtime collects it (it drains every slot after each module call, so within one call the slots fill in order). An
// output on an unkeyed io, or with the outbox full, is dropped and its counter does not advance (the receiver would
// refuse every later event otherwise); r12 = 1 when the event was queued, else 0. A module in assembly calls
// `__sm_NAME_output` (r12 = io id, r13 = plaintext*, r14 = len ≤ MAX_EVENT), a compiled module its generated glue
// (compiled.ts), which falls into `emit`.
//
// Every pointer from the caller must lie outside the module's data (else the entry fails: the confused-deputy rule).
// What the runtime's code reads and decides on (set_key's request) is first copied into the module's data, so
// unprotected code cannot change it between the check and the use; what only the crypto unit reads (attest's
// challenge, an event's cipher ‖ tag) is read in place: one instruction reads it, and the tag covers the words as the
// unit read them. A connection slot keeps its counter big-endian, so the counter's four bytes are the event's AD in
// place. The counter is 32 bits because a counter value must never come back under the same key (seed §3.4.2 on
// invocation counters: "a register of sufficient size"): 16 bits wrapped in 18 hours on the meter's once-a-second
// connections (clock → core, clock → logs), after which the untrusted runtime could replay what it recorded 65,536
// events before; 2^32 events take 136 years at one a second. The entries clobber r5–r15 (the stub restores the caller's registers); `emit` keeps r4–r10 (EABI).

import { sym } from './stub.ts';

/** Connection slot: conn id, io id, counter (4, big-endian: the AD), key (8). */
export const CONN_BYTES = 16;
/** The event counter's bytes (the AD of every event: big-endian). The bump after 0xFFFFFFFF would wrap to 0 — 136
 *  years at one event a second; the host side stops there (host/deploy/protocol.ts MAX_EVENT_COUNTER: the key is
 *  used up) and never seals under a value twice. */
export const COUNTER_BYTES = 4;
/** Largest event payload in bytes (even). */
export const MAX_EVENT = 64;
export const RUNTIME_ENTRIES = ['attest', 'set_key', 'handle_input'] as const;
/** The node's unprotected outbox (defined by the node runtime, see host/deploy and firmware/runtime). */
export const OUTBOX = '__em_outbox';
/** Outbox slots: pending flag, conn id, len, then cipher ‖ tag. */
export const OUTBOX_SLOTS = 4;
export const OUTBOX_SLOT_BYTES = 6 + MAX_EVENT + 8;
/** set_key's request: AD (6) ‖ wrapped key (8) ‖ tag (8). */
const SET_KEY_BYTES = 22;
const CHALLENGE = 16;
/** Offset of the key in a connection slot (the counter's bytes just before it). */
const KEY_AT = 4 + COUNTER_BYTES;
const TAG = 8;

export interface IoSpec {
  /** io ids are indexes into this list; an input names its handler label. */
  io: ({ kind: 'input'; name: string; handler: string } | { kind: 'output'; name: string })[];
  /** Connection slots in the module's data. */
  slots: number;
  /**
   * The module's refusal handler (issue 18 item 7: refused commands are logged), called by handle_input when an
   * event for one of its keyed inputs does not unwrap under the connection key and counter — forged, replayed or
   * reordered — with r12:r13 = the connection id, r14:r15 = the length; never the payload, and the counter stays.
   */
  refused?: string;
  /**
   * Where an input's plaintext goes and what its handler gets. Default: the runtime's buffer `__sm_NAME_plain`,
   * handler (r12 = plain*, r13 = len). A compiled module (compiled.ts): `at` an address in its linear memory, the
   * handler (r12:r13 = `data`, r14:r15 = len) — EABI i32 pairs. The plaintext is written there before the tag check
   * (the crypto unit decrypts as it reads), so after a refused event it holds unauthenticated bytes: only a handler,
   * called after a successful unwrap, may read it.
   */
  deliver?: { at: string; data: number };
}

export interface RuntimeOptions {
  /** Generated glue placed just before `emit` (it may fall through into it); part of the runtime's bytes. */
  glue?: string;
  /** Whether the module's code calls `__sm_NAME_output` (the assembly modules' output routine). */
  outputApi?: boolean;
}

/**
 * The labels of entries 0–2 for the stub's table: an entry a module cannot serve is `fail` itself (set_key in a
 * module without inputs or outputs, handle_input in one without inputs), so its code is left out.
 */
export function runtimeEntryLabels(name: string, io: IoSpec | undefined): string[] {
  const keyed = (io?.io.length ?? 0) > 0;
  const inputs = io?.io.some((x) => x.kind === 'input') ?? false;
  return [sym(name, 'attest'), sym(name, keyed ? 'set_key' : 'fail'), sym(name, keyed && inputs ? 'handle_input' : 'fail')];
}

export function runtimeAssembly(name: string, io: IoSpec, opts: RuntimeOptions = {}): string {
  const s = (w: string) => sym(name, w);
  const keyed = io.io.length > 0;
  const inputs = io.io.flatMap((x, id) => (x.kind === 'input' ? [id] : []));
  const outputs = io.io.some((x) => x.kind === 'output');
  const L: string[] = [];
  const A = (...x: string[]) => L.push(...x);
  A(
    `${s('attest')}:`,
    // Both pointers checked before the instruction: the tag is written at r13, the challenge read at r12.
    '  mov r13, r10', `  mov #${TAG}, r11`, `  call #${s('outside')}`,
    '  mov r12, r10', `  mov #${CHALLENGE}, r11`, `  call #${s('outside')}`,
    '  mov r13, r15', '  clr r9', '  mov r11, r12', '  mov r11, r13', '  mov r11, r14',
    '  sancus.wrap',
    '  mov r15, r12',
    '  ret',
  );
  A(
    '; Fails the entry that called it, at any depth: the stub pushed the exit address just below stack_top.',
    `${s('fail')}:`,
    `  mov #${s('stack_top')}-2, sp`,
    '  clr r12',
    '  ret',
    '; Returns when [r10, r10 + r11) lies outside the module\'s data, with r11 = r10 + r11 (the range\'s end); else the',
    '; entry fails. Every pointer an entry gets from the caller is checked: the module may write its own data, so a',
    '; pointer into it would let the caller use the module as a confused deputy (e.g. attest\'s tag written over a',
    '; connection counter).',
    `${s('outside')}:`,
    '  add r10, r11',
    `  jc ${s('fail')}`,
    `  cmp #${s('data_end')}, r10`,
    `  jhs ${s('out_ok')}`,
    `  cmp #${s('data_start')}+1, r11`,
    `  jhs ${s('fail')}`,
    `${s('out_ok')}:`,
    '  ret',
  );
  if (keyed) {
    A(
      '; r9 := the field of the first slot whose field equals r11 (r9 = that field in slot 0 on entry), Z set; none:',
      '; Z clear and r9 = the field in slot nconn (set_key\'s new slot). Clobbers r10.',
      `${s('find')}:`,
      `  mov &${s('nconn')}, r10`,
      `${s('find_loop')}:`,
      '  dec r10',
      `  jnc ${s('find_done')}`, // no slot left (r10 was 0): Z is clear, 0 - 1 ≠ 0
      '  cmp r11, 0(r9)',
      `  jeq ${s('find_done')}`,
      `  add #${CONN_BYTES}, r9`,
      `  jmp ${s('find_loop')}`,
      `${s('find_done')}:`,
      '  ret',
    );
    A(
      `${s('set_key')}:`,
      '  mov r12, r10', `  mov #${SET_KEY_BYTES}, r11`, `  call #${s('outside')}`,
      `  mov #-${SET_KEY_BYTES}, r15`,
      `${s('sk_copy')}:`,
      `  mov @r12+, ${s('buf')}+${SET_KEY_BYTES}(r15)`,
      '  incd r15',
      `  jnz ${s('sk_copy')}`,
      `  mov &${s('buf')}+4, r15`,
      '  swpb r15',
      `  cmp &${s('nconn')}, r15`,
      `  jne ${s('fail')}`,
      `  cmp #${io.slots}, r15`,
      `  jhs ${s('fail')}`,
      `  mov &${s('buf')}, r11`,
      '  swpb r11',
      `  mov #${s('conns')}, r9`,
      `  call #${s('find')}`,
      `  jeq ${s('fail')}`, // this connection has a key already
      // The new slot (not counted until the key unwrapped, so a refused request leaves nothing behind).
      '  mov r11, 0(r9)',
      `  mov &${s('buf')}+2, r15`,
      '  swpb r15',
      '  mov r15, 2(r9)',
      '  clr 4(r9)',
      '  clr 6(r9)',
      '  mov r9, r14', `  add #${KEY_AT}, r14`,
      '  clr r9',
      `  mov #${s('buf')}, r10`, `  mov #${s('buf')}+6, r11`, '  mov r11, r12', `  mov #${s('buf')}+14, r13`, '  mov r13, r15',
      '  sancus.unwrap',
      '  tst r15',
      `  jz ${s('fail')}`,
      `  inc &${s('nconn')}`,
      '  mov #1, r12',
      '  ret',
    );
  }
  // The counter's increment (r9 = the slot's key, the counter's bytes just below it: lowest byte first, the carry
  // up through the others); one subroutine when both the input and the output path use it.
  const increment = ['  add.b #1, -1(r9)', ...Array.from({ length: COUNTER_BYTES - 1 }, (_, i) => `  adc.b -${i + 2}(r9)`)];
  const shared = inputs.length > 0 && outputs;
  if (shared) A(`${s('bump')}:`, ...increment, '  ret');
  const bump = shared ? [`  call #${s('bump')}`] : increment;
  if (keyed && inputs.length) A(...handleInput(name, io, inputs, bump));
  if (outputs) A(...emitAssembly(name, opts, bump));
  else if (opts.glue) A(opts.glue);
  A('  .even', `${s('runtime_end')}:`);
  A(`  .section .data.sm.${name}, "aw"`);
  if (keyed) {
    A(`${s('nconn')}: .word 0`, `${s('conns')}: .space ${Math.max(2, io.slots * CONN_BYTES)}`, `${s('buf')}: .space ${SET_KEY_BYTES}`);
    if (inputs.length && !io.deliver) A(`${s('plain')}: .space ${MAX_EVENT}`);
  }
  A(`  .section .text.sm.${name}, "ax"`);
  return L.join('\n') + '\n';
}

/** handle_input: the event's connection, its io's handler, the unwrap into the plaintext's place, the handler. */
function handleInput(name: string, io: IoSpec, inputs: number[], bump: string[]): string[] {
  const s = (w: string) => sym(name, w);
  const first = inputs[0]!;
  const span = inputs[inputs.length - 1]! - first + 1;
  const holes = span !== inputs.length; // outputs between inputs: their table words are 0
  const at = io.deliver?.at ?? s('plain');
  const handlerOf = (id: number) => {
    const x = io.io[id]!;
    return x.kind === 'input' ? x.handler : '0';
  };
  const L = [
    `${s('handle_input')}:`,
    `  cmp #${MAX_EVENT + 1}, r14`,
    `  jhs ${s('fail')}`,
    '  bit #1, r14',
    `  jnz ${s('fail')}`,
    '  mov r14, r6',
    '  mov r12, r11',
    `  mov #${s('conns')}, r9`,
    `  call #${s('find')}`,
    `  jne ${s('fail')}`,
    '  mov 2(r9), r15',
    // the connection's io must be an input (not an output's connection, nor an io the module does not have): one
    // input is compared, several are looked up in a table of handlers from the first input's id on
    ...(span === 1
      ? [`  cmp #${first}, r15`, `  jne ${s('fail')}`]
      : [
        ...(first ? [`  sub #${first}, r15`] : []),
        `  cmp #${span}, r15`,
        `  jhs ${s('fail')}`,
        '  rla r15',
        `  mov ${s('handlers')}(r15), r5`,
        ...(holes ? ['  tst r5', `  jz ${s('fail')}`] : []),
      ]),
    '  mov r13, r10', '  mov r14, r11', `  add #${TAG}, r11`, `  call #${s('outside')}`,
    // key = the slot's key, AD = its counter (big-endian in place), cipher = the caller's bytes, tag after them
    `  add #${KEY_AT}, r9`, '  mov r9, r11', '  mov r9, r10', `  sub #${COUNTER_BYTES}, r10`,
    '  mov r13, r12', '  add r14, r13', `  mov #${at}, r14`, '  mov r13, r15',
    '  sancus.unwrap',
    '  tst r15',
    `  jz ${s(io.refused ? 'refused' : 'fail')}`,
    ...bump, // the counter advances
    ...(io.deliver ? [`  mov #${io.deliver.data}, r12`, '  clr r13', '  mov r6, r14', '  clr r15'] : [`  mov #${at}, r12`, '  mov r6, r13']),
    span === 1 ? `  call #${handlerOf(first)}` : '  call r5',
    '  mov #1, r12',
    '  ret',
  ];
  if (io.refused) L.push(`${s('refused')}:`, `  mov -${KEY_AT}(r9), r12`, '  clr r13', '  mov r6, r14', '  clr r15', `  call #${io.refused}`, `  jmp ${s('fail')}`);
  if (span > 1) {
    L.push(`${s('handlers')}:`);
    for (let id = first; id < first + span; id++) L.push(`  .word ${handlerOf(id)}`);
  }
  return L;
}

/** The output core `emit` (with the glue that falls into it), and the assembly modules' `output`. */
function emitAssembly(name: string, opts: RuntimeOptions, bump: string[]): string[] {
  const s = (w: string) => sym(name, w);
  const L: string[] = [];
  if (opts.outputApi) {
    L.push(
      `${s('output')}:`,
      `  cmp #${MAX_EVENT + 1}, r14`,
      `  jlo ${s('output_ok')}`,
      '  clr r12',
      '  ret',
      `${s('output_ok')}:`,
      '  mov r12, r11', '  mov r13, r12', '  mov r14, r13',
      `  jmp ${s('emit')}`,
    );
  }
  if (opts.glue) L.push(opts.glue);
  L.push(
    `${s('emit')}:`,
    '  push r9',
    '  push r10',
    `  mov #${s('conns')}+2, r9`,
    `  call #${s('find')}`,
    `  jne ${s('emit_drop')}`,
    `  mov #${OUTBOX}, r14`,
    `  mov #${OUTBOX_SLOTS}, r10`,
    `${s('emit_free')}:`,
    '  tst 0(r14)',
    `  jz ${s('emit_slot')}`,
    `  add #${OUTBOX_SLOT_BYTES}, r14`,
    '  dec r10',
    `  jnz ${s('emit_free')}`,
    `${s('emit_drop')}:`,
    '  clr r12',
    `  jmp ${s('emit_ret')}`,
    `${s('emit_slot')}:`, // r9 = the slot's io field; the module runs with interrupts off, so the order is free
    '  mov #1, 0(r14)',
    '  mov -2(r9), 2(r14)',
    '  mov r13, 4(r14)',
    '  add #6, r14',
    '  mov r14, r15', '  add r13, r15', // tag after the cipher
    '  add r12, r13',
    '  incd r9', '  mov r9, r10', `  add #${COUNTER_BYTES}, r9`, '  mov r9, r11', // AD = the counter in place, key after it
    '  sancus.wrap',
    ...bump,
    '  mov r15, r12',
    `${s('emit_ret')}:`,
    '  pop r10',
    '  pop r9',
    '  ret',
  );
  return L;
}
