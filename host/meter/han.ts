// The HAN gateway module's frames as the in-home display receives them on the transmit-only HAN line
// (firmware/han/han.ts): [7E][type u8][seq u8][n u8][n bytes][CRC-16/X-25 of type..payload, little-endian].
// Type 1 status, type 2 appliance. Frames with a bad CRC are counted, not believed.

export interface HanFrame {
  type: number;
  seq: number;
  payload: Uint8Array;
  /** Cycle the frame's last byte ended. */
  cycle: number;
}

/** CRC-16/X-25 (reflected 0x1021, init and final xor 0xFFFF). */
export function crc16x25(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

export class HanParser {
  private at = 0;
  bad = 0;

  /** Parses new bytes of `bytes` (with their end cycles) from where the last call stopped. */
  push(bytes: number[], cycles: number[]): HanFrame[] {
    const out: HanFrame[] = [];
    while (this.at < bytes.length) {
      if (bytes[this.at] !== 0x7e) {
        this.at++;
        continue;
      }
      if (this.at + 4 > bytes.length) break;
      const n = bytes[this.at + 3]!;
      const end = this.at + 4 + n + 2;
      if (end > bytes.length) break;
      const body = Uint8Array.from(bytes.slice(this.at + 1, this.at + 4 + n));
      const crc = bytes[end - 2]! | (bytes[end - 1]! << 8);
      if (crc16x25(body) === crc) {
        out.push({ type: body[0]!, seq: body[1]!, payload: body.slice(3), cycle: cycles[end - 1]! });
        this.at = end;
      } else {
        this.bad++;
        this.at++;
      }
    }
    return out;
  }
}
