// COSEM-ish encodings: a value tagged with its OBIS code (IEC 62056-61) and an A-XDR type tag (IEC 62056-6-2,
// big-endian), so the HAN side and the central system read the same names a DLMS meter uses:
//   1.0.1.8.0.255   active energy import, total (Wh)        1.0.1.8.T.255  the same per tariff T (1-based)
//   1.0.1.7.0.255   instantaneous active import power (W)    0.0.96.14.0.255 current tariff (1-based)
//   0.0.19.10.0.255 credit balance (mills; the SMETS "meter balance")
// An item is 11 bytes: OBIS A..F, the tag (0x06 double-long-unsigned, 0x05 double-long), the value big-endian.

export const ITEM_BYTES: u32 = 11;
export const TAG_U32: u8 = 0x06;
export const TAG_I32: u8 = 0x05;

/** The CRC of each 4-bit value under the reflected polynomial 0x8408: entry i = four bitwise steps from i. */
const CRC_NIBBLE = memory.data<u16>([
  0x0000, 0x1081, 0x2102, 0x3183, 0x4204, 0x5285, 0x6306, 0x7387,
  0x8408, 0x9489, 0xa50a, 0xb58b, 0xc60c, 0xd68d, 0xe70e, 0xf78f,
]);

/** CRC-16/X-25 (HDLC FCS, IEC 62056-46): reflected 0x1021, init and final xor 0xFFFF, of `n` ≤ 64 bytes at `p`. */
export function crc16(p: usize, n: u32): u32 {
  let crc: u32 = 0xffff;
  // Four bits per step from a 16-entry table instead of eight bitwise steps per byte: a HAN frame's CRC was a
  // tenth of the meter's instructions (issue 18 "Measured"); 32 bytes of table instead of a 512-byte one. A
  // constant bound (the test `i < n` inside): a 16-bit counter, and with a constant `p` every address proven inside
  // memory — no bounds check per byte (issue 18 TCB).
  for (let i: u32 = 0; i < 64; i++) {
    if (i < n) {
      crc ^= <u32>load<u8>(p + i);
      crc = (crc >> 4) ^ <u32>load<u16>(CRC_NIBBLE + ((crc & 15) << 1));
      crc = (crc >> 4) ^ <u32>load<u16>(CRC_NIBBLE + ((crc & 15) << 1));
    }
  }
  return crc ^ 0xffff;
}
