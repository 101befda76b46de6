// HAN frames as the meter's HAN gateway makes them (firmware/han/han.ts; the byte layout its own test checks,
// test/firmware/han.test.ts), for feeding the in-home display in tests.
import { crcX25 } from '../../host/ihd/han-frame.ts';

const item = (obis: number[], tag: number, v: number) => [...obis, tag, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export interface Status {
  t: number;
  wh: number;
  w: number;
  tariff: number;
  creditMills: number;
}

export function statusFrame(seq: number, s: Status): Uint8Array {
  const payload = [
    ...item([0, 0, 1, 0, 0, 255], 6, s.t),
    ...item([1, 0, 1, 8, 0, 255], 6, s.wh),
    ...item([1, 0, 1, 7, 0, 255], 6, s.w),
    ...item([0, 0, 96, 14, 0, 255], 6, s.tariff),
    ...item([0, 0, 19, 10, 0, 255], 5, s.creditMills >>> 0),
  ];
  const body = [1, seq & 255, payload.length, ...payload];
  const crc = crcX25(body);
  return Uint8Array.from([0x7e, ...body, crc & 255, crc >> 8]);
}

export function applianceFrame(seq: number, appliance: number, on: boolean): Uint8Array {
  const body = [2, seq & 255, 2, appliance, on ? 1 : 0];
  const crc = crcX25(body);
  return Uint8Array.from([0x7e, ...body, crc & 255, crc >> 8]);
}

/** A day of a household's power, deterministic: a base load, a morning and an evening peak, seeded noise. */
export function householdPower(t: number, seed = 21): number {
  const h = (t % 86400) / 3600;
  const peak = (c: number, w: number, a: number) => a * Math.exp(-((h - c) ** 2) / (2 * w * w));
  let x = (Math.floor(t / 300) * 2654435761 + seed) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995) >>> 0;
  return Math.round(180 + peak(7.5, 0.8, 1400) + peak(19, 1.5, 2200) + (x % 250));
}
