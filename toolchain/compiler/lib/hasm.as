// The hasm intrinsics for AssemblyScript modules: `import { mmio_read8 } from "<path>/toolchain/compiler/lib/hasm"` (stored as hasm.as).
// Each is a wasm import from the reserved `hasm` namespace that the MSP430 backend lowers inline
// (toolchain/compiler/intrinsics.ts); addresses must be compile-time constants.

@external("hasm", "mmio_read8") export declare function mmio_read8(addr: u16): u8;
@external("hasm", "mmio_read16") export declare function mmio_read16(addr: u16): u16;
@external("hasm", "mmio_write8") export declare function mmio_write8(addr: u16, value: u8): void;
@external("hasm", "mmio_write16") export declare function mmio_write16(addr: u16, value: u16): void;
@external("hasm", "interrupts_enable") export declare function interrupts_enable(): void;
@external("hasm", "interrupts_disable") export declare function interrupts_disable(): void;
/** Enters low-power mode 0..4 with interrupts enabled. */
@external("hasm", "low_power") export declare function low_power(mode: i32): void;
/**
 * Reads a byte (`rom_u8`) or a little-endian u16 (`rom_u16`) of a read-only table at linear-memory address `addr`:
 * the table declared `@lazy export const T = memory.data<u8>([…])` (or a lazily compiled static of the same kind),
 * which the compiler keeps in the module's text, not in RAM (toolchain/compiler/README.md "Read-only tables").
 * Out of the tables' range it traps like a memory access out of bounds.
 */
@external("hasm", "rom_u8") export declare function rom_u8(addr: usize): u8;
@external("hasm", "rom_u16") export declare function rom_u16(addr: usize): u16;
/** Traps with a reason code (toolchain/compiler/traps.ts). */
@external("hasm", "trap") export declare function trap(reason: i32): void;
/**
 * Protected modules only: copies `len` bytes from the absolute address `src` (unprotected memory) into linear
 * memory at `dst` if [src, src + len) lies wholly outside the module's own text and data; returns 1, or 0 having
 * copied nothing (the confused-deputy rule; supplied by the module packaging, firmware/lib/unprotected.ts).
 */
@external("hasm", "copy_in") export declare function copy_in(dst: usize, src: usize, len: i32): i32;
/**
 * Protected modules only: copies `len` bytes from linear memory at `src` to the absolute address `dst` if
 * [dst, dst + len) lies wholly outside the module's own text and data; returns 1, or 0 having copied nothing (what
 * a module writes into unprotected memory itself, e.g. a sealed record into non-volatile memory; supplied by the
 * module packaging, firmware/lib/unprotected.ts).
 */
@external("hasm", "copy_out") export declare function copy_out(dst: usize, src: usize, len: i32): i32;
/**
 * The Sancus crypto unit's authenticated encryption (SM_AE_WRAP): wraps `body_len` bytes at `body` into `cipher`
 * with `ad_len` bytes at `ad` as associated data, the 8-byte tag to `tag`; `key` = 0 uses the calling module's own
 * key, else the 8 key bytes at `key`. All are linear-memory offsets, bounds-checked (else the memory trap). Returns 1,
 * or 0 when the unit refused (key 0 outside a module; AD and body both empty). toolchain/compiler/sancus-wrap.ts.
 */
@external("hasm", "sancus_wrap") export declare function sancus_wrap(key: usize, ad: usize, ad_len: usize, body: usize, body_len: usize, cipher: usize, tag: usize): i32;
/**
 * The inverse (SM_AE_UNWRAP): `len` bytes of cipher at `cipher` into `plain`, checked against the 8-byte tag at `tag`
 * with `ad_len` bytes of AD at `ad`; returns 1 only when the tag matches. Same key and bounds rules as sancus_wrap.
 */
@external("hasm", "sancus_unwrap") export declare function sancus_unwrap(key: usize, ad: usize, ad_len: usize, cipher: usize, len: usize, plain: usize, tag: usize): i32;
