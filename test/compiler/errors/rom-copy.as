// memory.copy from a table in the ROM tail: the copy reads RAM only — a compile error (copy with hasm.rom_u8).
import { rom_u8 } from "../../../toolchain/compiler/lib/hasm";

const BUF = memory.data(24);
@lazy const T = memory.data<u8>([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);

export function viaRom(i: i32): u8 {
  return rom_u8(T + (i & 3));
}

export function copyTable(): void {
  memory.copy(BUF, T, 24); // 24 bytes: not expanded into loads and stores by the optimiser
}
