// An ordinary load of a table in the ROM tail at a constant address: its bytes are not in RAM — a compile error.
import { rom_u8 } from "../../../toolchain/compiler/lib/hasm";

@lazy const T = memory.data<u8>([1, 2, 3, 4]);

export function viaRom(i: i32): u8 {
  return rom_u8(T + (i & 3));
}

export function third(): u8 {
  return load<u8>(T + 2);
}
