// V8's side of the intrinsics hasm.rom_u8 / hasm.rom_u16 (toolchain/compiler/lib/hasm.as): a read of the instance's
// linear memory at `addr` (u16 little-endian), as wasm's load8_u / load16_u — out of the memory it throws the
// RuntimeError V8's own load throws, which the differential harness reads as the memory trap. The MSP430 side reads
// the same bytes from the module's text and traps outside the read-only tail (toolchain/compiler/README.md).
const WA = (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }).WebAssembly;

/** The `hasm` import object's rom_* members for an instance whose memory `memory()` returns once instantiated. */
export function romImports(memory: () => { buffer: ArrayBuffer }): { rom_u8: (addr: number) => number; rom_u16: (addr: number) => number } {
  const read = (addr: number, n: number): Uint8Array => {
    const mem = new Uint8Array(memory().buffer);
    const a = addr >>> 0;
    if (a + n > mem.length) throw new WA.RuntimeError('memory access out of bounds');
    return mem.subarray(a, a + n);
  };
  return {
    rom_u8: (addr) => read(addr, 1)[0]!,
    rom_u16: (addr) => {
      const b = read(addr, 2);
      return b[0]! | (b[1]! << 8);
    },
  };
}
