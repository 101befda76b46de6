// Trap reasons: every wasm trap jumps to the image's one trap handler with its reason code in r12; the handler
// records it in __hasm_trap_reason and halts (issue 4 item 5). Names follow the wasm spec's trap conditions. Shared
// by the compiler (which emits the codes) and whoever runs an image (which reads them back).
export const TRAP = {
  unreachable: 1,
  memory: 2, // out-of-bounds linear memory access
  divzero: 3,
  overflow: 4, // signed division INT_MIN / -1
  table: 5, // call_indirect index outside the table
  signature: 6, // call_indirect to an empty slot or a function of another type
  abort: 7, // AssemblyScript's abort() (a failed AS check); __hasm_trap_info points at its text (abort.ts)
} as const;

export type TrapReason = keyof typeof TRAP;

export const TRAP_NAMES: Record<number, TrapReason> = Object.fromEntries(Object.entries(TRAP).map(([k, v]) => [v, k as TrapReason]));

/** Where the image's trap handler leaves the reason code, and (for `abort`) the address of the abort text. */
export const TRAP_REASON_SYM = '__hasm_trap_reason';
export const TRAP_INFO_SYM = '__hasm_trap_info';
export const TRAP_HALT_SYM = '__hasm_halt';
