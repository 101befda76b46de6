// The image's trap handler and, for the differential tests, V8's messages for the same traps. The codes are the
// shared ABI (../abi/traps.ts).
import { TRAP, TRAP_NAMES, type TrapReason } from '../abi/traps.ts';

export { TRAP, TRAP_NAMES, type TrapReason };

/** The messages V8 gives for the same traps (WebAssembly.RuntimeError), for the differential tests. */
export const V8_TRAP_MESSAGES: Record<TrapReason, RegExp> = {
  unreachable: /unreachable/,
  memory: /memory access out of bounds/,
  divzero: /divide by zero|remainder by zero/,
  overflow: /divide result unrepresentable|integer overflow/,
  table: /table index is out of bounds/,
  signature: /null function or function signature mismatch|function signature mismatch/,
  abort: /^abort/, // the differential oracle's env.abort import throws this
};

/** The image's trap handler: store the reason, disable interrupts and stop (a jump to itself halts the emulator). */
export const TRAP_HANDLER_ASM = `
  .text
  .global __hasm_trap
__hasm_trap:
  mov r12, &__hasm_trap_reason
  dint
  nop
  .global __hasm_halt
__hasm_halt:
  jmp __hasm_halt

  .data
  .global __hasm_trap_reason
  .balign 2
__hasm_trap_reason:
  .word 0
  .global __hasm_trap_info
__hasm_trap_info:
  .word 0
`;
