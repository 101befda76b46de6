// The theft knob of the emulated front end (toolchain/emulator/meter.ts setProfile(profile, bypass)): a fraction of
// each interval's energy is wired around the front end and the relay — drawn (energy().bypassWh counts it, the
// transformer sees it), never measured (the front end's fed energy and LSB count exclude it). The concentrator's
// theft check (host/dc) rests on exactly this split.
import { describe, expect, it } from 'vitest';
import { meterControls } from '../../toolchain/emulator/meter.ts';
import { machineFor } from '../emulator/asm.ts';

const CLOCK = 20_000_000;
// The supply relay closed and the CPU asleep: the front end integrates the load on its own.
const PROGRAM = `start:\n  mov #0x5a80, &0x0120\n  mov #0x2a00, sp\n  bis.b #1, &0x0022\n  bis.b #1, &0x0021\nloop:\n  bis #0x18, sr\n  jmp loop\n`;
const profile = { intervalSeconds: 60, mwh: [60_000n, 120_000n, 30_000n] }; // 3.6 kW, 7.2 kW, 1.8 kW for a minute each

describe('meter controls: a bypassed fraction of the household', () => {
  it('splits every interval: (1 − f) through the front end, f around it, the sum is the profile', () => {
    const { m } = machineFor(PROGRAM, 'emulated');
    const meter = meterControls(m);
    m.run({ maxCycles: CLOCK / 100 }); // the relay closes
    meter.setProfile(profile, 0.25);
    const c0 = m.cycle;
    m.run({ maxCycles: c0 + 90 * CLOCK }); // one and a half intervals
    const e = meter.energy();
    expect(e.fedWh + e.bypassWh).toBeCloseTo(60 + 60, 3); // 60 Wh + half of 120 Wh
    expect(e.bypassWh).toBeCloseTo(0.25 * 120, 3);
    expect(e.fedWh).toBeCloseTo(0.75 * 120, 3);
    m.run({ maxCycles: c0 + 200 * CLOCK }); // past the profile's end: nothing more drawn either way
    expect(meter.energy().bypassWh).toBeCloseTo(0.25 * 210, 3);
    expect(meter.energy().fedWh).toBeCloseTo(0.75 * 210, 3);
  });

  it('no bypass by default; a new profile keeps what was bypassed before; fractions outside 0…1 refused', () => {
    const { m } = machineFor(PROGRAM, 'emulated');
    const meter = meterControls(m);
    m.run({ maxCycles: CLOCK / 100 });
    meter.setProfile(profile, 0.5);
    m.run({ maxCycles: m.cycle + 60 * CLOCK });
    meter.setProfile(profile);
    m.run({ maxCycles: m.cycle + 60 * CLOCK });
    expect(meter.energy().bypassWh).toBeCloseTo(30, 3);
    expect(meter.energy().fedWh).toBeCloseTo(30 + 60, 3);
    expect(() => meter.setProfile(profile, 1.5)).toThrow(/0…1/);
    expect(() => meter.setProfile(profile, -0.1)).toThrow(/0…1/);
  });
});
