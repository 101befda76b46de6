// The WebAssembly permutation (toolchain/sancus/spongent-wasm.ts) against the JavaScript one it replaces on the
// fast path: the same π_b on seeded random states, the fixed bit 175 and the 16-bit top word included. The hardware
// vectors (vectors-emulator, rtl, library tests) run through it as well, since the duplex uses permuteWords.
import { describe, expect, it } from 'vitest';
import { permuteWords, permuteWordsJs, spongentPermute, SPONGENT_WORDS } from '../../toolchain/sancus/spongent.ts';
import { seededBytes } from './vectors.ts';

describe('SPONGENT π_b in WebAssembly', () => {
  it('equals the JavaScript permutation on 3,000 seeded random states and on all-zero / all-one states', () => {
    const random = seededBytes(176);
    const states = [new Uint32Array(SPONGENT_WORDS), Uint32Array.of(~0, ~0, ~0, ~0, ~0, 0xffff)];
    for (let t = 0; t < 3000; t++) {
      const w = new Uint32Array(SPONGENT_WORDS);
      new Uint8Array(w.buffer).set(random(24));
      w[5]! &= 0xffff;
      states.push(w);
    }
    for (const s of states) {
      const a = s.slice();
      const b = s.slice();
      permuteWords(a);
      permuteWordsJs(b);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('repeated application stays equal (the state word 5 keeps 16 bits)', () => {
    const a = new Uint32Array(SPONGENT_WORDS);
    const b = new Uint32Array(SPONGENT_WORDS);
    for (let i = 0; i < 200; i++) {
      permuteWords(a);
      permuteWordsJs(b);
    }
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[5]! >>> 16).toBe(0);
    expect(spongentPermute(new Uint8Array(22))).toHaveLength(22);
  });
});
