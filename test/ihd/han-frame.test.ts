// The in-home display's reading of the HAN (host/ihd): frames parsed from a byte stream in any chunking, through
// noise and corrupted frames; the status items decoded; today's energy, missed frames and the chart's window.
import { describe, expect, it } from 'vitest';
import { Display } from '../../host/ihd/display.ts';
import { HanFrameParser, decodeStatus } from '../../host/ihd/han-frame.ts';
import { applianceFrame, statusFrame } from './frames.ts';

describe('HAN frames', () => {
  it('the firmware test\'s status frame, byte for byte, decodes to what the core sent', () => {
    // test/firmware/han.test.ts: status(1_000_000 s, 123456 Wh, 2300 W, credit −250, tariff index 1) on the UART
    const f = statusFrame(0, { t: 1_000_000, wh: 123456, w: 2300, tariff: 2, creditMills: -250 });
    const [frame] = new HanFrameParser().push(f);
    expect(frame!.type).toBe(1);
    expect(decodeStatus(frame!.payload)).toEqual({ t: 1_000_000, energyWh: 123456, powerW: 2300, tariff: 2, creditMills: -250 });
  });

  it('any chunking, noise between frames, a corrupted frame and a flag byte inside a payload', () => {
    // 0x7e inside a value: the power 0x7e7e W, and the sequence number 0x7e
    const a = statusFrame(0x7e, { t: 86400 * 20000, wh: 0x7e, w: 0x7e7e, tariff: 1, creditMills: 0 });
    const bad = statusFrame(0x7f, { t: 1, wh: 2, w: 3, tariff: 1, creditMills: 0 });
    bad[20]! ^= 0x10;
    const c = applianceFrame(0x80, 3, false);
    const stream = Uint8Array.from([0x00, 0x7e, 0x55, ...a, 0x13, ...bad, ...c]);
    for (const chunk of [1, 2, 7, stream.length]) {
      const p = new HanFrameParser();
      const got = [];
      for (let i = 0; i < stream.length; i += chunk) got.push(...p.push(stream.subarray(i, i + chunk)));
      expect(got.map((f) => [f.type, f.seq])).toEqual([[1, 0x7e], [2, 0x80]]);
      expect(decodeStatus(got[0]!.payload)!.powerW).toBe(0x7e7e);
      expect(p.dropped).toBeGreaterThan(0);
    }
  });

  it('malformed status payloads are not shown', () => {
    const f = new HanFrameParser().push(statusFrame(0, { t: 1, wh: 2, w: 3, tariff: 1, creditMills: 0 }))[0]!;
    expect(decodeStatus(f.payload.subarray(0, 44))).toBeUndefined(); // credit missing
    const wrongTag = Uint8Array.from(f.payload);
    wrongTag[6] = 0x12;
    expect(decodeStatus(wrongTag)).toBeUndefined();
  });
});

describe('what the display shows', () => {
  const day = 86400 * 20_000; // a meter-clock midnight (UTC)
  it('energy today: from midnight when the display saw the day change, else from its first frame (and says so)', () => {
    const d = new Display(3600);
    const p = new HanFrameParser();
    const take = (seq: number, t: number, wh: number, w = 500) => p.push(statusFrame(seq, { t, wh, w, tariff: 1, creditMills: 1000 })).forEach((f) => d.take(f));
    take(0, day - 3600, 10_000);
    expect(d.state.todayWh).toBe(0);
    expect(d.state.todaySince).toBe(day - 3600); // started mid-day
    take(1, day - 5, 10_400);
    expect(d.state.todayWh).toBe(400);
    take(2, day + 5, 10_410); // across midnight: today counts from the last frame before it
    expect(d.state.todaySince).toBe(day);
    expect(d.state.todayWh).toBe(10);
    take(5, day + 20, 10_450); // seq 3, 4 lost
    expect(d.state.missed).toBe(2);
    expect(d.state.todayWh).toBe(50);
    // the chart keeps the last hour only
    take(6, day + 3600 + 10, 10_900);
    expect(d.state.history.map((h) => h[0])).toEqual([day + 20, day + 3610]);
    d.take(p.push(applianceFrame(7, 1, false))[0]!);
    expect(d.state.appliance).toEqual({ appliance: 1, on: false, t: day + 3610 });
  });
});
