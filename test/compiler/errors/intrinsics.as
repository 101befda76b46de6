import { mmio_read16, mmio_write8, interrupts_disable, interrupts_enable } from "../../../toolchain/compiler/lib/hasm";

// P1OUT-style register at 0x0021, a 16-bit timer register at 0x0170.
export function poke(v: u8): u16 {
  interrupts_disable();
  mmio_write8(0x21, v);
  const t = mmio_read16(0x170);
  interrupts_enable();
  return t;
}
