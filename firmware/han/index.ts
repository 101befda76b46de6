// The HAN gateway module (seed §4.5 "HAN gateway data diode"): owns the HAN UART (0x0088–0x008D, transmit-only
// wiring: the board has no HAN receive line), so no other code can put a frame on the HAN. Inputs: status (core,
// every 5 s: consumption, tariff, credit) and appliance (core: an accepted load-balancing command). No outputs.
import { mmio_read8, mmio_write8 } from '../../toolchain/compiler/lib/hasm';
import { hanStatus, hanAppliance, FRAME } from './han';
import { IN } from '../lib/events';

const CTRL: u16 = 0x0088;
const STATUS: u16 = 0x0089;
const BAUD_LO: u16 = 0x008a;
const BAUD_HI: u16 = 0x008b;
const DATA_TX: u16 = 0x008c;
const EN: u8 = 0x01;
const TX_FULL: u8 = 0x08;
/** 115,200 baud at 20 MHz: one bit every BAUD + 1 = 174 cycles (omsp_uart). */
const BAUD: u16 = 173;

/** Puts the frame of `n` bytes in FRAME (at most 61: a status) on the HAN UART; `n & 63` changes nothing but keeps
 *  the length one word and every FRAME index provably inside memory (no bounds check per byte). */
function send(len: u32): void {
  const n = len & 63;
  if (n == 0) return;
  if (!(mmio_read8(CTRL) & EN)) {
    mmio_write8(BAUD_LO, <u8>BAUD);
    mmio_write8(BAUD_HI, <u8>(BAUD >> 8));
    mmio_write8(CTRL, EN);
  }
  for (let i: u32 = 0; i < 64; i++) {
    if (i < n) {
      while (mmio_read8(STATUS) & TX_FULL) {}
      mmio_write8(DATA_TX, load<u8>(FRAME + i));
    }
  }
}

// Each input's plaintext is at IN, where the module runtime, an input's only caller, unwraps it (`data` is always
// IN: toolchain/sancus/module/compiled.ts INPUT_OFFSET). Its length is at most MAX_EVENT = 64
// (toolchain/sancus/module/runtime.ts): `& 0x7f` changes nothing but lets the compiler compare it as one word.
export function input_status(data: usize, len: i32): void {
  send(hanStatus(<u32>len & 0x7f));
}

export function input_appliance(data: usize, len: i32): void {
  send(hanAppliance(<u32>len & 0x7f));
}
