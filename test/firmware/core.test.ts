// The meter core (seed §4.3.2 computations, §4.3.4 smart billing / load balancing / consumer feedback, §4.4.2
// reasonableness checks, §4.6.4 prepaid disablement), on the emulator and V8 (harness.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { loadModule, Msg, u32le, u16le, type Module } from './harness.ts';

const OUT = { CREDIT: 1, SEC: 2, MET: 4, READING: 8, HAN: 16, APPLIANCE: 32, REPLY: 64 };
const BOX = { CREDIT: 0, SEC: 1, MET: 2, READING: 3, HAN: 4, APPLIANCE: 5, REPLY: 6 };
const EV = { PREPAID: 1, TOPUP: 2, TARIFF: 3, APPLIANCE: 4, CS_REJECT: 6, HALF_HOUR: 32 };
const R = { OK: 0, BAD_FORMAT: 1, BAD_VALUE: 2, TOO_SOON: 3, WEEKLY_CAP: 4, NO_CHANGE: 5, REUSED_TOKEN: 6 };
const G = { TOTAL: 0, T1: 1, T2: 2, CREDIT: 5, TARIFF: 6, PREPAID: 7, APPLIANCES: 8, OFFS: 9 };
const DAY = 86400;
const T0 = 20000 * DAY; // midnight UTC, a half-hour boundary

let m: Module;
beforeEach(async () => {
  m = await loadModule('core');
}, 120_000);

/** A handler's result is what the module sends after it (firmware/core/index.ts emit reads coreOuts). */
const sent = (r: number) => {
  expect(m.call('t_outs')).toBe(r);
  return r;
};
const tick = (t: number) => sent(m.call('coreTick', t));
const energy = (wh: number, w = 0) => sent(m.input('coreEnergy', new Msg().u32(wh).u32(w).get()));
const command = (b: number[]) => sent(m.input('coreCommand', b));
const get = (w: number) => m.call('coreGet', w);
const box = (i: number, n: number) => m.read(m.call('t_box', i), n);
const sec = () => {
  const b = box(BOX.SEC, 8);
  return { kind: b[0], result: b[1], aux: u16le(b, 2), value: u32le(b, 4) };
};
const tariff = (prices: number[], switches: [number, number][]) => {
  const msg = new Msg().u8(1).u8(prices.length).u8(switches.length).u8(0);
  prices.forEach((p) => msg.u32(p));
  switches.forEach(([minute, idx]) => msg.u16(minute).u8(idx).u8(0));
  return command(msg.get());
};
const prepaid = (mode: number, threshold: number) => command(new Msg().u8(2).u8(mode).u16(0).u32(threshold).get());
const topup = (amount: number, token: number) => command(new Msg().u8(3).u8(0).u16(0).u32(amount).u32(token).get());
const appliance = (a: number, on: number) => command([4, a, on, 0]);

describe('energy registers and half-hourly readings', () => {
  it('registers every Wh fed and closes each half hour with its reading and a metrology log entry', () => {
    tick(T0);
    const fed = [[120, 5], [0, 0], [333, 7], [1, 1]]; // (Wh, events) per half hour
    let total = 0;
    for (let h = 0; h < fed.length; h++) {
      const [wh, n] = fed[h]!;
      for (let k = 0; k < n; k++) energy(k === n - 1 ? wh - Math.floor(wh / n) * (n - 1) : Math.floor(wh / n), 2400);
      total += wh;
      for (let s = 60; s < 1800; s += 600) tick(T0 + h * 1800 + s);
      const out = tick(T0 + (h + 1) * 1800);
      expect(out & (OUT.READING | OUT.MET)).toBe(OUT.READING | OUT.MET);
      const r = box(BOX.READING, 12);
      expect([u32le(r, 0), u32le(r, 4)]).toEqual([T0 + h * 1800, wh]);
      const l = box(BOX.MET, 8);
      expect([l[0], u32le(l, 4)]).toEqual([EV.HALF_HOUR, wh]);
    }
    expect(get(G.TOTAL)).toBe(total);
  });

  it('a tick that does not advance the clock does nothing; withheld ticks lose no energy', () => {
    tick(T0 + 100);
    expect(tick(T0 + 100)).toBe(0);
    expect(tick(T0 + 50)).toBe(0);
    energy(500);
    // the runtime withholds ticks for two hours: the open half hour takes all energy until the next tick
    expect(tick(T0 + 2 * 3600 + 1) & OUT.READING).toBe(OUT.READING);
    expect(u32le(box(BOX.READING, 12), 4)).toBe(500);
    expect(get(G.TOTAL)).toBe(500);
  });
});

describe('tariffs and their switching times', () => {
  it('registers energy per tariff across the switching times', () => {
    expect(tariff([150, 300], [[7 * 60, 1], [23 * 60, 0]])).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.TARIFF, result: R.OK });
    tick(T0 + 6 * 3600); // 06:00: before the first switch → the last switch of the previous day (tariff 0)
    expect(get(G.TARIFF)).toBe(0);
    energy(10);
    tick(T0 + 7 * 3600); // 07:00 → tariff 1
    expect(get(G.TARIFF)).toBe(1);
    energy(20);
    tick(T0 + 23 * 3600 + 59); // 23:00 → tariff 0
    energy(5);
    expect([get(G.T1), get(G.T2), get(G.TOTAL)]).toEqual([15, 20, 35]);
    // the HAN status carries the tariff in force and its price
    tick(T0 + 23 * 3600 + 120);
    const h = box(BOX.HAN, 40);
    expect([u32le(h, 32), h[36]]).toEqual([150, 0]);
  });

  it('refuses malformed tables — and logs each refusal — leaving the table in force', () => {
    tariff([150, 300], [[7 * 60, 1], [23 * 60, 0]]);
    tick(T0 + 8 * 3600);
    const bad: [number[], [number, number][], number][] = [
      [[100, 200], [[600, 1], [600, 0]], R.BAD_VALUE], // not strictly rising
      [[100, 200], [[600, 2]], R.BAD_VALUE], // unknown tariff index
      [[100], [[1440, 0]], R.BAD_VALUE], // minute past the day
      [[100, 200, 300, 400, 500], [[0, 0]], R.BAD_VALUE], // five tariffs
      [[70000], [[0, 0]], R.BAD_VALUE], // price over 65.535 per kWh
    ];
    for (const [p, s, why] of bad) {
      expect(tariff(p, s)).toBe(OUT.SEC);
      expect(sec()).toMatchObject({ kind: EV.TARIFF, result: why });
    }
    expect(command([1, 1, 1, 0, 100, 0, 0, 0, 0])).toBe(OUT.SEC); // truncated
    expect(sec()).toMatchObject({ kind: EV.TARIFF, result: R.BAD_FORMAT });
    expect(get(G.TARIFF)).toBe(1);
    tick(T0 + 8 * 3600 + 5);
    expect(u32le(box(BOX.HAN, 40), 32)).toBe(300);
  });
});

describe('prepaid mode and credit', () => {
  it('debits exactly price × Wh, trips below the threshold once, and a top-up restores', () => {
    tariff([250], [[0, 0]]); // 0.250 per kWh = 250 mills
    tick(T0);
    expect(topup(1000, 1)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.TOPUP, result: R.OK, aux: 1, value: 1000 });
    expect(prepaid(1, 0)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.PREPAID, result: R.OK });
    for (let k = 0; k < 40; k++) expect(energy(100)).toBe(0); // 4 kWh = 1000 mills
    expect(get(G.CREDIT)).toBe(0);
    expect(energy(3)).toBe(0); // 0.75 mills: not yet a whole mill
    expect(get(G.CREDIT)).toBe(0);
    expect(energy(1)).toBe(OUT.CREDIT); // 1.00 mill: below the threshold 0
    expect(box(BOX.CREDIT, 2)[0]).toBe(1); // CREDIT_EXHAUSTED
    expect(get(G.CREDIT)).toBe(-1);
    expect(energy(40)).toBe(0); // already tripped: asked once
    expect(topup(500, 2)).toBe(OUT.SEC | OUT.CREDIT);
    expect(box(BOX.CREDIT, 2)[0]).toBe(2); // CREDIT_RESTORED
    expect(get(G.CREDIT)).toBe(489);
  });

  it('a large withheld energy event is debited exactly (chunks of 65535 Wh)', () => {
    tariff([65535], [[0, 0]]);
    tick(T0);
    topup(1000000, 1);
    prepaid(1, -50000);
    energy(200000); // 200 kWh × 65.535 = 13107 units = 13,107,000 mills
    expect(get(G.CREDIT)).toBe(1000000 - 13107000);
  });

  it('refuses bad top-ups and reused tokens, logging each; credit unchanged', () => {
    topup(100, 7);
    for (const [amount, token, why] of [[0, 8, R.BAD_VALUE], [1000001, 9, R.BAD_VALUE], [100, 7, R.REUSED_TOKEN], [100, 3, R.REUSED_TOKEN]] as const) {
      expect(topup(amount, token)).toBe(OUT.SEC);
      expect(sec()).toMatchObject({ kind: EV.TOPUP, result: why });
    }
    expect(command([3, 0, 0, 0, 100, 0])).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.TOPUP, result: R.BAD_FORMAT });
    expect(get(G.CREDIT)).toBe(100);
  });

  it('entering prepaid with too little credit trips at once; leaving prepaid restores; bad switches are logged', () => {
    tick(T0);
    expect(prepaid(1, 1)).toBe(OUT.SEC); // threshold above zero: refused
    expect(sec()).toMatchObject({ kind: EV.PREPAID, result: R.BAD_VALUE });
    expect(prepaid(2, 0)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.PREPAID, result: R.BAD_VALUE });
    expect(prepaid(1, -60000)).toBe(OUT.SEC); // more emergency credit than allowed
    expect(get(G.PREPAID)).toBe(0);
    tariff([1000], [[0, 0]]);
    energy(2); // credit mode: nothing debited
    expect(get(G.CREDIT)).toBe(0);
    topup(1, 1);
    expect(prepaid(1, 0)).toBe(OUT.SEC);
    expect(energy(2)).toBe(OUT.CREDIT); // 2 mills: credit -1
    expect(get(G.CREDIT)).toBe(-1);
    expect(prepaid(0, 0)).toBe(OUT.SEC | OUT.CREDIT); // leaving prepaid releases the hold
    expect(box(BOX.CREDIT, 2)[0]).toBe(2);
    expect(prepaid(1, 0)).toBe(OUT.SEC | OUT.CREDIT); // back in prepaid at credit -1: trips at once
    expect(box(BOX.CREDIT, 2)[0]).toBe(1);
  });
});

describe('load balancing (§4.4.2 reasonableness checks)', () => {
  it('switches an appliance and tells the HAN gateway; refuses a switch sooner than 15 min, and logs both', () => {
    tick(T0);
    expect(appliance(2, 0)).toBe(OUT.APPLIANCE | OUT.SEC);
    expect([...box(BOX.APPLIANCE, 2)]).toEqual([2, 0]);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.OK, aux: 0x200, value: 1 });
    tick(T0 + 899);
    expect(appliance(2, 1)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.TOO_SOON });
    tick(T0 + 900);
    expect(appliance(2, 1)).toBe(OUT.APPLIANCE | OUT.SEC);
    expect(get(G.APPLIANCES)).toBe(0xf);
    // another appliance has its own gap
    expect(appliance(1, 0)).toBe(OUT.APPLIANCE | OUT.SEC);
  });

  it('caps switch-offs at 7 in any week, then allows them again a week after the oldest', () => {
    let t = T0;
    for (let k = 0; k < 7; k++) {
      tick(t);
      expect(appliance(0, 0) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
      tick((t += 900));
      expect(appliance(0, 1) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
      t += 900;
    }
    tick(t);
    expect(appliance(0, 0)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.WEEKLY_CAP, value: 7 });
    expect(appliance(1, 0)).toBe(OUT.SEC); // the cap is for all appliances together
    tick(T0 + 7 * DAY - 1);
    expect(appliance(0, 0)).toBe(OUT.SEC);
    tick(T0 + 7 * DAY);
    expect(appliance(0, 0) & OUT.APPLIANCE).toBe(OUT.APPLIANCE); // the first switch-off left the window
  });

  it('switch-offs before the first tick (time not yet known) count from it: neither the cap nor the gap is escaped', () => {
    for (let a = 0; a < 4; a++) expect(appliance(a, 0) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
    tick(T0);
    expect(appliance(0, 1)).toBe(OUT.SEC); // 15 min from the first tick, not from time 0
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.TOO_SOON });
    let t = T0;
    for (let k = 0; k < 3; k++) {
      tick((t += 900));
      expect(appliance(0, 1) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
      tick((t += 900));
      expect(appliance(0, 0) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
    }
    expect(get(G.OFFS)).toBe(7);
    tick((t += 900));
    appliance(0, 1);
    tick((t += 900));
    expect(appliance(0, 0)).toBe(OUT.SEC); // the 8th in a week: the four before the clock are in the window
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.WEEKLY_CAP, value: 7 });
    tick(T0 + 7 * DAY);
    expect(appliance(0, 0) & OUT.APPLIANCE).toBe(OUT.APPLIANCE);
  });

  it('moves the tariff at the switching minute to the second, tick by tick and across midnight', () => {
    tariff([100, 200, 300], [[1, 1], [3, 2], [1439, 0]]);
    const seen: number[] = [];
    for (let s = 1438 * 60 - 1; s <= 1440 * 60 + 4 * 60; s += 1) {
      if (s % 60 > 1 && s % 60 < 59) continue; // the seconds around each minute boundary
      tick(T0 + s);
      seen.push(get(G.TARIFF));
    }
    // at :59, :00 and :01 of each minute from 23:57:59 to 00:04:01: 23:57 → 2 (switch at 00:03), 23:59 → 0,
    // 00:00 → 0 (the previous day's last switch), 00:01 → 1, 00:03 → 2
    const expected: number[] = [];
    for (let s = 1438 * 60 - 1; s <= 1440 * 60 + 4 * 60; s += 1) {
      if (s % 60 > 1 && s % 60 < 59) continue;
      const minute = Math.floor((s % 86400) / 60);
      expected.push(minute >= 1439 ? 0 : minute >= 3 ? 2 : minute >= 1 ? 1 : 0);
    }
    expect(seen).toEqual(expected);
    tick(T0 + 3 * DAY + 2 * 60); // a gap of days: 00:02 → 1
    expect(get(G.TARIFF)).toBe(1);
  });

  it('logs refused appliance commands: unknown appliance, no change, malformed', () => {
    tick(T0);
    expect(appliance(4, 0)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.BAD_VALUE });
    expect(appliance(0, 1)).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.NO_CHANGE });
    expect(command([4, 0, 0])).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.APPLIANCE, result: R.BAD_FORMAT });
    expect(get(G.OFFS)).toBe(0);
  });
});

describe('consumer feedback and replies', () => {
  it('sends the HAN status every 5 s of clock: energy, power, credit, tariff', () => {
    const outs: number[] = [];
    energy(42, 1234);
    for (let s = 0; s < 21; s++) outs.push(tick(T0 + 100 + s) & OUT.HAN);
    expect(outs.filter((o) => o).length).toBe(5); // s = 0, 5, 10, 15, 20
    expect(outs[0]).toBe(OUT.HAN);
    expect(outs[5]).toBe(OUT.HAN);
    // [t][total][tariff registers × 4][credit][power][price][tariff][prepaid][0 u16]
    const h = box(BOX.HAN, 40);
    expect([u32le(h, 0), u32le(h, 4), u32le(h, 8), u32le(h, 24), u32le(h, 28), h[37], h[38], h[39]]).toEqual([T0 + 120, 42, 42, 0, 1234, 0, 0, 0]);
  });

  it('answers a read with the attributable billing registers; an unknown command is logged as rejected', () => {
    tariff([100, 200], [[0, 0], [720, 1]]);
    tick(T0);
    energy(7);
    tick(T0 + 13 * 3600);
    energy(9);
    expect(command([6, 0])).toBe(OUT.REPLY);
    const r = box(BOX.REPLY, 32);
    expect([r[0], u32le(r, 4), u32le(r, 8), u32le(r, 12), u32le(r, 16), u32le(r, 28)]).toEqual([0x86, T0 + 13 * 3600, 16, 7, 9, 0]);
    expect(command([0x99, 0])).toBe(OUT.SEC);
    expect(sec()).toMatchObject({ kind: EV.CS_REJECT, result: R.BAD_FORMAT, aux: 0x99 });
  });
});

describe('the security-log entry of each command, every field (§4.5: valid or not)', () => {
  it('kind, result, aux and value as each command defines them', () => {
    const entry = () => [...box(BOX.SEC, 8)];
    const le = (kind: number, result: number, aux: number, value: number) => [kind, result, aux & 0xff, aux >> 8, ...[0, 8, 16, 24].map((s) => (value >>> s) & 0xff)];
    tick(T0 + 7 * 3600);
    tariff([150, 300], [[7 * 60, 1], [23 * 60, 0]]); // aux nT | nS << 8, value the price now in force
    expect(entry()).toEqual(le(EV.TARIFF, R.OK, 2 | (2 << 8), 300));
    tariff([150], [[7 * 60, 1]]); // refused: value 0
    expect(entry()).toEqual(le(EV.TARIFF, R.BAD_VALUE, 1 | (1 << 8), 0));
    prepaid(1, -1234); // aux the mode, value the threshold
    expect(entry()).toEqual(le(EV.PREPAID, R.OK, 1, -1234));
    prepaid(1, -1234);
    expect(entry()).toEqual(le(EV.PREPAID, R.NO_CHANGE, 1, -1234));
    prepaid(3, -5);
    expect(entry()).toEqual(le(EV.PREPAID, R.BAD_VALUE, 3, -5));
    command([2, 1, 0, 0]); // malformed: aux and value 0
    expect(entry()).toEqual(le(EV.PREPAID, R.BAD_FORMAT, 0, 0));
    topup(5000, 0x12345); // aux the token's low half, value the amount
    expect(entry()).toEqual(le(EV.TOPUP, R.OK, 0x2345, 5000));
    topup(5000, 0x12345);
    expect(entry()).toEqual(le(EV.TOPUP, R.REUSED_TOKEN, 0x2345, 5000));
    topup(0, 0x99999);
    expect(entry()).toEqual(le(EV.TOPUP, R.BAD_VALUE, 0x9999, 0));
    command([3, 0, 0, 0, 1, 0, 0, 0]);
    expect(entry()).toEqual(le(EV.TOPUP, R.BAD_FORMAT, 0, 0));
    appliance(3, 0); // aux appliance << 8 | on, value the switch-offs in the week's ring
    expect(entry()).toEqual(le(EV.APPLIANCE, R.OK, 0x300, 1));
    appliance(3, 0);
    expect(entry()).toEqual(le(EV.APPLIANCE, R.NO_CHANGE, 0x300, 1));
    appliance(3, 1);
    expect(entry()).toEqual(le(EV.APPLIANCE, R.TOO_SOON, 0x301, 1));
    appliance(9, 7);
    expect(entry()).toEqual(le(EV.APPLIANCE, R.BAD_VALUE, 0x907, 1));
    command([4, 1, 0, 0, 0, 0]);
    expect(entry()).toEqual(le(EV.APPLIANCE, R.BAD_FORMAT, 0, 0));
    command([0x42, 7, 1, 2]); // unknown: aux the command byte, value the length
    expect(entry()).toEqual(le(EV.CS_REJECT, R.BAD_FORMAT, 0x42, 4));
    command([1]); // too short for a command byte: aux 0
    expect(entry()).toEqual(le(EV.CS_REJECT, R.BAD_FORMAT, 0, 1));
    command([]);
    expect(entry()).toEqual(le(EV.CS_REJECT, R.BAD_FORMAT, 0, 0));
  });
});

