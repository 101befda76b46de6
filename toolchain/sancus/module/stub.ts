// The entry stub and runtime of a Sancus module, generated as assembly for our assembler (written for this project;
// the conventions, not the code, follow sancus-compiler's stubs: one entry point, index in r6, a secure stack in
// the module's data, registers cleared on the way out). Everything here sits inside the module's text, so it is
// covered by the module key and by attestation; it is the software TCB of each module.
//
// Calling convention (caller side):   mov #INDEX, r6 ; args in r12–r15 ; call #__sm_NAME_entry ; results in r12…
//
// Entry (at textStart, the only address the hardware lets outside code enter):
//   1. refuses a caller whose SP would make the stub's pushes land in the module's own data (the stub writes its
//      own data freely, so such an SP would let a caller overwrite secrets through it);
//   2. saves SR and disables interrupts: the module runs atomically, so no interrupt sees its registers
//      (the interrupt-with-register-save of newer sancus-core builds is not modelled, see emulator/sancus/README);
//   3. if a call out is pending, this entry is its return (see ocall; only in a module that calls out) — otherwise:
//   4. pushes the caller's r4–r11 on the caller's stack, switches to the secure stack, pushes the exit for the
//      entry's results and jumps through a table indexed by r6 (an index out of range returns 0xFFFF);
//   5. on exit clears the result registers the entry does not return, restores the caller's stack, r4–r11 and
//      SR (flags of the module's computation are not visible), and returns with RETI (SR and PC at once).
// An interrupt accepted in the first instructions of the entry (before DINT) returns into the stub's middle: an
// exec violation (denial of service, no leak: no secret is in a register yet). sancus-core's newer interrupt
// logic (register save to the module's SSA) is not modelled by the emulator.
// Calls out (`call #__sm_NAME_ocall` with r11 = target, r6 and r12–r15 passed through): saves r4–r10 on the secure
// stack, clears them and SR, switches to the caller's stack and jumps to the target with the module's entry as
// return address; the entry sees the pending call (ssp ≠ 0) and resumes after the `call`. Another module's entry
// works as a target (set r6 to its index): the callee's SM_PREV_ID then names this module.

export interface EntrySpec {
  /** Label of the function in the module's text (MSP430 EABI: args r12–r15, result r12…). */
  name: string;
  /** Result words returned in r12… (0–4); the others of r12–r15 are cleared on exit. Default 1. */
  results?: number;
  /** The name callers use when it differs from the label (a compiled module's export). */
  export?: string;
}

export interface StubSpec {
  name: string;
  entries: EntrySpec[];
  /** Secure stack size in bytes (even). */
  stackBytes: number;
  /**
   * Whether the module calls out (`__sm_NAME_ocall`, and the entry's resumption of a pending call out). Default
   * true; a module that never calls out leaves both out of its text (74 bytes of TCB, issue 18 "Measured") and
   * `ssp` out of its data — an entry can then never be taken for a return from a call out.
   */
  ocall?: boolean;
}

/** Words the entry pushes on the caller's stack: SR and r4–r11. */
export const CALLER_FRAME_BYTES = 18;

export const sym = (module: string, what: string): string => `__sm_${module}_${what}`;

function checkName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`module name '${name}' must be an identifier`);
}

/** Assembly that opens the module: text section with the stub, data section with the stub's variables. */
export function stubPrefix(spec: StubSpec): string {
  checkName(spec.name);
  if (spec.entries.length === 0) throw new RangeError(`module ${spec.name}: at least one entry`);
  const s = (w: string) => sym(spec.name, w);
  const text = `.text.sm.${spec.name}`;
  const data = `.data.sm.${spec.name}`;
  const lines: string[] = [];
  const L = (x: string) => lines.push(x);
  L(`  .section ${text}, "ax"`);
  const ocall = spec.ocall ?? true;
  for (const g of ['entry', ...(ocall ? ['ocall'] : []), 'text_start', 'text_end', 'data_start', 'data_end', 'usp', ...(ocall ? ['ssp'] : []), 'stack_top']) L(`  .global ${s(g)}`);
  L(`${s('text_start')}:`);
  L(`${s('entry')}:`);
  L(`  cmp #${s('data_start')}, sp`);
  L(`  jlo ${s('sp_ok')}`);
  L(`  cmp #${s('data_end')}+${CALLER_FRAME_BYTES}, sp`);
  L(`  jlo ${s('refuse')}`);
  L(`${s('sp_ok')}:`);
  // Without calls out every entry is a call, so an index out of range is refused before anything is saved (it
  // returns what `refuse` does: r12 = 0xFFFF, the rest as the caller had them). With them, an entry may be the
  // return from a call out, whose r6 is the callee's: the index is checked on the call path only.
  const index = [`  cmp #${spec.entries.length}, r6`, `  jhs ${s(ocall ? 'bad_index' : 'refuse')}`];
  if (!ocall) index.forEach(L);
  L('  push sr');
  L('  dint');
  L('  nop');
  if (ocall) {
    L(`  tst &${s('ssp')}`);
    L(`  jnz ${s('reentry')}`);
  }
  for (let r = 4; r <= 11; r++) L(`  push r${r}`);
  L(`  mov sp, &${s('usp')}`);
  L(`  mov #${s('stack_top')}, sp`);
  if (ocall) index.forEach(L);
  // Two tables indexed by 2·r6: the entry's routine, and the exit that clears the result registers it does not
  // return. The exit is pushed as the routine's return address (the first word of the secure stack, where the
  // runtime's `fail` returns from any depth), and the routine is jumped to.
  L('  rla r6');
  L(`  push ${s('exits')}(r6)`);
  L(`  mov ${s('table')}(r6), pc`);
  if (ocall) {
    L(`${s('bad_index')}:`);
    L('  mov #-1, r12'); // 0xFFFF from the constant generator
    L(`  jmp ${s('exit1')}`);
  }
  L(`${s('table')}:`);
  spec.entries.forEach((e) => L(`  .word ${e.name}`));
  L(`${s('exits')}:`);
  spec.entries.forEach((e) => {
    const k = e.results ?? 1;
    if (!Number.isInteger(k) || k < 0 || k > 4) throw new RangeError(`module ${spec.name} entry ${e.name}: results must be 0–4`);
    L(`  .word ${s(`exit${k}`)}`);
  });
  L(`${s('exit0')}:`);
  L('  clr r12');
  L(`${s('exit1')}:`);
  L('  clr r13');
  L(`${s('exit2')}:`);
  L('  clr r14');
  L(`${s('exit3')}:`);
  L('  clr r15');
  L(`${s('exit4')}:`);
  L(`  mov &${s('usp')}, sp`);
  for (let r = 11; r >= 4; r--) L(`  pop r${r}`);
  // SR then the return address: exactly an interrupt frame, so RETI restores GIE and leaves in one instruction;
  // `pop sr; ret` would let a pending interrupt in before the `ret`, and its RETI would re-enter mid-text.
  L('  reti');
  L(`${s('refuse')}:`);
  L('  mov #-1, r12'); // 0xFFFF from the constant generator
  L('  ret');
  if (ocall) callOut(spec, L);
  L(`${s('stub_end')}:`);
  L(`  .section ${data}, "aw"`);
  L(`${s('data_start')}:`);
  L(`${s('usp')}: .word 0`);
  if (ocall) L(`${s('ssp')}: .word 0`);
  L(`  .section ${text}, "ax"`);
  return lines.join('\n') + '\n';
}

/** A pending call out's resumption (the entry jumps here while ssp ≠ 0) and the call-out routine itself. */
function callOut(spec: StubSpec, L: (x: string) => void): void {
  const s = (w: string) => sym(spec.name, w);
  L(`${s('reentry')}:`);
  L('  incd sp'); // drop the SR this entry pushed: the return resumes with the module's own state
  L(`  mov &${s('ssp')}, sp`);
  L(`  clr &${s('ssp')}`);
  for (let r = 10; r >= 4; r--) L(`  pop r${r}`);
  L('  ret');
  L(`${s('ocall')}:`);
  for (let r = 4; r <= 10; r++) L(`  push r${r}`);
  L(`  mov sp, &${s('ssp')}`);
  for (const r of [4, 5, 7, 8, 9, 10]) L(`  clr r${r}`);
  L('  clr sr');
  L(`  mov &${s('usp')}, sp`);
  L(`  push #${s('entry')}`);
  L('  mov r11, pc');
}

/** Assembly that closes the module: end of text, the secure stack at the end of data. */
export function stubSuffix(spec: StubSpec): string {
  const s = (w: string) => sym(spec.name, w);
  if (spec.stackBytes % 2 || spec.stackBytes < 8) throw new RangeError(`module ${spec.name}: stack must be an even number of bytes ≥ 8`);
  return [
    `  .section .text.sm.${spec.name}, "ax"`,
    '  .even',
    `${s('text_end')}:`,
    `  .section .data.sm.${spec.name}, "aw"`,
    '  .even',
    `${s('stack')}: .space ${spec.stackBytes}`,
    `${s('stack_top')}:`,
    `${s('data_end')}:`,
    '',
  ].join('\n');
}
