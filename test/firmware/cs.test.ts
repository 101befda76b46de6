// CS security (seed §4.5): routing of the central system's plaintexts and the chapter 5 countermeasures on the
// readings it reports (§5.3.7: rounding, omitted readings, pseudonyms), configured by the central system; on the
// emulator and V8 (harness.ts), the PRF choices recomputed by the TypeScript oracle (prf-oracle.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { loadModule, Msg, u16le, u32le, type Module } from './harness.ts';
import { prf } from './prf-oracle.ts';

const OUT = { CORE: 1, OFFSWITCH: 2, DC: 4, LOGS: 8, LOG: 16, CLOCK: 32 };
const OMIT = 0x6f6d6974, PSEUDONYM = 0x706e796d;
const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

let m: Module;
beforeEach(async () => {
  m = await loadModule('cs');
}, 120_000);

const command = (b: number[]) => m.input('csCommand', b);
const privacy = (round: number, omit: number, halfHours: number, len = 24) =>
  command(new Msg().u8(5).u8(0).u16(round).u16(omit).u16(halfHours).bytes(KEY).get().slice(0, len));
const log = () => {
  const b = m.read(m.call('t_log'), 8);
  return { kind: b[0], result: b[1], aux: u16le(b, 2), value: u32le(b, 4) };
};
const report = (t: number, wh: number, tariff = 0) => {
  if (!m.input('csReading', new Msg().u32(t).u32(wh).u16(tariff).u16(0).get())) return undefined;
  const b = m.read(m.call('t_reading'), 16);
  return { type: b[0], tariff: u16le(b, 2), pseudonym: u32le(b, 4), t: u32le(b, 8), wh: u32le(b, 12) };
};

describe('routing: each central-system command reaches exactly one module', () => {
  it('core, off-switch, DC security, logs, clock by command byte; unknown, empty or short plaintexts are refused and logged', () => {
    for (const c of [1, 2, 3, 4, 6]) expect(command([c, 0])).toBe(OUT.CORE);
    for (const c of [0x10, 0x11, 0x12]) expect(command([c, 0])).toBe(OUT.OFFSWITCH);
    expect(command([0x30, 0])).toBe(OUT.DC);
    expect(command([7, 0, 0, 0])).toBe(OUT.LOGS);
    expect(command([8, 0, 0, 0, 1, 2, 3, 4])).toBe(OUT.CLOCK);
    for (const bad of [[0x00, 0], [0x13, 0], [0xff, 1, 2, 3], [0x10]]) {
      expect(command(bad)).toBe(OUT.LOG);
      expect(log()).toMatchObject({ kind: 6, result: 1, aux: bad.length >= 2 ? bad[0] : 0, value: bad.length });
    }
  });
});

describe('chapter 5 countermeasures on the reported readings', () => {
  it('by default a reading goes out as measured, without a pseudonym', () => {
    expect(report(3600, 1234, 1)).toEqual({ type: 0x80, tariff: 1, pseudonym: 0, t: 3600, wh: 1234 });
  });

  it('rounding to the nearest multiple of round_wh (50 Wh = the seed\'s 0.05 kWh)', () => {
    expect(privacy(50, 0, 0)).toBe(OUT.LOG);
    expect(log()).toMatchObject({ kind: 5, result: 0 });
    expect([0, 24, 25, 74, 75, 1234, 1275].map((wh) => report(1800, wh)!.wh)).toEqual([0, 0, 50, 50, 100, 1250, 1300]);
  });

  it('omitted readings: the share withheld follows omit_per_1024, each choice the PRF\'s', () => {
    privacy(0, 103, 0); // ≈ 10 %, the seed's 141 of ~1463 a month
    let omitted = 0;
    for (let h = 0; h < 400; h++) {
      const t = 1_800_000 + 1800 * h;
      const r = report(t, 500);
      const want = (prf(KEY, OMIT, t) & 1023) < 103;
      expect(r === undefined).toBe(want);
      if (!r) omitted++;
    }
    expect(omitted).toBeGreaterThan(20);
    expect(omitted).toBeLessThan(65);
  });

  it('pseudonym rotation: one pseudonym per period (720 half hours = 15 days), a new one after', () => {
    privacy(0, 0, 720);
    const t0 = 720 * 1800 * 1000;
    const p = [0, 719, 720, 1439, 1440].map((h) => report(t0 + 1800 * h, 1)!.pseudonym);
    expect(p[0]).toBe(prf(KEY, PSEUDONYM, 1000));
    expect(p[1]).toBe(p[0]);
    expect(p[2]).not.toBe(p[1]);
    expect(p[3]).toBe(p[2]);
    expect(p[4]).toBe(prf(KEY, PSEUDONYM, 1002));
  });

  it('a configuration withholding more than half the readings, or malformed, is refused, logged and not applied', () => {
    privacy(50, 0, 0);
    expect(privacy(0, 513, 0)).toBe(OUT.LOG);
    expect(log()).toMatchObject({ kind: 5, result: 2 });
    expect(privacy(0, 0, 0, 22)).toBe(OUT.LOG);
    expect(log()).toMatchObject({ kind: 5, result: 1 });
    expect(report(1800, 74)!.wh).toBe(50); // the rounding configured before still applies
  });

  it('a malformed reading from the core is not reported', () => {
    expect(m.input('csReading', [1, 2, 3, 4, 5, 6, 7, 8])).toBe(0);
  });
});
