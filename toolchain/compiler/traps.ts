// Trap reasons: every wasm trap jumps to the image's one trap handler with its reason code in r12; the handler
// records it in __hasm_trap_reason and halts (issue 4 item 5). Names follow the wasm spec's trap conditions.
export const TRAP = {
  unreachable: 1,
  memory: 2, // out-of-bounds linear memory access
  divzero: 3,
  overflow: 4, // signed division INT_MIN / -1
  table: 5, // call_indirect index outside the table
  signature: 6, // call_indirect to an empty slot or a function of another type
} as const;

export type TrapReason = keyof typeof TRAP;

export const TRAP_NAMES: Record<number, TrapReason> = Object.fromEntries(Object.entries(TRAP).map(([k, v]) => [v, k as TrapReason]));

/** The messages V8 gives for the same traps (WebAssembly.RuntimeError), for the differential tests. */
export const V8_TRAP_MESSAGES: Record<TrapReason, RegExp> = {
  unreachable: /unreachable/,
  memory: /memory access out of bounds/,
  divzero: /divide by zero|remainder by zero/,
  overflow: /divide result unrepresentable|integer overflow/,
  table: /table index is out of bounds/,
  signature: /null function or function signature mismatch|function signature mismatch/,
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
`;
