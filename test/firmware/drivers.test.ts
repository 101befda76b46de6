// The drivers on the emulated board's own peripherals (boards/emulated.json; toolchain/emulator/peripherals):
// the ADE7953 front end, Basic Timer1 on the 32,768 Hz crystal, the relay with contact feedback, tamper switch and
// reconnect button. Emulator only: MMIO has no V8 counterpart.
import { describe, expect, it } from 'vitest';
import { loadModule, u32le } from './harness.ts';

const HZ = 20_000_000;
interface Ade { setLoad(w: number): void; setSupply(closed: boolean): void; lsbFed(): bigint; fed(): { wh: number } }
interface Sw { set(active: boolean): void; press(cycles: number): void }
interface Relay { closed: boolean }
interface Gpio { setInput(port: number, pin: number, level: boolean): void }

describe('metrology driver (ADE7953)', () => {
  it('registers every whole Wh the front end accumulates, carrying the remainder: none lost, none twice', async () => {
    const m = await loadModule('metrology', true);
    const ade = m.device<Ade>('metrology');
    expect(m.call('metrologyPoll')).toBe(0); // no load yet
    ade.setSupply(true); // the relay's contacts closed (its driver is another module, tested below)
    ade.setLoad(3600); // 3.6 kW = 1 Wh per second
    let wh = 0;
    const steps = [0.25, 0.5, 1.7, 0.05, 3, 2.5];
    for (const s of steps) {
      m.idle(Math.round(s * HZ));
      if (m.call('metrologyPoll')) {
        const b = m.read(m.call('t_box'), 8);
        wh += u32le(b, 0);
        expect(u32le(b, 4)).toBe(3600);
      }
    }
    const fedLsb = Number(ade.lsbFed());
    expect(wh).toBe(Math.floor(fedLsb / 1000)); // whole Wh of what the chip counted (1000 LSB/Wh)
    expect(wh).toBeGreaterThanOrEqual(7);
  }, 120_000);

  it('negative twin: with the supply open no current flows and nothing is registered', async () => {
    const m = await loadModule('metrology', true);
    m.device<Ade>('metrology').setLoad(3600);
    m.idle(5 * HZ);
    expect(m.call('metrologyPoll')).toBe(0);
  }, 120_000);
});

describe('clock driver (Basic Timer1, 32,768 Hz)', () => {
  it('counts seconds exactly from the crystal when polled within 2 s, from the time the central system set', async () => {
    const m = await loadModule('clock', true);
    expect(m.call('clockPoll')).toBe(0); // starts the timer
    m.write(16, [8, 0, 0, 0, 0x40, 0x42, 0x0f, 0]); // CMD_TIME t = 1,000,000
    expect(m.call('clockSet', 8)).toBe(0);
    let ticks = 0;
    for (let k = 0; k < 24; k++) {
      m.idle(HZ * 0.75);
      ticks += m.call('clockPoll');
    }
    expect(m.call('clockNow')).toBe(1_000_000 + 18); // 24 × 0.75 s
    expect(ticks).toBeGreaterThanOrEqual(17);
    expect(m.call('clockSet', 7)).toBe(1); // malformed: time unchanged
    expect(m.call('clockNow')).toBe(1_000_018);
  }, 120_000);

  it('a poll once a second ticks once, early or late by up to 0.4 s (its seconds begin mid-count)', async () => {
    // The protected scheduler's "1000 ms" is 32,768 counts of Timer_A's ACLK, MCLK / 610: 0.06 % faster than the
    // crystal; each poll here is also 0.4 s off that beat, alternately late and early.
    const m = await loadModule('clock', true);
    m.call('clockPoll');
    const second = 32768 / (HZ / 610);
    let at = 0;
    for (let k = 1; k <= 12; k++) {
      const due = k * second + (k % 2 ? 0.4 : -0.4);
      m.idle(Math.round((due - at) * HZ));
      at = due;
      expect(m.call('clockPoll')).toBe(1);
    }
    expect(m.call('clockNow')).toBe(12);
  }, 120_000);

  it('negative twin: polls withheld for longer than 2 s lose the skipped wraps (time slows, never jumps ahead)', async () => {
    const m = await loadModule('clock', true);
    m.call('clockPoll');
    m.idle(HZ * 5);
    m.call('clockPoll');
    expect(m.call('clockNow')).toBe(1); // 5 s = two whole wraps of 2 s lost, 1 s counted
  }, 120_000);
});

describe('relay driver (coil, feedback, tamper, button)', () => {
  it('drives the coil as told and reports the contact feedback', async () => {
    const m = await loadModule('relay', true);
    const relay = m.device<Relay>('relay');
    m.write(16, [0, 0]);
    m.call('relaySet', 2);
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(0); // the coil just moved: no feedback report while the contacts travel
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([3, 0]); // LOCAL_CONTACT open
    expect(relay.closed).toBe(false);
    m.write(16, [1, 0]);
    m.call('relaySet', 2);
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(0);
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([3, 1]);
    expect(relay.closed).toBe(true);
    expect(m.call('relayState')).toBe(3);
    expect(m.call('relayPoll')).toBe(0); // nothing new
  }, 120_000);

  it('latches a button press between polls; reports tamper while the case is open', async () => {
    const m = await loadModule('relay', true);
    m.call('relayPoll');
    m.idle(HZ / 10);
    m.call('relayPoll'); // the contact report after power-up
    const button = m.device<Sw>('button');
    const tamper = m.device<Sw>('tamper');
    button.press(HZ / 100); // 10 ms press, released before the next poll
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([1, 0]);
    expect(m.call('relayPoll')).toBe(0); // one press, one event
    tamper.set(true);
    m.idle(HZ / 100);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([2, 0]);
    // Still open: reported at every poll (the off-switch module re-locks a case unlocked while open); closed: silent.
    for (let k = 0; k < 3; k++) {
      m.idle(HZ / 4);
      expect(m.call('relayPoll')).toBe(1);
      expect([...m.read(m.call('t_box'), 2)]).toEqual([2, 0]);
    }
    tamper.set(false);
    m.idle(HZ / 4);
    expect(m.call('relayPoll')).toBe(0);
    expect(m.call('relayPoll')).toBe(0);
  }, 120_000);

  it('reports a case opened and closed again between two polls (the edge is latched), once', async () => {
    const m = await loadModule('relay', true);
    m.call('relayPoll');
    m.idle(HZ / 10);
    m.call('relayPoll');
    m.device<Sw>('tamper').press(HZ / 100); // open for 10 ms, closed again before the next poll
    m.idle(HZ / 4);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([2, 0]);
    m.idle(HZ / 4);
    expect(m.call('relayPoll')).toBe(0);
  }, 120_000);

  it('reports a case already open at power-up at the first poll (no edge to latch)', async () => {
    const m = await loadModule('relay', true);
    m.device<Sw>('tamper').set(true);
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([2, 0]);
  }, 120_000);

  it('reports a contact that changes on its own (welded, bypassed) within FEEDBACK_EVERY = 4 polls, once', async () => {
    const m = await loadModule('relay', true);
    m.call('relayPoll');
    m.idle(HZ / 10);
    expect(m.call('relayPoll')).toBe(1); // the contacts closed after power-up: [3, 1]
    expect([...m.read(m.call('t_box'), 2)]).toEqual([3, 1]);
    // The auxiliary contact drops while the coil still holds the main contacts closed (relay_fb, P1.3).
    m.device<Gpio>('gpio').setInput(1, 3, false);
    let polls = 0;
    let n = 0;
    while (n === 0 && polls < 8) {
      m.idle(HZ / 4);
      n = m.call('relayPoll');
      polls++;
    }
    expect(n).toBe(1);
    expect([...m.read(m.call('t_box'), 2)]).toEqual([3, 0]);
    expect(polls).toBeLessThanOrEqual(4);
    for (let k = 0; k < 8; k++) expect(m.call('relayPoll')).toBe(0); // reported once
  }, 120_000);
});
