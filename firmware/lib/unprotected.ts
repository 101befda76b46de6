// Reading unprotected memory from a protected module, under the confused-deputy rule (firmware/README.md "The
// mechanism"; seed §4.6.4 on pointers passed into a module): the module itself checks that the whole source range
// lies outside its own text and data before it copies a byte, so no caller can make it read (and later reveal or
// act on) its own secrets through a pointer it was handed.
import { copy_in as hasm_copy_in, copy_out as hasm_copy_out } from '../../toolchain/compiler/lib/hasm';

/**
 * Copies `len` bytes from the absolute address `src` (unprotected memory) to linear memory at `dst`. Returns false,
 * copying nothing, when [src, src + len) overlaps this module's text or data or wraps around the address space.
 * A `dst` range outside linear memory traps (memory), as any out-of-bounds access does.
 */
export function copy_in(dst: usize, src: usize, len: i32): bool {
  return (hasm_copy_in(dst, src, len) & 1) != 0; // 1 copied, 0 refused: one word to test
}

/**
 * Copies `len` bytes from linear memory at `src` to the absolute address `dst` (unprotected memory: the non-volatile
 * memory, a peripheral's register). Returns false, copying nothing, when [dst, dst + len) overlaps this module's
 * text or data or wraps around; a `src` range outside linear memory traps (memory).
 */
export function copy_out(dst: usize, src: usize, len: i32): bool {
  return (hasm_copy_out(dst, src, len) & 1) != 0;
}
