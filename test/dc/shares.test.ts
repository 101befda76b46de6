// DC security's shares for the market evaluators (firmware/dc dcShares; seed chapter 6, issue 21 item 5): each
// period's reading as three Shamir shares of degree 1 over p = 2^31 − 1 in host/mpc's encoding (f(k) = Wh + a·k),
// on the emulator and in V8 (the firmware harness). Any two shares give the reading; one alone is a uniform value.
import { beforeAll, describe, expect, it } from 'vitest';
import { P } from '../../host/mpc/field.ts';
import { reconstruct } from '../../host/mpc/party.ts';
import { loadModule, Msg, u32le, type Module } from '../firmware/harness.ts';
import { mulberry32 } from '../seeded.ts';

const next = mulberry32(5);
const shareKey = (key: Uint8Array) => new Msg().u8(0x30).u8(0).u8(2).u8(0xff).bytes(key).get();
const reading = (t: number, wh: number) => new Msg().u32(t).u32(wh).u16(0).u16(0).get();
let m: Module;

beforeAll(async () => {
  m = await loadModule('dc');
}, 180_000);

const shares = () => {
  const b = m.read(m.call('t_shares'), 36);
  return [0, 1, 2].map((k) => ({ tag: b[12 * k]!, k: b[12 * k + 1]!, t: u32le(b, 12 * k + 4), share: u32le(b, 12 * k + 8) }));
};

describe('DC security: the evaluators\' shares', () => {
  it('sends none before the central system installed the share key', () => {
    expect(m.input('dcShares', reading(1800, 100))).toBe(0);
  });

  it('three shares in host/mpc\'s encoding: any two give the reading, none is the reading', () => {
    expect(m.input('dcKey', shareKey(Uint8Array.from({ length: 16 }, () => Math.floor(next() * 256))))).toBe(0);
    const slopes = new Set<number>();
    for (let h = 0; h < 8; h++) {
      const t = 1_249_084_800 + 1800 * h;
      const wh = h === 7 ? 0xffffffff : Math.floor(next() * 3000); // the last: a reading above p is taken mod p
      expect(m.input('dcShares', reading(t, wh))).toBe(1);
      const s = shares();
      expect(s.map((x) => [x.tag, x.k, x.t])).toEqual([[0x91, 1, t], [0x91, 2, t], [0x91, 3, t]]);
      s.forEach((x) => expect(x.share).toBeLessThan(P));
      const want = wh % P;
      expect(reconstruct([s[0]!.share], [s[1]!.share], [s[2]!.share])[0]).toBe(want);
      // degree 1: f(2) − f(1) = f(3) − f(2) = a, the same line through any two
      const a = (s[1]!.share - s[0]!.share + P) % P;
      expect((s[2]!.share - s[1]!.share + P) % P).toBe(a);
      expect((s[0]!.share - a + P) % P).toBe(want);
      slopes.add(a);
      if (h < 7) s.forEach((x) => expect(x.share).not.toBe(wh));
    }
    expect(slopes.size).toBe(8); // a fresh random slope every period (the PRF of t)
  });

  it('the share key does not disturb the pairwise keys (peer 0xff is not a group member)', () => {
    expect(m.input('dcKey', new Msg().u8(0x30).u8(0).u8(2).u8(2).bytes(new Uint8Array(16)).get())).toBe(1); // peer = group: refused
    expect(m.input('dcReading', reading(1800, 5))).toBe(0); // no pairwise key yet: nothing for the concentrator
  });
});
