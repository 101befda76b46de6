// `hasm.sancus_wrap` (issue 18 item 3, DC security; seed §4.6.3): the Sancus crypto unit's authenticated encryption
// (SM_AE_WRAP, mnemonic `sancus.wrap` from ../msp430/sancus-isa.ts) on linear memory, as a routine the backend
// appends once when a unit uses the intrinsic. The instruction takes absolute addresses in fixed registers (r9 key
// or 0 = the calling module's own key, r10–r11 AD, r12–r13 body, r14 cipher out, r15 tag out) and writes through
// them, so the routine is what keeps wasm's memory safety: every range must lie inside the mapped linear memory
// (else the memory trap, as any out-of-bounds access), then the offsets become addresses.
//
// sancus_wrap(key, ad, ad_len, body, body_len, cipher, tag): i32 — all linear-memory offsets, passed as 16-bit words
// (the lowering tests a high word not known 0 and takes the memory trap itself, intrinsics.ts lowWord): key, ad,
// ad_len, body in r12–r15, body_len, cipher, tag on the stack; key 0 = the module's own key (the module key
// SM_ENABLE derived: sealing what only this module may open), else 8 key bytes at `key`; the cipher gets body_len
// bytes, the tag 8. Returns 1, or 0 when the unit refused (no module for key 0, or AD and body both empty — which
// would stall the core, toolchain/sancus/cycles.md — refused here before it is issued), in r12 (the high word is 0).
import { TAG_BYTES, KEY_BYTES } from '../sancus/params.ts';
import { TRAP } from './traps.ts';

export const SANCUS_WRAP = '__hasm_sancus_wrap';
/** sancus_unwrap(key, ad, ad_len, cipher, len, plain, tag): i32 — the same ranges; 1 only when the tag matches
 *  (SM_AE_UNWRAP: r12–r13 cipher, r14 plaintext out, r15 the expected tag). */
export const SANCUS_UNWRAP = '__hasm_sancus_unwrap';

/** The routine for `sym` (wrap or unwrap) in a unit whose linear memory is `memSize` bytes at `mem`. */
export function sancusAeRoutine(sym: typeof SANCUS_WRAP | typeof SANCUS_UNWRAP, mem: string, memSize: number): string[] {
  const op = sym === SANCUS_WRAP ? 'wrap' : 'unwrap';
  const L: string[] = ['  .text', '  .balign 2', `${sym}:`, '  push r9', '  push r10'];
  // After the two pushes and the return address: stack argument k (k = 0…2: body_len, cipher, tag) at 6 + 2k(sp).
  const arg = (k: number) => `${6 + 2 * k}(sp)`;
  const fail = `.Lhasm_${op}_trap`;
  const refuse = `.Lhasm_${op}_refuse`;
  /** [reg, reg + len) inside [0, memSize]: no carry out of the add, end ≤ memSize; `len` a register or immediate. */
  const inside = (reg: string, len: string, tmp: string) => [`  mov ${reg}, ${tmp}`, `  add ${len}, ${tmp}`, `  jc ${fail}`, `  cmp #${memSize + 1}, ${tmp}`, `  jhs ${fail}`];
  // AD and body both empty: the core's wrap never completes (cycles.md) — refuse.
  L.push('  tst r14', `  jnz .Lhasm_${op}_nonempty`, `  tst ${arg(0)}`, `  jz ${refuse}`, `.Lhasm_${op}_nonempty:`);
  // key: 0 = own key, else [key, key + 8)
  L.push('  clr r9', '  tst r12', `  jz .Lhasm_${op}_key`, ...inside('r12', `#${KEY_BYTES}`, 'r9'), '  mov r12, r9', `  add #${mem}, r9`, `.Lhasm_${op}_key:`);
  // ad [r13, r13 + r14): r10 = start, r11 = end
  L.push('  mov r13, r10', ...inside('r10', 'r14', 'r11'), `  add #${mem}, r10`, '  mov r10, r11', '  add r14, r11');
  // body: r12 = start, r13 = end; cipher [cipher, cipher + body_len); tag [tag, tag + 8)
  L.push('  mov r15, r12', ...inside('r12', arg(0), 'r13'));
  L.push(`  mov ${arg(1)}, r14`, ...inside('r14', arg(0), 'r13'));
  L.push(`  mov ${arg(2)}, r15`, ...inside('r15', `#${TAG_BYTES}`, 'r13'));
  L.push(`  add #${mem}, r12`, '  mov r12, r13', `  add ${arg(0)}, r13`, `  add #${mem}, r14`, `  add #${mem}, r15`);
  L.push(`  sancus.${op}`, '  mov r15, r12', '  pop r10', '  pop r9', '  ret');
  L.push(`${refuse}:`, '  clr r12', '  pop r10', '  pop r9', '  ret');
  L.push(`${fail}:`, '  pop r10', '  pop r9', `  mov #${TRAP.memory}, r12`, '  br #__hasm_trap');
  return L;
}
