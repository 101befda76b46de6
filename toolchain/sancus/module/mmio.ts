// Exclusive MMIO modules (issue 18 item 3, drivers): a Sancus module's data is one contiguous section, so a driver
// whose data lies in RAM cannot also cover its peripheral's registers below 0x0200. As sancus-compiler's
// `DECLARE_EXCLUSIVE_MMIO_SM` (its stub sm_mmio_entry.s; the design followed, not the code), a tiny naked module
// takes the register window as its data section — so the hardware refuses every other context's access to it — and
// its entries read and write the window for one caller only:
//   - the caller check: SM_PREV_ID (the ID of the context that entered) must equal SM_ID of the owning driver's
//     entry address, and be non-zero. sancus-compiler fixes a caller *ID* at link time; IDs follow the enable order,
//     which the untrusted runtime chooses, so here the owner is named by its text address instead: only the module
//     enabled at that address can match, and the deployer's attestation of the driver proves which module that is
//     (a text overlap is a create violation, so no other module can hold the address beside it).
//   - entries (r6): 0 read8, 1 read16, 2 write8, 3 write16; r12 = offset in the window, r13 = value; result r12.
//     An offset outside the window, an index out of range or a wrong caller: the module writes its own text, a
//     memory violation (as sm_mmio_entry.s `.Lerror`), so a refused call never returns.
//   - naked: no stub, no stack, no data of its own; it returns with `ret` to the address the driver's call-out
//     pushed (the driver's entry: `__sm_NAME_ocall`, stub.ts), with interrupts off all the way (the call-out
//     clears SR), so no untrusted code runs between the push and the return.
// The driver side (`driverMmioGlue`, used by compiled.ts) checks the callee in turn: before its first call in a
// boot it runs SM_VERIFY_ADDR on the MMIO module against the module's identity MAC, kept in the driver's own text
// (filled in at link time, node-image.ts), and remembers the ID; later calls only check the ID at that address is
// unchanged (IDs are never reused before a PUC). So a driver talks only to the genuine MMIO module for its window.
import type { RegisterWindow } from '../../../boards/register-window.ts';
import { TAG_BYTES } from '../params.ts';
import type { ModuleSpec } from './package.ts';
import { sym } from './stub.ts';

export const MMIO_OPS = ['read8', 'read16', 'write8', 'write16'] as const;

/** The name of the MMIO module of driver `owner`. */
export const mmioModuleName = (owner: string): string => `${owner}_mmio`;

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** The naked MMIO module owning `window` for the module named `owner` (same node image). */
export function mmioModuleSpec(owner: string, vendorId: number, window: RegisterWindow): ModuleSpec {
  const name = mmioModuleName(owner);
  const s = (w: string) => sym(name, w);
  const size = window.end - window.start;
  if (size <= 0 || window.start % 2 || size % 2) throw new RangeError(`MMIO window of '${window.peripheral}' must be whole words, got [${hex(window.start)}, ${hex(window.end)})`);
  const refuse = s('refuse');
  const L = [
    `  .section .text.sm.${name}, "ax"`,
    ...['entry', 'text_start', 'text_end', 'data_start', 'data_end', 'stub_end', 'runtime_end'].map((g) => `  .global ${s(g)}`),
    `  .set ${s('data_start')}, ${hex(window.start)}`,
    `  .set ${s('data_end')}, ${hex(window.end)}`,
    `${s('text_start')}:`,
    `${s('entry')}:`,
    `  mov #${sym(owner, 'text_start')}, r15`,
    '  sancus.get_id', //          r15 = ID of the module enabled at the owner's entry (0: none)
    '  mov r15, r14',
    '  sancus.get_caller_id', //   r15 = ID of the context that entered
    '  tst r14',
    `  jz ${refuse}`,
    '  cmp r14, r15',
    `  jne ${refuse}`,
    `  cmp #${size}, r12`,
    `  jhs ${refuse}`,
    `  cmp #${MMIO_OPS.length}, r6`,
    `  jhs ${refuse}`,
    `  add #${hex(window.start)}, r12`,
    '  rla r6',
    `  mov ${s('ops')}(r6), pc`,
    `${s('ops')}:`,
    ...MMIO_OPS.map((op) => `  .word ${s(op)}`),
    `${s('read8')}:`, '  mov.b @r12, r12', '  ret',
    `${s('read16')}:`, '  mov @r12, r12', '  ret',
    `${s('write8')}:`, '  mov.b r13, 0(r12)', '  clr r12', '  ret',
    `${s('write16')}:`, '  mov r13, 0(r12)', '  clr r12', '  ret',
    `${refuse}:`,
    `  clr &${s('text_start')}`, // a write to its own text: a memory violation (the board's policy follows)
    `  jmp ${refuse}`,
    // For moduleTcb: the whole text is "stub" (the entry and its checks).
    `${s('stub_end')}:`,
    `${s('runtime_end')}:`,
    '  .even',
    `${s('text_end')}:`,
    '',
  ];
  return { name, vendorId, source: L.join('\n'), entries: MMIO_OPS.map((op) => ({ name: s(op) })), naked: true };
}

/** The identity-MAC placeholder a module keeps in its text for `callee` (filled in by linkNode). */
export function tagLabel(module: string, callee: string): string {
  return sym(module, `tag_${callee}`);
}

export function tagPlaceholder(module: string, callee: string): string {
  return `${tagLabel(module, callee)}:\n  .space ${TAG_BYTES} ; identity MAC of ${callee}, filled in at link time`;
}

export function tagFilled(module: string, callee: string, tag: Uint8Array): string {
  return `${tagLabel(module, callee)}:\n  .byte ${[...tag].join(', ')} ; identity MAC of ${callee}`;
}

/**
 * The driver's `__hasm_mmio_*` glue (names already prefixed per module: `${prefix}__hasm_mmio_read8` …): EABI from
 * the compiled code (r12:r13 absolute address, r14:r15 value; result r12:r13), an address outside the window is a
 * memory trap; the callee is verified as above, then called out through the stub (`__sm_NAME_ocall`).
 */
export function driverMmioGlue(module: string, window: RegisterWindow, trap: string): string[] {
  const s = (w: string) => sym(module, w);
  const m = mmioModuleName(module);
  const go = s('mmio_go');
  const fail = s('mmio_fail');
  const L: string[] = [];
  MMIO_OPS.forEach((op, i) => {
    L.push(`${s(`_hasm_mmio_${op}`)}:`, '  push r6', `  mov #${i}, r6`);
    if (op.startsWith('write')) L.push('  mov r14, r13');
    L.push(`  jmp ${go}`);
  });
  L.push(
    `${go}:`,
    `  sub #${hex(window.start)}, r12`,
    `  cmp #${window.end - window.start}, r12`,
    `  jhs ${fail}`,
    `  mov #${sym(m, 'text_start')}, r15`,
    '  sancus.get_id',
    '  tst r15',
    `  jz ${fail}`,
    `  cmp &${s('mmio_id')}, r15`,
    `  jeq ${s('mmio_call')}`,
    '  push r12',
    '  push r13',
    `  mov #${sym(m, 'text_start')}, r14`,
    `  mov #${tagLabel(module, m)}, r15`,
    '  sancus.verify_address', // r15 = the MMIO module's ID when its identity MAC matches, else 0
    '  pop r13',
    '  pop r12',
    '  tst r15',
    `  jz ${fail}`,
    `  mov r15, &${s('mmio_id')}`,
    `${s('mmio_call')}:`,
    `  mov #${sym(m, 'entry')}, r11`,
    `  call #${s('ocall')}`,
    '  pop r6',
    '  clr r13',
    '  ret',
    `${fail}:`,
    '  pop r6',
    `  br #${trap}`,
    '  .even',
    tagPlaceholder(module, m),
    `  .section .data.sm.${module}, "aw"`,
    '  .even',
    `${s('mmio_id')}: .word 0`,
    `  .section .text.sm.${module}, "ax"`,
  );
  return L;
}
