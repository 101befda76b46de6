// A rom read of an address below the ROM tail (an eager buffer, RAM) — a compile error.
import { rom_u8 } from "../../../toolchain/compiler/lib/hasm";

const BUF = memory.data(8);
@lazy const T = memory.data<u8>([1, 2, 3, 4]);

export function viaRom(i: i32): u8 {
  return rom_u8(T + (i & 3));
}

export function ramByRom(): u8 {
  return rom_u8(BUF + 1);
}
