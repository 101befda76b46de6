// The duplex transition memo (toolchain/sancus/duplex.ts DuplexMemo): a sponge that retraces a path takes its states
// from the memo, with the same outputs and the same permutation count as one that computes every call.
import { describe, expect, it } from 'vitest';
import { Duplex, DuplexMemo } from '../../toolchain/sancus/duplex.ts';
import { FlatMemory, SancusCryptoUnit } from '../../toolchain/sancus/crypto-unit.ts';
import { seededBytes } from './vectors.ts';

/** A seeded walk of calls (data, bits, frame) and blanks; returns every output and the final state. */
function walk(d: Duplex, seed: number, n: number) {
  const rnd = seededBytes(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c] = rnd(3);
    if (c! % 5 === 0) out.push(d.blank());
    else out.push(d.call(a! | (b! << 8), [0, 8, 16][c! % 3]!, c! >> 7));
  }
  return { out, state: Array.from(d.snapshot()), permutations: d.permutations };
}

describe('duplex transition memo', () => {
  it('a retraced path gives the same outputs and count without permuting; a path that leaves it computes again', () => {
    const memo = new DuplexMemo();
    const plain = walk(new Duplex(), 3, 200);
    const first = Duplex.computed;
    expect(walk(new Duplex(memo), 3, 200)).toEqual(plain);
    expect(Duplex.computed - first).toBe(200);
    const second = Duplex.computed;
    expect(walk(new Duplex(memo), 3, 200)).toEqual(plain); // every state from the memo
    expect(Duplex.computed - second).toBe(0);
    const other = walk(new Duplex(), 4, 200);
    const third = Duplex.computed;
    expect(walk(new Duplex(memo), 4, 200)).toEqual(other); // a different path from the first call on
    expect(Duplex.computed - third).toBeGreaterThan(150);
  });

  it('a full table is cleared, never confused: ids are not reused', () => {
    const memo = new DuplexMemo(16);
    const plain = [walk(new Duplex(), 5, 40), walk(new Duplex(), 6, 40)];
    for (let k = 0; k < 3; k++) {
      expect(walk(new Duplex(memo), 5, 40)).toEqual(plain[0]);
      expect(walk(new Duplex(memo), 6, 40)).toEqual(plain[1]);
    }
  });

  it('the crypto unit: unwrapping what it wrapped retraces the wrap (same plaintext, tag check, cycle-model count)', () => {
    const unit = new SancusCryptoUnit();
    const mem = new FlatMemory(0x400);
    const key = seededBytes(9)(8);
    mem.load(0x100, seededBytes(10)(4)); // AD
    mem.load(0x120, seededBytes(11)(24)); // body
    const w = unit.wrap(mem, key, 0x100, 0x104, 0x120, 0x138, 0x200, 0x240);
    expect(w.ok).toBe(true);
    const before = Duplex.computed;
    const u = unit.unwrap(mem, key, 0x100, 0x104, 0x200, 0x218, 0x300, 0x240);
    expect(u).toEqual({ ok: true, hang: false, permutations: w.permutations });
    expect(Duplex.computed - before).toBe(0);
    expect(mem.slice(0x300, 24)).toEqual(mem.slice(0x120, 24));
    mem.writeWord(0x240, mem.readWord(0x240) ^ 1); // a wrong tag: same states, the comparison fails
    expect(unit.unwrap(mem, key, 0x100, 0x104, 0x200, 0x218, 0x300, 0x240).ok).toBe(false);
  });
});
