// The module runtime every packaged module carries after its entry stub (written for this project; the protocol
// follows the authentic-execution design the seed cites, §4.6.1/§4.6.3, and the conventions of sancus-compiler's
// stubs listed in ../shared/research/sancus.md §2.3). Three entries, always at indexes 0–2:
//
//   0 attest(challenge*, tag*)      tag := MAC(K_SM, 16-byte challenge) — SM_AE_WRAP with r9 = 0, empty body.
//   1 set_key(request*)             request = AD ‖ wrapped key ‖ tag (22 bytes); AD = conn id, io id, nonce, each
//                                   16-bit big-endian; unwrapped under K_SM; nonce must equal the number of
//                                   connections so far (a replayed or reordered request fails).
//   2 handle_input(conn, payload*, len)   payload = cipher (len bytes, even, ≤ MAX_EVENT) ‖ tag; AD = the
//                                   connection's 16-bit counter big-endian; unwrapped under the connection key;
//                                   on success the counter advances and the io's handler gets (plain*, len).
//
// Outputs (internal): `call #__sm_NAME_output` with r12 = output io id, r13 = plaintext* (module data), r14 = len:
// wraps under the connection bound to that output with AD = its counter, and writes the event into the first free
// slot of the node's unprotected outbox `__em_outbox` = OUTBOX_SLOTS × [pending, conn id, len, cipher ‖ tag], where
// the untrusted runtime collects it (it drains every slot after each module call, so within one call the slots fill
// in order). An output on an unkeyed io, or with the outbox full, is dropped and its counter does not advance (the
// receiver would refuse every later event otherwise); r12 = 1 when the event was queued, else 0. Every pointer from
// the caller must lie outside the module's data (else the entry fails), and every request is first copied into the
// module's data, so unprotected code cannot change it between the check and the use. All routines clobber r5–r15
// (the stub restores the caller's registers).

import { sym } from './stub.ts';

/** Connection slot: conn id, io id, counter, key (8). */
export const CONN_BYTES = 14;
/** Largest event payload in bytes (even). */
export const MAX_EVENT = 64;
export const RUNTIME_ENTRIES = ['attest', 'set_key', 'handle_input'] as const;
/** The node's unprotected outbox (defined by the node runtime, see host/deploy and firmware/runtime). */
export const OUTBOX = '__em_outbox';
/** Outbox slots: pending flag, conn id, len, then cipher ‖ tag. */
export const OUTBOX_SLOTS = 4;
export const OUTBOX_SLOT_BYTES = 6 + MAX_EVENT + 8;

export interface IoSpec {
  /** io ids are indexes into this list; an input names its handler label (called with r12 = plain*, r13 = len). */
  io: ({ kind: 'input'; name: string; handler: string } | { kind: 'output'; name: string })[];
  /** Connection slots in the module's data. */
  slots: number;
  /**
   * The module's refusal handler (issue 18 item 7: refused commands are logged), called by handle_input when an
   * event for one of its keyed inputs does not unwrap under the connection key and counter — forged, replayed or
   * reordered — with r12:r13 = the connection id, r14:r15 = the length; never the payload, and the counter stays.
   */
  refused?: string;
}

export function runtimeAssembly(name: string, io: IoSpec): string {
  const s = (w: string) => sym(name, w);
  const slots = io.slots;
  const text = `
${s('attest')}:
  mov r12, r10
  mov #16, r11
  call #${s('outside')}
  mov r13, r10
  mov #8, r11
  call #${s('outside')}
  mov #8, r15
  call #${s('copy')}
  mov r13, r15
  clr r9
  mov #${s('buf')}, r10
  mov #${s('buf')}+16, r11
  mov r11, r12
  mov r11, r13
  mov r11, r14
  sancus.wrap
  mov r15, r12
  ret

${s('set_key')}:
  mov r12, r10
  mov #22, r11
  call #${s('outside')}
  mov #11, r15
  call #${s('copy')}
  mov &${s('buf')}+4, r15
  swpb r15
  cmp &${s('nconn')}, r15
  jne ${s('fail')}
  cmp #${slots}, r15
  jhs ${s('fail')}
  call #${s('slot_of')}
  clr r9
  mov #${s('buf')}, r10
  mov #${s('buf')}+6, r11
  mov r11, r12
  mov #${s('buf')}+14, r13
  mov r8, r14
  add #6, r14
  mov r13, r15
  sancus.unwrap
  tst r15
  jz ${s('fail')}
  mov &${s('buf')}, r15
  swpb r15
  mov r15, 0(r8)
  mov &${s('buf')}+2, r15
  swpb r15
  mov r15, 2(r8)
  clr 4(r8)
  inc &${s('nconn')}
  mov #1, r12
  ret
${s('out_bad')}:
  incd sp
${s('fail')}:
  clr r12
  ret

; Returns when [r10, r10 + r11) lies outside the module's data; else the entry that called it fails (its return
; address dropped, fail returns 0 to the stub). Every pointer an entry gets from the caller is checked: the module
; may write its own data, so a pointer into it would let the caller use the module as a confused deputy (e.g.
; attest's tag written over a connection counter).
${s('outside')}:
  add r10, r11
  jc ${s('out_bad')}
  cmp #${s('data_end')}, r10
  jhs ${s('out_ok')}
  cmp #${s('data_start')}+1, r11
  jhs ${s('out_bad')}
${s('out_ok')}:
  ret

; buf := r15 words from r12 (r12 advanced): a request is copied into the module before it is used, so the
; unprotected caller cannot change it between check and use.
${s('copy')}:
  mov #${s('buf')}, r14
${s('copy_loop')}:
  mov @r12+, 0(r14)
  incd r14
  dec r15
  jnz ${s('copy_loop')}
  ret

; r8 := address of connection slot r15 (14 bytes each)
${s('slot_of')}:
  mov r15, r8
  rla r8
  mov r8, r7
  rla r7
  add r7, r8
  rla r7
  add r7, r8
  add #${s('conns')}, r8
  ret

; r8 := the slot whose field at offset r7 (0: conn id, 2: io id) equals r12; with none, the routine that called
; it fails (its return address dropped: fail returns 0 to that routine's caller)
${s('find')}:
  mov #${s('conns')}, r8
  mov &${s('nconn')}, r15
${s('find_loop')}:
  tst r15
  jz ${s('out_bad')}
  mov r8, r11
  add r7, r11
  cmp r12, 0(r11)
  jeq ${s('find_done')}
  add #${CONN_BYTES}, r8
  dec r15
  jmp ${s('find_loop')}
${s('find_done')}:
  ret

${s('handle_input')}:
  cmp #${MAX_EVENT + 1}, r14
  jhs ${s('fail')}
  bit #1, r14
  jnz ${s('fail')}
  mov r14, r6
  mov r13, r10
  mov r14, r11
  add #8, r11
  call #${s('outside')}
  clr r7
  call #${s('find')}
  mov 2(r8), r15
  cmp #${io.io.length}, r15
  jhs ${s('fail')}
  rla r15
  mov ${s('handlers')}(r15), r5
  tst r5
  jz ${s('fail')}
  mov r6, r15
  add #8, r15
  rra r15
  mov r13, r12
  call #${s('copy')}
  mov 4(r8), r15
  swpb r15
  mov r15, &${s('ad')}
  mov r8, r9
  add #6, r9
  mov #${s('ad')}, r10
  mov #${s('ad')}+2, r11
  mov #${s('buf')}, r12
  mov r12, r13
  add r6, r13
  mov #${s('plain')}, r14
  mov r13, r15
  sancus.unwrap
  tst r15
  jz ${s(io.refused ? 'refused' : 'fail')}
  inc 4(r8)
  mov #${s('plain')}, r12
  mov r6, r13
  call r5
  mov #1, r12
  ret
${io.refused ? `${s('refused')}:
  mov 0(r8), r12
  clr r13
  mov r6, r14
  clr r15
  call #${io.refused}
  clr r12
  ret
` : ''}
${io.io.some((x) => x.kind === 'output') ? outputAssembly(name) : ''}
${s('handlers')}:
${io.io.length ? io.io.map((x) => `  .word ${x.kind === 'input' ? x.handler : 0}`).join('\n') : ''}
  .even
${s('runtime_end')}:
  .section .data.sm.${name}, "aw"
${s('nconn')}: .word 0
${s('conns')}: .space ${Math.max(2, slots * CONN_BYTES)}
${s('ad')}: .word 0
${s('buf')}: .space ${MAX_EVENT + 16}
${s('plain')}: .space ${MAX_EVENT}
  .section .text.sm.${name}, "ax"
`;
  return text;
}

/** The output routine, present when the module has an output (it needs the node's outbox). */
function outputAssembly(name: string): string {
  const s = (w: string) => sym(name, w);
  return `
${s('output')}:
  cmp #${MAX_EVENT + 1}, r14
  jhs ${s('fail')}
  mov r14, r6
  mov r13, r5
  mov #2, r7
  call #${s('find')}
  mov #${OUTBOX}, r7
  mov #${OUTBOX_SLOTS}, r10
${s('out_free')}:
  tst 0(r7)
  jz ${s('out_slot')}
  add #${OUTBOX_SLOT_BYTES}, r7
  dec r10
  jnz ${s('out_free')}
  jmp ${s('fail')}
${s('out_slot')}:
  mov 4(r8), r15
  swpb r15
  mov r15, &${s('ad')}
  inc 4(r8)
  mov 0(r8), 2(r7)
  mov r6, 4(r7)
  mov r8, r9
  add #6, r9
  mov #${s('ad')}, r10
  mov #${s('ad')}+2, r11
  mov r5, r12
  mov r5, r13
  add r6, r13
  mov r7, r14
  add #6, r14
  mov r14, r15
  add r6, r15
  sancus.wrap
  mov #1, 0(r7)
  mov r15, r12
  ret
`;
}
