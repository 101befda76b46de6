// The meter's PRF (firmware/lib/prf.ts): the Sancus crypto unit's wrap tag (hasm.sancus_wrap lowered to
// `sancus.wrap`, toolchain/compiler/sancus-wrap.ts) on the emulator, in V8 and in the host's oracle (prf-oracle.ts,
// toolchain/sancus's SpongeWrap model): seeded keys and inputs agree on all three; the intrinsic's bounds checks.
import { describe, expect, it } from 'vitest';
import { rng } from '../compiler/differential.ts';
import { wrap } from '../../toolchain/sancus/index.ts';
import { loadModule } from './harness.ts';
import { prf } from './prf-oracle.ts';

describe('PRF (Sancus crypto unit)', () => {
  it('the emulator\'s crypto unit, V8 and the host oracle agree on seeded keys and inputs', async () => {
    const m = await loadModule('prf');
    const next = rng(18);
    const seen = new Set<number>();
    for (let c = 0; c < 12; c++) {
      const k = Uint8Array.from({ length: 16 }, () => next() & 0xff);
      const d = next() >>> 0, t = next() >>> 0;
      m.write(300, k);
      const v = m.call('prf', 300, d, t) >>> 0;
      expect(v).toBe(prf(k, d, t));
      seen.add(v);
    }
    expect(seen.size).toBe(12);
  }, 120_000);

  it('keys on the unit\'s 8 key bytes; one bit of key or input changes the output (negative twins)', async () => {
    const m = await loadModule('prf');
    const k = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    m.write(300, k);
    const v = m.call('prf', 300, 1, 2) >>> 0;
    expect(m.call('prf', 300, 1, 3) >>> 0).not.toBe(v);
    expect(m.call('prf', 300, 0x80000001, 2) >>> 0).not.toBe(v);
    m.write(300, [k[0]! ^ 1]);
    expect(m.call('prf', 300, 1, 2) >>> 0).not.toBe(v);
    m.write(300, [k[0]!]);
    m.write(308, [0xff]); // beyond the unit's 64-bit key: not used
    expect(m.call('prf', 300, 1, 2) >>> 0).toBe(v);
  }, 120_000);

  it('sancus_wrap: wraps a body (cipher and tag as the model), refuses empty AD and body, traps out of bounds', async () => {
    const m = await loadModule('prf');
    // offsets above the harness's static data (the PRF's AD and tag)
    const key = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    m.write(300, key);
    m.write(320, [9, 8, 7, 6]); // AD
    m.write(340, [1, 2, 3, 4, 5, 6]); // body
    expect(m.call('t_wrap', 300, 320, 4, 340, 6, 360, 380)).toBe(1);
    const r = wrap(key, Uint8Array.from([9, 8, 7, 6]), Uint8Array.from([1, 2, 3, 4, 5, 6]));
    expect([...m.read(360, 6)]).toEqual([...r.cipher]);
    expect([...m.read(380, 8)]).toEqual([...r.tag]);
    expect(m.call('t_wrap', 300, 320, 0, 340, 0, 360, 380)).toBe(0); // both empty: the core would stall
    expect(m.call('t_wrap', 0, 320, 4, 340, 6, 360, 380)).toBe(0); // own key, but this code is no module
    const e = await loadModule('prf', true);
    const top = e.machine.board.memory.find((x) => x.kind === 'ram')!.size; // beyond any mapped linear memory
    expect(() => e.call('t_wrap', 300, 320, 4, 340, 6, 360, top)).toThrow(/trapped on the emulator: memory/);
    expect(() => e.call('t_wrap', 300, 320, 4, 0xfffe, 6, 360, 380)).toThrow(/memory/);
  }, 120_000);
});
