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
/** Traps with a reason code (toolchain/compiler/traps.ts). */
@external("hasm", "trap") export declare function trap(reason: i32): void;
/**
 * Protected modules only: copies `len` bytes from the absolute address `src` (unprotected memory) into linear
 * memory at `dst` if [src, src + len) lies wholly outside the module's own text and data; returns 1, or 0 having
 * copied nothing (the confused-deputy rule; supplied by the module packaging, firmware/lib/unprotected.ts).
 */
@external("hasm", "copy_in") export declare function copy_in(dst: usize, src: usize, len: i32): i32;
