// DC security (seed §4.5; Kursawe, Danezis, Kohlweiss 2011 pairwise masks): a group of meters, each its own module
// instance on the emulator (and in V8), masks its half-hourly reading so that only the group's sum survives.
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../compiler/differential.ts';
import { loadModule, Msg, u32le, type Module } from './harness.ts';
import { prf } from './prf-oracle.ts';

const N = 5;
const MASK = 0x6d61736b;
const next = rng(42);
// k_ij = k_ji: one random key per unordered pair, as the central system would hand out.
const keys = new Map<string, Uint8Array>();
const pairKey = (i: number, j: number) => {
  const id = `${Math.min(i, j)},${Math.max(i, j)}`;
  if (!keys.has(id)) keys.set(id, Uint8Array.from({ length: 16 }, () => next() & 0xff));
  return keys.get(id)!;
};
const keyMsg = (i: number, n: number, j: number) => new Msg().u8(0x30).u8(i).u8(n).u8(j).bytes(pairKey(i, j)).get();
const reading = (t: number, wh: number) => new Msg().u32(t).u32(wh).u16(0).u16(0).get();

let meters: Module[];
beforeAll(async () => {
  meters = [];
  for (let i = 0; i < N; i++) meters.push(await loadModule('dc'));
}, 180_000);

const masked = (m: Module) => u32le(m.read(m.call('t_out'), 12), 8);

describe('DC security: aggregation the concentrator cannot see through', () => {
  it('sends nothing until every pairwise key is installed (never an unmasked reading)', () => {
    meters.forEach((m, i) => {
      for (let j = 0; j < N; j++) if (j !== i && j !== (i + 1) % N) expect(m.input('dcKey', keyMsg(i, N, j))).toBe(0);
      expect(m.input('dcReading', reading(1800, 100))).toBe(0);
    });
    meters.forEach((m, i) => expect(m.input('dcKey', keyMsg(i, N, (i + 1) % N))).toBe(0));
  });

  it('refuses malformed keys: own index, peer outside the group, group over 16, wrong length', () => {
    const m = meters[0]!;
    expect(m.input('dcKey', keyMsg(0, N, 0))).toBe(1);
    expect(m.input('dcKey', new Msg().u8(0x30).u8(0).u8(N).u8(N).bytes(new Uint8Array(16)).get())).toBe(1);
    expect(m.input('dcKey', new Msg().u8(0x30).u8(0).u8(17).u8(1).bytes(new Uint8Array(16)).get())).toBe(1);
    expect(m.input('dcKey', keyMsg(0, N, 1).slice(0, 18))).toBe(1);
  });

  it('the masks cancel: the sum over the group is the sum of the readings, each reading hidden', () => {
    for (let h = 0; h < 6; h++) {
      const t = 1_800_000 + 1800 * h;
      const wh = meters.map(() => next() % 3000);
      const out = meters.map((m, i) => {
        expect(m.input('dcReading', reading(t, wh[i]!))).toBe(1);
        const b = m.read(m.call('t_out'), 12);
        expect([b[0], b[1], b[2], u32le(b, 4)]).toEqual([0x90, i, N, t]);
        return u32le(b, 8);
      });
      expect(out.reduce((a, b) => (a + b) >>> 0, 0)).toBe(wh.reduce((a, b) => a + b, 0));
      // each masked value is exactly wh_i + Σ_{j>i} PRF(k_ij, t) − Σ_{j<i} PRF(k_ij, t) (the TS oracle) ...
      out.forEach((v, i) => {
        let want = wh[i]!;
        for (let j = 0; j < N; j++) if (j !== i) want = (j > i ? want + prf(pairKey(i, j), MASK, t) : want - prf(pairKey(i, j), MASK, t)) >>> 0;
        expect(v).toBe(want);
        // ... and far from the reading itself
        expect(Math.abs(v - wh[i]!)).toBeGreaterThan(1 << 16);
      });
    }
  });

  it('negative twin: masks of different half hours do not cancel (a concentrator mixing slots learns nothing)', () => {
    const wh = [10, 20, 30, 40, 50];
    const out = meters.map((m, i) => (m.input('dcReading', reading(1_800_000 + (i === 0 ? 3600 : 0), wh[i]!)), masked(m)));
    expect(out.reduce((a, b) => (a + b) >>> 0, 0)).not.toBe(150);
  });

  it('negative twin: a meter with a wrong key breaks the sum (keys are what make it work)', () => {
    const m = meters[2]!;
    m.input('dcKey', new Msg().u8(0x30).u8(2).u8(N).u8(3).bytes(new Uint8Array(16).fill(7)).get());
    const out = meters.map((mm) => (mm.input('dcReading', reading(1_900_800, 1)), masked(mm)));
    expect(out.reduce((a, b) => (a + b) >>> 0, 0)).not.toBe(N);
  });
});
