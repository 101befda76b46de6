// The modules' division (firmware/lib/divmod.ts: the core's clock and debit, CS security's rounding and pseudonym
// epochs): quotient and remainder on the emulator and in V8 (the harness compares both) equal exact integer division,
// on the divisors the modules use and on seeded dividends and divisors over the whole range it admits (d ≤ 2^31).
import { describe, expect, it } from 'vitest';
import { rng } from '../compiler/differential.ts';
import { loadModule } from './harness.ts';

describe('divmod (lib/divmod.ts)', () => {
  it('gives x / d and x % d for the modules\' divisors, the edges and seeded values', async () => {
    const m = await loadModule('divmod');
    const next = rng(41);
    const xs = [0, 1, 59, 60, 1799, 1800, 86399, 86400, 0x7fffffff, 0x80000000, 0xffffffff, 999 + 65535 * 65535];
    for (let i = 0; i < 24; i++) xs.push(next() >>> 0);
    const ds = [1, 2, 60, 1000, 1440, 1800, 0x7fff, 0x8000, 0xffff, 0x10000, 86400, 0x7fffffff, 0x80000000];
    for (let i = 0; i < 6; i++) ds.push(((next() >>> 0) % 0x80000000) + 1);
    let n = 0;
    for (const d of ds) {
      // every divisor with a few dividends (all of them for the modules' constants)
      const some = d <= 86400 ? xs : xs.filter((_, i) => i % 4 === 0);
      for (const x of some) {
        const q = m.call('divmod', x, d) >>> 0;
        const r = m.call('t_rem') >>> 0;
        expect([x, d, q, r]).toEqual([x, d, Math.floor(x / d), x % d]);
        n++;
      }
    }
    expect(n).toBeGreaterThan(300);
  }, 120_000);
});
