// Compiler bug reproduction (reported from issue 18 item 3; toolchain/compiler/backend.ts memSize): zero-filled
// static data from `memory.data(N)` lies beyond the last (non-zero) data segment — binaryen's memory packing drops
// zero bytes and __heap_base is folded away by wasm-ctor-eval + simplify-globals — so memSize is only the heap and
// an access to the region traps `memory` on the emulator while V8 runs it.
//   hasm build test/firmware/repro/zero-static-data.ts -o /tmp/z.elf && hasm run /tmp/z.elf --call put 1999
//   → trap: memory (V8: 1)
const BUF = memory.data(2000);
export function put(i: i32): i32 {
  store<u8>(BUF + i, 1);
  return load<u8>(BUF + i);
}
