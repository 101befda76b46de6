// The in-home display reads what the meter's own HAN gateway module sends: firmware/han compiled and run on the
// emulated board (through test/firmware's harness), its HAN UART's bytes fed to the display's parser. Guards the
// frame format against drifting apart between firmware/han and host/ihd.
import { describe, expect, it } from 'vitest';
import { Display } from '../../host/ihd/display.ts';
import { HanFrameParser } from '../../host/ihd/han-frame.ts';
import { loadModule, Msg } from '../firmware/harness.ts';

const HZ = 20_000_000;
interface Uart { onTransmit: (b: number, c: number) => void }
// The core's status to the HAN gateway (firmware/core/core.ts HAN_BOX): [t][total Wh][tariff 1..4 Wh × 4][credit i32]
// [power W][price u32][tariff u8][prepaid u8][0 u16]
const status = (t: number, wh: number, w: number, credit: number, price: number, tariff: number) =>
  new Msg().u32(t).u32(wh).u32(wh).u32(0).u32(0).u32(0).u32(credit >>> 0).u32(w).u32(price).u8(tariff).u8(1).u16(0).get();

describe('in-home display ← firmware/han on the emulated board', () => {
  it('the module\'s frames parse to the status the core gave it; sequence numbers follow', async () => {
    const m = await loadModule('han', true);
    const bytes: number[] = [];
    m.device<Uart>('han').onTransmit = (b) => void bytes.push(b);
    const t = 1_764_892_800 + 8 * 3600;
    m.event('input_status', status(t, 2_000_000, 850, 4_250, 150, 0));
    m.event('input_status', status(t + 5, 2_000_002, 1_730, -1_200, 150, 1));
    m.event('input_appliance', [3, 0]);
    m.idle(HZ / 50);
    m.call('t_idle');
    const p = new HanFrameParser();
    const d = new Display();
    const frames = p.push(bytes);
    for (const f of frames) d.take(f);
    expect(p.dropped).toBe(0);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([[1, 0], [1, 1], [2, 2]]);
    expect(d.state.status).toEqual({ t: t + 5, energyWh: 2_000_002, powerW: 1_730, tariff: 2, creditMills: -1_200 });
    expect(d.state.todayWh).toBe(2);
    expect(d.state.missed).toBe(0);
    expect(d.state.appliance).toEqual({ appliance: 3, on: false, t: t + 5 });
  }, 180_000);
});
