// The meter's AES-128, AES-GCM and GMAC (firmware/lib/crypto), compiled by our compiler and run on the emulated
// MSP430 and, from the same wasm, in V8 (harness.ts: every call on both, memory compared). Checked against the
// published vectors (FIPS 197 C.1, the GCM specification's test cases 2–4, the Green Book's AES-GCM and HLS-GMAC
// examples that host/dlms's tests use) and against @noble/ciphers on seeded random keys, IVs, AADs and lengths.
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { rng } from '../compiler/differential.ts';
import { breathe } from '../event-loop.ts';
import { loadModule, type Module } from './harness.ts';

const unhex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Layout of the harness's scratch area (test/firmware/as/crypto.as `io()`).
const KEY = 0, IV = 16, TAG = 32, AAD = 64, DATA = 256;

class Crypto {
  constructor(readonly m: Module, readonly io: number) {}
  static async load(): Promise<Crypto> {
    const m = await loadModule('crypto');
    return new Crypto(m, m.call('io'));
  }
  aes(key: Uint8Array, block: Uint8Array): Uint8Array {
    this.m.write(this.io + KEY, key);
    this.m.call('aes_key', this.io + KEY);
    const st = this.m.call('state');
    this.m.write(st, block);
    this.m.call('aes_encrypt');
    return this.m.read(st, 16);
  }
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, pt: Uint8Array, tn = 16): { ct: Uint8Array; tag: Uint8Array } {
    const { m, io } = this;
    m.write(io + KEY, key);
    m.write(io + IV, iv);
    m.write(io + AAD, aad);
    m.write(io + DATA, pt);
    m.call('gcm_key', io + KEY);
    m.call('gcm_seal', io + IV, io + AAD, aad.length, io + DATA, pt.length, io + TAG, tn);
    return { ct: m.read(io + DATA, pt.length), tag: m.read(io + TAG, tn) };
  }
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): { ok: number; data: Uint8Array } {
    const { m, io } = this;
    m.write(io + KEY, key);
    m.write(io + IV, iv);
    m.write(io + AAD, aad);
    m.write(io + DATA, ct);
    m.write(io + TAG, tag);
    m.call('gcm_key', io + KEY);
    const ok = m.call('gcm_open', io + IV, io + AAD, aad.length, io + DATA, ct.length, io + TAG, tag.length);
    return { ok, data: m.read(io + DATA, ct.length) };
  }
  gmac(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, tn = 12): Uint8Array {
    const { m, io } = this;
    m.write(io + KEY, key);
    m.write(io + IV, iv);
    m.write(io + AAD, aad);
    m.call('gcm_key', io + KEY);
    m.call('gmac', io + IV, io + AAD, aad.length, io + TAG, tn);
    return m.read(io + TAG, tn);
  }
}

const EK = unhex('000102030405060708090A0B0C0D0E0F');
const AK = unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF');

describe('AES-128 on the emulator and in V8', () => {
  it('FIPS 197 Appendix C.1, and @noble/ciphers on seeded keys and blocks', async () => {
    const c = await Crypto.load();
    expect(hex(c.aes(EK, unhex('00112233445566778899aabbccddeeff')))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    const next = rng(0xae5);
    for (let k = 0; k < 24; k++) {
      const key = Uint8Array.from({ length: 16 }, () => next() & 0xff);
      const blk = Uint8Array.from({ length: 16 }, () => next() & 0xff);
      expect(hex(c.aes(key, blk))).toBe(hex(ecb(key, { disablePadding: true }).encrypt(blk)));
      if (k % 8 === 7) await breathe();
    }
  });
});

describe('AES-GCM and GMAC on the emulator and in V8', () => {
  it('the GCM specification test cases 2, 3 and 4 (McGrew–Viega; NIST CAVP)', async () => {
    const c = await Crypto.load();
    const z = new Uint8Array(16);
    let r = c.seal(z, new Uint8Array(12), new Uint8Array(0), z);
    expect(hex(r.ct)).toBe('0388dace60b6a392f328c2b971b2fe78');
    expect(hex(r.tag)).toBe('ab6e47d42cec13bdf53a67b21257bddf');
    const K = unhex('feffe9928665731c6d6a8f9467308308');
    const IV3 = unhex('cafebabefacedbaddecaf888');
    const P = unhex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255');
    r = c.seal(K, IV3, new Uint8Array(0), P);
    expect(hex(r.ct)).toBe('42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985');
    expect(hex(r.tag)).toBe('4d5c2af327cd64a62cf35abd2ba6fab4');
    const A = unhex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    r = c.seal(K, IV3, A, P.subarray(0, 60));
    expect(hex(r.ct)).toBe('42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091');
    expect(hex(r.tag)).toBe('5bc94fbc3221a5db94fae95ae7121a47');
    const o = c.open(K, IV3, A, r.ct, r.tag);
    expect(o.ok).toBe(1);
    expect(hex(o.data)).toBe(hex(P.subarray(0, 60)));
  });

  it('the Green Book glo-initiate-request example (SC 0x30, AAD = SC ‖ AK, 12-byte tag)', async () => {
    // Source: DLMS UA 1000-2 AES-GCM example, the same bytes as test/dlms/vectors.test.ts.
    const c = await Crypto.load();
    const iv = unhex('4D4D4D0000BC614E01234567');
    const plain = unhex('01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0');
    const apdu = unhex('21303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855');
    const aad = Uint8Array.of(0x30, ...AK);
    const r = c.seal(EK, iv, aad, plain, 12);
    expect(hex(Uint8Array.of(0x21, 0x30, 0x30, 0x01, 0x23, 0x45, 0x67, ...r.ct, ...r.tag))).toBe(hex(apdu));
    const ct = apdu.subarray(7, apdu.length - 12);
    const tag = apdu.subarray(apdu.length - 12);
    const o = c.open(EK, iv, aad, ct, tag);
    expect(o.ok).toBe(1);
    expect(hex(o.data)).toBe(hex(plain));
    // A flipped ciphertext bit fails, and the buffer keeps the ciphertext: nothing is decrypted before the tag holds.
    const bad = ct.slice();
    bad[5]! ^= 1;
    const f = c.open(EK, iv, aad, bad, tag);
    expect(f.ok).toBe(0);
    expect(hex(f.data)).toBe(hex(bad));
    const badTag = tag.slice();
    badTag[11]! ^= 0x80;
    expect(c.open(EK, iv, aad, ct, badTag).ok).toBe(0);
  });

  it('the Green Book HLS-GMAC example: f(StoC) and f(CtoS) of mechanism 5', async () => {
    const c = await Crypto.load();
    const stoc = new TextEncoder().encode('P6wRJ21F');
    const ctos = new TextEncoder().encode('K56iVagY');
    expect(hex(c.gmac(EK, unhex('4D4D4D000000000100000001'), Uint8Array.of(0x10, ...AK, ...stoc)))).toBe('1a52fe7dd3e72748973c1e28');
    expect(hex(c.gmac(EK, unhex('4D4D4D0000BC614E01234567'), Uint8Array.of(0x10, ...AK, ...ctos)))).toBe('fe1466afb3dbcd4f9389e2b7');
  });

  for (const seed of [0x6c31, 0x6c32]) {
    it(`@noble/ciphers on seeded keys, IVs, AADs and lengths (seed ${seed.toString(16)})`, async () => {
      const c = await Crypto.load();
      const next = rng(seed);
      const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
      for (let k = 0; k < 10; k++) {
        const key = bytes(16), iv = bytes(12);
        const aad = bytes(next() % 80), pt = bytes(next() % 200);
        const want = gcm(key, iv, aad).encrypt(pt);
        const r = c.seal(key, iv, aad, pt);
        expect(hex(r.ct)).toBe(hex(want.subarray(0, pt.length)));
        expect(hex(r.tag)).toBe(hex(want.subarray(pt.length)));
        const o = c.open(key, iv, aad, r.ct, r.tag.subarray(0, 12));
        expect(o.ok).toBe(1);
        expect(hex(o.data)).toBe(hex(pt));
        expect(hex(c.gmac(key, iv, aad))).toBe(hex(gcm(key, iv, aad).encrypt(new Uint8Array(0)).subarray(0, 12)));
        await breathe();
      }
    });
  }

  it('ct_equal: equal, and any single differing byte or bit anywhere, is detected', async () => {
    const c = await Crypto.load();
    const a = Uint8Array.from({ length: 12 }, (_, i) => i * 17);
    c.m.write(c.io + AAD, a);
    c.m.write(c.io + DATA, a);
    expect(c.m.call('ct_equal', c.io + AAD, c.io + DATA, 12)).toBe(1);
    for (const [i, bit] of [[0, 1], [5, 0x80], [11, 0x40]] as const) {
      const b = a.slice();
      b[i]! ^= bit;
      c.m.write(c.io + DATA, b);
      expect(c.m.call('ct_equal', c.io + AAD, c.io + DATA, 12)).toBe(0);
    }
  });
});
