// The meter's PRF (firmware/lib/prf.ts, Speck64/128): the published test vector on the emulator, in V8 and in the
// TypeScript oracle (speck.ts), then seeded keys and blocks on all three.
import { describe, expect, it } from 'vitest';
import { rng } from '../compiler/differential.ts';
import { loadModule } from './harness.ts';
import { speck64 } from './speck.ts';

describe('PRF (Speck64/128)', () => {
  it('matches the published test vector and the TypeScript oracle on seeded inputs', async () => {
    const m = await loadModule('prf');
    // Beaulieu et al. 2013, Appendix C: key 1b1a1918 13121110 0b0a0908 03020100, plaintext 3b726574 7475432d,
    // ciphertext 8c6fa548 454e028b; the key words are (l2, l1, l0, k0), stored k0 first, little-endian.
    const key = Uint8Array.from([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    m.write(100, key);
    expect(speck64(key, 0x3b726574, 0x7475432d)).toEqual([0x8c6fa548, 0x454e028b]);
    expect(m.call('speck64', 100, 0x3b726574, 0x7475432d) >>> 0).toBe(0x8c6fa548);
    expect(m.call('t_y') >>> 0).toBe(0x454e028b);
    const next = rng(18);
    for (let c = 0; c < 40; c++) {
      const k = Uint8Array.from({ length: 16 }, () => next() & 0xff);
      const x = next(), y = next();
      m.write(100, k);
      expect(m.call('prf', 100, x, y) >>> 0).toBe(speck64(k, x, y)[0]);
    }
  }, 120_000);

  it('a one-bit change of key or block changes the output (negative twin of the vector)', async () => {
    const m = await loadModule('prf');
    const key = Uint8Array.from([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    key[15] ^= 0x80;
    m.write(100, key);
    expect(m.call('speck64', 100, 0x3b726574, 0x7475432d) >>> 0).not.toBe(0x8c6fa548);
    key[15] ^= 0x80;
    m.write(100, key);
    expect(m.call('speck64', 100, 0x3b726575, 0x7475432d) >>> 0).not.toBe(0x8c6fa548);
  }, 120_000);
});
