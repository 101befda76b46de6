import { describe, expect, it } from 'vitest';
import { lessThan, lessThanOpen } from '../../host/mpc/compare.ts';
import { MaskPool, type BitwiseMethod } from '../../host/mpc/masks.ts';
import { seededKeys } from '../../host/mpc/market.ts';
import { memoryNetwork } from '../../host/mpc/memory.ts';
import { deal, Party, reconstruct } from '../../host/mpc/party.ts';
import { shuffle } from '../../host/mpc/shuffle.ts';
import type { PartyId } from '../../host/mpc/transport.ts';

function setup(seed: number) {
  const keys = seededKeys(seed);
  const net = memoryNetwork();
  const ids: PartyId[] = [1, 2, 3];
  const parties = ids.map((id) => new Party(id, net[id], keys.pairs[id], keys.own[id]));
  return { keys, parties };
}

describe('comparison primitives', () => {
  const top = 2 ** 30 - 1;
  const a = [0, 0, 1, top, top, top - 1, 5, 123456, 2 ** 29, 2 ** 29 + 1, 7, 0x15555555];
  const b = [0, 1, 0, top, 0, top, 5, 123455, 2 ** 29 + 1, 2 ** 29, 8, 0x2aaaaaaa];
  const { keys } = setup(0);
  const rnd = keys.dealer;
  for (let i = 0; i < 200; i++) {
    a.push(rnd.below(2 ** 30));
    b.push(i % 3 ? rnd.below(2 ** 30) : a[a.length - 1]! + (i % 2 ? 1 : -1) * rnd.below(3));
  }

  for (const method of ['chunked', 'prefix-or'] as BitwiseMethod[]) {
    it(`[a < b] is right at the edges and on random values (${method}), shared and opened`, async () => {
      const { keys, parties } = setup(1);
      const sa = deal(a.map((x) => Math.max(0, x)), keys.dealer);
      const sb = deal(b.map((x) => Math.max(0, x)), keys.dealer);
      const pools = parties.map((p) => new MaskPool(p, method));
      const shared = await Promise.all(parties.map((p, k) => lessThan(p, pools[k]!, sa[k]!, sb[k]!)));
      const ref = a.map((x, i) => (Math.max(0, x) < Math.max(0, b[i]!) ? 1 : 0));
      expect(Array.from(reconstruct(shared[0]!, shared[1]!, shared[2]!))).toEqual(ref);
      const opened = await Promise.all(parties.map((p, k) => lessThanOpen(p, pools[k]!, sa[k]!, sb[k]!)));
      for (const o of opened) expect(Array.from(o)).toEqual(ref);
    });
  }

  it('the shuffle permutes rows together and keeps every value', async () => {
    const { keys, parties } = setup(2);
    const n = 50;
    const x = Array.from({ length: n }, (_, i) => i * 10);
    const y = Array.from({ length: n }, (_, i) => i * 10 + 1);
    const sx = deal(x, keys.dealer);
    const sy = deal(y, keys.dealer);
    const out = await Promise.all(parties.map((p, k) => shuffle(p, [sx[k]!, sy[k]!])));
    const rx = Array.from(reconstruct(out[0]![0]!, out[1]![0]!, out[2]![0]!));
    const ry = Array.from(reconstruct(out[0]![1]!, out[1]![1]!, out[2]![1]!));
    rx.forEach((v, i) => expect(ry[i]).toBe(v + 1));
    expect([...rx].sort((p, q) => p - q)).toEqual(x);
    expect(rx).not.toEqual(x); // 1/50! chance of the identity
  });
});
