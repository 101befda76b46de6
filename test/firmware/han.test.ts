// The HAN gateway (seed §4.5 data diode, §4.3.4 consumer feedback): frames from the core's status on the
// transmit-only HAN UART of the emulated board, checked byte for byte (CRC-16/X-25, COSEM-ish items).
import { describe, expect, it } from 'vitest';
import { loadModule, Msg } from './harness.ts';

const HZ = 20_000_000;
interface Uart { onTransmit: (b: number, c: number) => void; canReceive: boolean }

function crcX25(b: number[]): number {
  let crc = 0xffff;
  for (const x of b) {
    crc ^= x;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc ^ 0xffff;
}
const item = (obis: number[], tag: number, v: number) => [...obis, tag, (v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
// The core's status (firmware/core/core.ts HAN_BOX): [t][total][tariff registers × 4][credit][power][price][tariff][prepaid][0]
const status = (t: number, wh: number, w: number, credit: number, price: number, tariff: number, prepaid: number) =>
  new Msg().u32(t).u32(wh).u32(wh - 7).u32(7).u32(0).u32(0).u32(credit).u32(w).u32(price).u8(tariff).u8(prepaid).u16(0).get();

describe('HAN gateway', () => {
  it('puts the status frame on the HAN UART: clock, energy, power, tariff, credit; sequence numbers count', async () => {
    const m = await loadModule('han', true);
    const uart = m.device<Uart>('han');
    expect(uart.canReceive).toBe(false); // the data diode is physical: no receive line on the board
    const sent: number[] = [];
    uart.onTransmit = (b) => void sent.push(b);
    m.event('input_status', status(1_000_000, 123456, 2300, -250, 150, 1, 1));
    m.idle(HZ / 100);
    m.call('t_idle');
    const payload = [
      ...item([0, 0, 1, 0, 0, 255], 6, 1_000_000),
      ...item([1, 0, 1, 8, 0, 255], 6, 123456),
      ...item([1, 0, 1, 7, 0, 255], 6, 2300),
      ...item([0, 0, 96, 14, 0, 255], 6, 2),
      ...item([0, 0, 19, 10, 0, 255], 5, -250 >>> 0),
    ];
    const body = [1, 0, payload.length, ...payload];
    const crc = crcX25(body);
    expect(sent).toEqual([0x7e, ...body, crc & 255, crc >> 8]);
    sent.length = 0;
    m.event('input_appliance', [2, 0]);
    m.idle(HZ / 100);
    m.call('t_idle');
    const b2 = [2, 1, 2, 2, 0];
    const c2 = crcX25(b2);
    expect(sent).toEqual([0x7e, ...b2, c2 & 255, c2 >> 8]);
  }, 120_000);

  it('negative twin: malformed status or appliance inputs put nothing on the HAN', async () => {
    const m = await loadModule('han', true);
    const sent: number[] = [];
    m.device<Uart>('han').onTransmit = (b) => void sent.push(b);
    m.event('input_status', status(1, 2, 3, 4, 5, 0, 0).slice(0, 38));
    m.event('input_appliance', [1, 0, 0, 0]);
    m.idle(HZ / 100);
    m.call('t_idle');
    expect(sent).toEqual([]);
  }, 120_000);
});
