// The data concentrator (host/dc) on the very bytes firmware/dc sends: masked readings sealed under each meter's
// `dc.masked → wan.dc` key with its counter, the masks made by the PRF oracle as the module makes them. The
// concentrator learns each feeder's total and nothing it could attribute to a meter; theft is flagged against the
// transformer's meter beyond the threshold only.
import { describe, expect, it } from 'vitest';
import { DataConcentrator } from '../../host/dc/concentrator.ts';
import { sealEvent } from '../../host/deploy/protocol.ts';
import { mulberry32 } from '../seeded.ts';
import { prf } from '../firmware/speck.ts';

const MASK = 0x6d61736b; // firmware/dc "mask"
const next = mulberry32(21);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));

/** A feeder group of n meters as the central system keys it: k_ij = k_ji, and each meter's wan.dc end. */
function feeder(n: number) {
  const pair = new Map<string, Uint8Array>();
  const k = (i: number, j: number) => {
    const id = `${Math.min(i, j)},${Math.max(i, j)}`;
    if (!pair.has(id)) pair.set(id, bytes(16));
    return pair.get(id)!;
  };
  const ends = Array.from({ length: n }, (_, i) => ({ id: 24, key: bytes(8), counter: 0, meter: `m${i}` }));
  /** The event meter i's DC security module sends for half hour t and reading wh. */
  const masked = (i: number, t: number, wh: number) => {
    let v = wh >>> 0;
    for (let j = 0; j < n; j++) if (j !== i) v = (j > i ? v + prf(k(i, j), MASK, t) : v - prf(k(i, j), MASK, t)) >>> 0;
    const p = new Uint8Array(12);
    const d = new DataView(p.buffer);
    p.set([0x90, i, n, 0]);
    d.setUint32(4, t, true);
    d.setUint32(8, v, true);
    const e = ends[i]!;
    return { sealed: sealEvent(e.key, e.counter++, p), value: v };
  };
  return { ends, masked };
}

describe('data concentrator', () => {
  it('learns the feeder total once every member is in, and no member\'s reading', () => {
    const dc = new DataConcentrator();
    const f = feeder(4);
    const shadow = f.ends.map((e) => ({ ...e })); // the concentrator's copy of the ends (its counters advance)
    shadow.forEach((e, i) => dc.register(e.meter, 'f1', i, 4, e));
    const wh = [120, 0, 845, 33];
    const values: number[] = [];
    wh.forEach((w, i) => {
      const m = f.masked(i, 1800, w);
      values.push(m.value);
      expect(dc.up(`m${i}`, 24, m.sealed)).toBe(false); // its own: kept, not relayed
      if (i < 3) expect(dc.total('f1', 1800)).toBeUndefined();
    });
    expect(dc.total('f1', 1800)).toEqual({ feeder: 'f1', t: 1800, wh: 998, meters: 4 });
    // what it opened is the masked value, not the reading (the masks are PRF outputs: uniform mod 2^32)
    values.forEach((v, i) => expect(v).not.toBe(wh[i]));
    expect(dc.rejected).toBe(0);
  });

  it('relays the central system\'s traffic without opening it, refuses a forged or replayed masked reading', () => {
    const dc = new DataConcentrator();
    const f = feeder(2);
    const shadow = f.ends.map((e) => ({ ...e }));
    shadow.forEach((e, i) => dc.register(e.meter, 'f1', i, 2, e));
    // the meter's uplink to the head end (another connection): relayed untouched
    expect(dc.up('m0', 2, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    const cmd = Uint8Array.of(9, 9, 9, 9);
    expect(dc.down(cmd, (b) => b)).toBe(cmd);
    expect(dc.relayed).toEqual({ down: 1, up: 1, bytes: 8 });
    const a = f.masked(0, 0, 10);
    expect(dc.up('m0', 24, a.sealed)).toBe(false);
    expect(dc.up('m0', 24, a.sealed)).toBe(false); // replayed: the counter moved on
    const forged = sealEvent(bytes(8), 1, new Uint8Array(12));
    expect(dc.up('m1', 24, forged)).toBe(false);
    expect(dc.rejected).toBe(2);
    expect(dc.total('f1', 0)).toBeUndefined();
    expect(dc.pending()).toEqual([{ feeder: 'f1', t: 0, arrived: 1, group: 2 }]);
  });

  it('flags theft when the transformer saw more than the meters beyond the threshold, not within it', () => {
    const dc = new DataConcentrator({ thresholdWh: 20, thresholdFraction: 0.02 });
    const f = feeder(3);
    f.ends.map((e) => ({ ...e })).forEach((e, i) => dc.register(e.meter, 'f1', i, 3, e));
    const period = (t: number, wh: number[], transformer: number) => {
      wh.forEach((w, i) => dc.up(`m${i}`, 24, f.masked(i, t, w).sealed));
      dc.transformerReading('f1', t, transformer);
    };
    period(0, [300, 200, 100], 615); // 15 Wh of losses: under 20 Wh
    period(1800, [300, 200, 100], 1000); // 400 Wh unmetered
    dc.transformerReading('f1', 3600, 500); // the transformer first, the meters later
    period(3600, [100, 100, 100], 500);
    expect(dc.flags).toEqual([
      { feeder: 'f1', t: 1800, transformer_wh: 1000, metered_wh: 600, missing_wh: 400 },
      { feeder: 'f1', t: 3600, transformer_wh: 500, metered_wh: 300, missing_wh: 200 },
    ]);
  });

  it('refuses a member that says another place in the group than it was keyed for', () => {
    const dc = new DataConcentrator();
    const f = feeder(2);
    f.ends.map((e) => ({ ...e })).forEach((e, i) => dc.register(e.meter, 'f1', 1 - i, 2, e)); // swapped
    dc.up('m0', 24, f.masked(0, 0, 5).sealed);
    expect(dc.rejected).toBe(1);
    expect(() => dc.register('m9', 'f1', 0, 3, { id: 24, key: bytes(8), counter: 0 })).toThrow(/group of 3/);
  });
});
