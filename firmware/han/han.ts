// The HAN gateway's frames (seed §4.5 "HAN gateway data diode", §4.3.4 "Consumer feedback": consumption, tariffs
// and, in prepaid mode, the credit balance; §4.3.3 load balancing: appliance commands go out the same way, one
// way). A frame: [7E][type u8][seq u8][n u8][n bytes][CRC-16/X-25 of type..payload, little-endian]; type 1 status
// (COSEM-ish items, lib/cosem.ts: clock, energy total, power, tariff, credit), type 2 appliance [appliance][on].
// `seq` counts frames so the in-home display sees a gap; nothing comes back (the HAN UART has no receive line).
import { putItem, crc16, TAG_U32, TAG_I32, ITEM_BYTES } from '../lib/cosem';
import { IN } from '../lib/events';

export const FRAME = memory.data(64);
const SEQ = memory.data(2); // the frame counter: a byte at a constant address, not an i32 global

function finish(type: u32, n: u32): u32 {
  store<u8>(FRAME, 0x7e);
  store<u8>(FRAME, <u8>type, 1);
  const seq = load<u8>(SEQ);
  store<u8>(FRAME, seq, 2);
  store<u8>(FRAME, <u8>n, 3);
  store<u8>(SEQ, seq + 1);
  const crc = crc16(FRAME + 1, n + 3);
  store<u8>(FRAME + 4 + n, <u8>crc);
  store<u8>(FRAME + 5 + n, <u8>(crc >> 8));
  return n + 6;
}

/** The core's status at IN ([t][total Wh][power W][credit i32][price u32][tariff u8][prepaid u8][0 u16]) as a status
 *  frame in FRAME; returns its length (0 if the status is malformed). */
export function hanStatus(len: i32): u32 {
  if (len != 24) return 0;
  let p = FRAME + 4;
  p = putItem(p, 0x0000, 1, 0, 0, TAG_U32, load<u32>(IN)); // 0.0.1.0.0.255 clock (meter seconds)
  p = putItem(p, 0x0100, 1, 8, 0, TAG_U32, load<u32>(IN, 4)); // 1.0.1.8.0.255 active energy import (Wh)
  p = putItem(p, 0x0100, 1, 7, 0, TAG_U32, load<u32>(IN, 8)); // 1.0.1.7.0.255 active power import (W)
  p = putItem(p, 0x0000, 96, 14, 0, TAG_U32, <u32>load<u8>(IN, 20) + 1); // 0.0.96.14.0.255 current tariff
  p = putItem(p, 0x0000, 19, 10, 0, TAG_I32, load<u32>(IN, 12)); // 0.0.19.10.0.255 credit (mills)
  return finish(1, 5 * ITEM_BYTES);
}

/** A load-balancing command the core accepted ([appliance u8][on u8]) as an appliance frame. */
export function hanAppliance(len: i32): u32 {
  if (len != 2) return 0;
  store<u8>(FRAME + 4, load<u8>(IN));
  store<u8>(FRAME + 5, load<u8>(IN, 1));
  return finish(2, 2);
}
