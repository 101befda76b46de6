import { describe, expect, it } from 'vitest';
import { deriveModuleKey, deriveModuleKeyFromVendorKey, deriveVendorKey } from '../../toolchain/sancus/keys.ts';
import { mac, unwrap, wrap, type Semantics } from '../../toolchain/sancus/spongewrap.ts';
import { hex, seededBytes } from './vectors.ts';

// Seeded random round trips (even and odd lengths, both semantics), tamper detection, and the agreement of the
// hardware and library semantics exactly where the research notes say they agree.

const rnd = seededBytes(0x5a5c05);
const lengths = [0, 1, 2, 3, 5, 8, 17, 64, 255];

describe('round trips', () => {
  for (const semantics of ['hardware', 'library'] as Semantics[]) {
    it(`${semantics}: unwrap(wrap(x)) = x for AD and body lengths ${lengths.join(',')}`, () => {
      for (const adLen of lengths.filter((n) => n > 0 || semantics === 'library')) {
        for (const bodyLen of lengths) {
          const key = rnd(8), ad = rnd(adLen), body = rnd(bodyLen);
          const w = wrap(key, ad, body, { semantics });
          // hardware: whole words, the odd byte padded with the following byte (0)
          const expectLen = semantics === 'hardware' ? bodyLen + (bodyLen & 1) : bodyLen;
          expect(w.cipher.length).toBe(expectLen);
          const back = unwrap(key, ad, w.cipher, w.tag, { semantics });
          if (semantics === 'hardware' && bodyLen === 0) {
            // The core's unwrap skips the empty body block its wrap (MAC path) absorbed: the tag never checks
            // (rtl-vectors.json, unwrap with r12 == r13).
            expect(back).toBeNull();
            continue;
          }
          expect(back).not.toBeNull();
          expect(hex(back!.slice(0, bodyLen))).toBe(hex(body));
          if (bodyLen > 1) expect(hex(w.cipher.slice(0, bodyLen))).not.toBe(hex(body));
        }
      }
    });
  }

  it('hardware = library for non-empty even AD and even bodies; differs for odd lengths', () => {
    for (let i = 0; i < 40; i++) {
      const key = rnd(8);
      const ad = rnd(2 * (1 + (rnd(1)[0]! % 20)));
      const body = rnd(2 * (rnd(1)[0]! % 20));
      const hw = wrap(key, ad, body), lib = wrap(key, ad, body, { semantics: 'library' });
      expect(hex(hw.cipher)).toBe(hex(lib.cipher));
      expect(hex(hw.tag)).toBe(hex(lib.tag));
      expect(hex(mac(key, ad))).toBe(hex(mac(key, ad, { semantics: 'library' })));
      const oddAd = ad.slice(1);
      expect(hex(wrap(key, oddAd, body).tag)).not.toBe(hex(wrap(key, oddAd, body, { semantics: 'library' }).tag));
    }
  });

  it('hardware odd length: the byte after the range takes part', () => {
    const key = rnd(8), ad = rnd(5), body = rnd(7);
    const a = wrap(key, ad, body, { followingAd: 0x00 });
    const b = wrap(key, ad, body, { followingAd: 0x01 });
    const c = wrap(key, ad, body, { followingBody: 0x80 });
    expect(hex(a.tag)).not.toBe(hex(b.tag));
    expect(hex(a.tag)).not.toBe(hex(c.tag));
    expect(hex(a.cipher.slice(0, 7))).toBe(hex(c.cipher.slice(0, 7))); // the keystream does not depend on it
  });

  it('hardware empty AD: no cipher written, tag unrelated to the library', () => {
    const key = rnd(8), body = rnd(6);
    const hw = wrap(key, new Uint8Array(0), body);
    expect(hw.cipher.length).toBe(0);
    expect(hex(hw.tag)).not.toBe(hex(wrap(key, new Uint8Array(0), body, { semantics: 'library' }).tag));
  });
});

describe('tamper detection', () => {
  for (const semantics of ['hardware', 'library'] as Semantics[]) {
    it(`${semantics}: any flipped bit of AD, cipher or tag is refused`, () => {
      const key = rnd(8), ad = rnd(6), body = rnd(10);
      const w = wrap(key, ad, body, { semantics });
      expect(unwrap(key, ad, w.cipher, w.tag, { semantics })).not.toBeNull();
      const flips: [string, Uint8Array][] = [['ad', ad], ['cipher', w.cipher], ['tag', w.tag]];
      for (const [what, buf] of flips) {
        for (let bit = 0; bit < buf.length * 8; bit++) {
          const t = buf.slice();
          t[bit >> 3]! ^= 1 << (bit & 7);
          const args = { ad, cipher: w.cipher, tag: w.tag, [what]: t };
          expect(unwrap(key, args.ad, args.cipher, args.tag, { semantics }), `${what} bit ${bit}`).toBeNull();
        }
      }
      const otherKey = key.slice();
      otherKey[7]! ^= 0x40;
      expect(unwrap(otherKey, ad, w.cipher, w.tag, { semantics })).toBeNull();
    });
  }

  it('a module key changes with any text byte and any layout address', () => {
    const vk = rnd(8), text = rnd(40);
    const layout = { textStart: 0x8000, textEnd: 0x8028, dataStart: 0x0300, dataEnd: 0x0340 };
    const base = hex(deriveModuleKeyFromVendorKey(vk, text, layout));
    const seen = new Set([base]);
    for (let i = 0; i < text.length; i++) {
      const t = text.slice();
      t[i]! ^= 1;
      seen.add(hex(deriveModuleKeyFromVendorKey(vk, t, layout)));
    }
    seen.add(hex(deriveModuleKeyFromVendorKey(vk, text, { ...layout, dataEnd: 0x0342 })));
    seen.add(hex(deriveModuleKeyFromVendorKey(vk, text, { ...layout, dataStart: 0x0302 })));
    expect(seen.size).toBe(text.length + 3);
    expect(hex(deriveModuleKey(rnd(8), 0x1234, text, layout))).not.toBe(base);
    expect(hex(deriveVendorKey(rnd(8), 1))).toHaveLength(16);
  });
});
