// The HAN frames the meter's HAN gateway module puts on its transmit-only HAN UART (firmware/han/han.ts, seed §4.5
// "HAN gateway data diode", §4.3.4 "consumer feedback"): [7E][type u8][seq u8][n u8][n bytes][CRC-16/X-25 of
// type..payload, little-endian]. Type 1 status: COSEM-ish items (firmware/lib/cosem.ts) of 11 bytes — OBIS A..F,
// A-XDR tag (0x06 double-long-unsigned, 0x05 double-long), value big-endian. Type 2 appliance: [appliance][on].
// There is no byte stuffing, so the parser resynchronises on the CRC: a flag inside a payload is only a candidate
// start, and a candidate whose CRC fails is dropped one byte at a time (and counted).

export const SYNC = 0x7e;
/** The gateway's frame buffer is 64 bytes: at most 58 bytes of payload. */
export const MAX_PAYLOAD = 58;

export interface HanFrame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

/** CRC-16/X-25 (HDLC FCS, IEC 62056-46): reflected 0x1021, init and final xor 0xFFFF. */
export function crcX25(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}

/** Bytes in as they arrive, whole frames out. */
export class HanFrameParser {
  private buf: number[] = [];
  /** Candidate frames dropped (bad CRC, impossible length) and noise bytes skipped. */
  dropped = 0;

  push(bytes: ArrayLike<number>): HanFrame[] {
    for (let i = 0; i < bytes.length; i++) this.buf.push(bytes[i]! & 0xff);
    const out: HanFrame[] = [];
    for (;;) {
      const start = this.buf.indexOf(SYNC);
      if (start < 0) {
        this.dropped += this.buf.length;
        this.buf.length = 0;
        return out;
      }
      if (start > 0) {
        this.dropped += start;
        this.buf.splice(0, start);
      }
      if (this.buf.length < 4) return out;
      const n = this.buf[3]!;
      if (n > MAX_PAYLOAD) {
        this.dropped++;
        this.buf.shift();
        continue;
      }
      if (this.buf.length < n + 6) return out;
      const crc = this.buf[4 + n]! | (this.buf[5 + n]! << 8);
      if (crc !== crcX25(this.buf, 1, 4 + n)) {
        this.dropped++;
        this.buf.shift();
        continue;
      }
      const f = this.buf.splice(0, n + 6);
      out.push({ type: f[1]!, seq: f[2]!, payload: Uint8Array.from(f.slice(4, 4 + n)) });
    }
  }
}

/** What a status frame says (units as the meter keeps them). */
export interface HanStatus {
  /** Meter clock, Unix seconds (UTC). */
  t: number;
  /** Active energy import, total (Wh) — 1.0.1.8.0.255. */
  energyWh: number;
  /** Instantaneous active import power (W) — 1.0.1.7.0.255. */
  powerW: number;
  /** Current tariff, 1-based — 0.0.96.14.0.255. */
  tariff: number;
  /** Credit balance in mills (1/1000 of the currency unit) — 0.0.19.10.0.255. */
  creditMills: number;
}

export const ITEM_BYTES = 11;
const OBIS: Record<string, keyof HanStatus> = {
  '0.0.1.0.0.255': 't',
  '1.0.1.8.0.255': 'energyWh',
  '1.0.1.7.0.255': 'powerW',
  '0.0.96.14.0.255': 'tariff',
  '0.0.19.10.0.255': 'creditMills',
};

/** Decodes a status frame's items; undefined when an item is malformed or one of the five is missing. */
export function decodeStatus(payload: Uint8Array): HanStatus | undefined {
  if (payload.length % ITEM_BYTES) return undefined;
  const s: Partial<HanStatus> = {};
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let p = 0; p < payload.length; p += ITEM_BYTES) {
    const obis = Array.from(payload.subarray(p, p + 6)).join('.');
    const tag = payload[p + 6];
    const field = OBIS[obis];
    if (!field) continue; // an item a newer meter adds: skipped, not an error
    if (tag === 0x06) s[field] = v.getUint32(p + 7);
    else if (tag === 0x05) s[field] = v.getInt32(p + 7);
    else return undefined;
  }
  return Object.keys(OBIS).every((k) => OBIS[k]! in s) ? (s as HanStatus) : undefined;
}
