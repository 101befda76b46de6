// The HAN gateway's frames (seed §4.5 "HAN gateway data diode", §4.3.4 "Consumer feedback": consumption, tariffs
// and, in prepaid mode, the credit balance; §4.3.3 load balancing: appliance commands go out the same way, one
// way). A frame: [7E][type u8][seq u8][n u8][n bytes][CRC-16/X-25 of type..payload, little-endian]; type 1 status
// (COSEM-ish items, lib/cosem.ts: clock, energy total, power, tariff, credit), type 2 appliance [appliance][on].
// `seq` counts frames so the in-home display sees a gap; nothing comes back (the HAN UART has no receive line).
import { crc16, TAG_U32, TAG_I32, ITEM_BYTES } from '../lib/cosem';
import { IN } from '../lib/events';

export const FRAME = memory.data(64);
const SEQ = memory.data(2); // the frame counter: a byte at a constant address, not an i32 global

/** Frames the payload already in FRAME + 4 (`n` bytes, at most 55 here: a status) and returns the frame's length.
 *  `n & 63` changes nothing but lets the compiler prove every index inside memory (no bounds check per byte). */
function finish(type: u32, len: u32): u32 {
  const n = len & 63;
  const seq = load<u8>(SEQ);
  store<u16>(FRAME, <u16>(0x7e | (type << 8)));
  store<u16>(FRAME, <u16>(<u32>seq | (n << 8)), 2);
  store<u8>(SEQ, seq + 1);
  const crc = crc16(FRAME + 1, n + 3);
  store<u8>(FRAME + 4 + n, <u8>crc);
  store<u8>(FRAME + 5 + n, <u8>(crc >> 8));
  return n + 6;
}

/** The status frame's items: OBIS A..F, the A-XDR tag, and where the value lies in the status (its byte offset from
 *  IN, a multiple of 4; the tariff's is 40, where hanStatus puts it 1-based). One table and one loop instead of a
 *  call per item: a call with seven arguments pushed five of them at each of five call sites (issue 18 TCB). */
const ITEMS = memory.data<u8>([
  0, 0, 1, 0, 0, 255, TAG_U32, 0, //    0.0.1.0.0.255 clock (meter seconds)
  1, 0, 1, 8, 0, 255, TAG_U32, 4, //    1.0.1.8.0.255 active energy import (Wh)
  1, 0, 1, 7, 0, 255, TAG_U32, 28, //   1.0.1.7.0.255 active power import (W)
  0, 0, 96, 14, 0, 255, TAG_U32, 40, // 0.0.96.14.0.255 current tariff (1-based)
  0, 0, 19, 10, 0, 255, TAG_I32, 24, // 0.0.19.10.0.255 credit (mills)
]);
const ITEMS_N: u32 = 5;

/** The core's status at IN ([t][total Wh][tariff 1..4 Wh × 4][credit i32][power W][price u32][tariff u8][prepaid u8]
 *  [0 u16], 40 bytes: the core's live billing state as it lies, firmware/core/core.ts REPLY_BOX) as a status frame in
 *  FRAME; returns its length (0 if the status is malformed). `len` ≤ 64 (the input buffer). */
export function hanStatus(len: u32): u32 {
  if (len != 40) return 0;
  // The tariff 1-based (COSEM) as a u32 just past the status, still inside the input buffer [IN, IN + 64).
  store<u32>(IN + 40, <u32>load<u8>(IN, 36) + 1);
  for (let i: u32 = 0; i < ITEMS_N; i++) {
    const q = FRAME + 4 + i * ITEM_BYTES;
    const t = ITEMS + (i << 3);
    const v = IN + (<u32>load<u8>(t, 7) & 60); // masked: the 4 bytes inside the input buffer whatever the table says
    for (let j: u32 = 0; j < ITEM_BYTES; j++) store<u8>(q + j, j < 7 ? load<u8>(t + j) : load<u8>(v + 10 - j)); // value big-endian
  }
  return finish(1, ITEMS_N * ITEM_BYTES);
}

/** A load-balancing command the core accepted ([appliance u8][on u8]) as an appliance frame. */
export function hanAppliance(len: u32): u32 {
  if (len != 2) return 0;
  store<u8>(FRAME + 4, load<u8>(IN));
  store<u8>(FRAME + 5, load<u8>(IN, 1));
  return finish(2, 2);
}
