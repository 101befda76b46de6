// The unprotected part of a node's image the loader and the event manager use (not part of any module's TCB):
// a start-up that parks the CPU, the enable routine the loader calls with SM_ENABLE's registers, the outbox modules
// write their output events to, and a mailbox the host fills with requests and events.
import { MAX_EVENT, OUTBOX, OUTBOX_SLOTS, OUTBOX_SLOT_BYTES } from '../../toolchain/sancus/module/runtime.ts';

export const MAILBOX = '__em_mailbox';
export const MAILBOX_BYTES = MAX_EVENT + 32;
export const OUTBOX_BYTES = OUTBOX_SLOTS * OUTBOX_SLOT_BYTES;
export const ENABLE_ROUTINE = '__ld_enable';
export const IDLE_LOOP = '__node_idle';
/** Stack top the loader's calls start from (top of the emulated board's data memory). */
export const NODE_STACK_TOP = 0x2a00;

/** `watchdog`: the board's watchdog base (WDTCTL), held at start-up; none on a board without one. */
export function nodeRuntimeAssembly(stackTop = NODE_STACK_TOP, watchdog?: number): string {
  return `
  .text
  .global start
start:
${watchdog === undefined ? '' : `  mov #0x5a80, &0x${watchdog.toString(16)}\n`}  mov #${stackTop}, sp
  dint
  .global __node_idle
__node_idle:
  jmp __node_idle

; r9 tag*, r10 nonce, r11 vendor id, r12–r15 layout → r15 = module ID or 0 (the loader sets r9–r11 itself)
  .global ${ENABLE_ROUTINE}
${ENABLE_ROUTINE}:
  sancus.enable
  mov r15, r12
  ret

  .data
  .even
  .global ${OUTBOX}
${OUTBOX}: .space ${OUTBOX_BYTES}
  .global ${MAILBOX}
${MAILBOX}: .space ${MAILBOX_BYTES}
`;
}
