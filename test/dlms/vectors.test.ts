import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex, unhex } from '../../host/dlms/bytes.ts';
import { envelope, openEnvelope } from '../../host/dlms/security/apdu-cipher.ts';
import { gmac, protect, unprotect } from '../../host/dlms/security/gcm.ts';
import { hlsResponse, verifyHlsResponse, type HlsParties } from '../../host/dlms/security/hls.ts';
import { unwrapKey, wrapKey } from '../../host/dlms/security/keywrap.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';

// Published vectors, byte for byte. Each records its source.

const EK = unhex('000102030405060708090A0B0C0D0E0F');
const AK = unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF');
const keys = { ek: EK, ak: AK };

describe('AES-GCM ciphered APDU (DLMS UA Green Book, glo-initiate-request example)', () => {
  // Source: DLMS UA 1000-2 (Green Book) AES-GCM example — system title 4D4D4D0000BC614E, IC 01234567, SC 30,
  // xDLMS InitiateRequest with a dedicated key; the same vector is used by several open DLMS libraries' tests.
  const st = unhex('4D4D4D0000BC614E');
  const plain = unhex('01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0');
  const apdu = unhex('21303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855');

  it('ciphers to the published glo-initiate-request', () => {
    const body = protect({ suite: 0, authenticated: true, encrypted: true }, keys, st, 0x01234567, plain);
    expect(hex(envelope('glo', 0x01, body))).toBe(hex(apdu));
  });

  it('deciphers it back, and a flipped byte is a typed tag mismatch', () => {
    const env = openEnvelope(apdu);
    expect(env.plainTag).toBe(0x01);
    expect(hex(unprotect(keys, st, env.body).plaintext)).toBe(hex(plain));
    const bad = env.body.slice();
    bad[10]! ^= 1;
    expect(() => unprotect(keys, st, bad)).toThrow(DlmsSecurityError);
  });

  it('authentication-only (SC 0x10) keeps the plaintext and still detects alteration', () => {
    const body = protect({ suite: 0, authenticated: true, encrypted: false }, keys, st, 7, plain);
    expect(hex(body.subarray(5, 5 + plain.length))).toBe(hex(plain));
    expect(hex(unprotect(keys, st, body).plaintext)).toBe(hex(plain));
    const bad = body.slice();
    bad[6]! ^= 0x80;
    expect(() => unprotect(keys, st, bad)).toThrow(/tag mismatch/);
  });
});

describe('HLS-GMAC, mechanism 5 (Green Book HLS example with GMAC)', () => {
  // Source: DLMS UA Green Book, "HLS example using authentication-mechanism 5 with GMAC": client title
  // 4D4D4D0000000001 IC 00000001, server title 4D4D4D0000BC614E IC 01234567, CtoS "K56iVagY", StoC "P6wRJ21F".
  const p: HlsParties = {
    mechanism: 'hls-gmac',
    profile: 'standard',
    suite: 0,
    clientTitle: unhex('4D4D4D0000000001'),
    serverTitle: unhex('4D4D4D0000BC614E'),
    ctos: new TextEncoder().encode('K56iVagY'),
    stoc: new TextEncoder().encode('P6wRJ21F'),
    keys,
  };

  it('f(StoC) = SC ‖ IC ‖ GMAC(SC ‖ AK ‖ StoC)', () => {
    expect(hex(gmac(keys, p.clientTitle, 1, 0x10, p.stoc))).toBe('1a52fe7dd3e72748973c1e28');
    expect(hex(hlsResponse(p, 'client', 1))).toBe('10000000011a52fe7dd3e72748973c1e28');
  });

  it('f(CtoS) = SC ‖ IC ‖ GMAC(SC ‖ AK ‖ CtoS)', () => {
    expect(hex(hlsResponse(p, 'server', 0x01234567))).toBe('1001234567fe1466afb3dbcd4f9389e2b7');
    expect(verifyHlsResponse(p, 'server', unhex('1001234567fe1466afb3dbcd4f9389e2b7')).ic).toBe(0x01234567);
    expect(() => verifyHlsResponse(p, 'server', unhex('1001234567fe1466afb3dbcd4f9389e2b6'))).toThrow(DlmsSecurityError);
  });

  it('hardened mechanism 5 binds both challenges, so it differs from the standard value', () => {
    const h = { ...p, profile: 'hardened' as const };
    expect(hex(hlsResponse(h, 'client', 1))).not.toBe('10000000011a52fe7dd3e72748973c1e28');
    expect(hex(hlsResponse(h, 'client', 1)).slice(10)).toBe(hex(gmac(keys, p.clientTitle, 1, 0x10, new Uint8Array([...p.stoc, ...p.ctos]))));
  });
});

describe('HLS-SHA256, mechanism 6 (Green Book formula with both system titles)', () => {
  // Reference computed independently with node:crypto, from the formula in the seed's Table 3.1.
  const p: HlsParties = {
    mechanism: 'hls-sha256',
    profile: 'standard',
    suite: 0,
    clientTitle: unhex('4775727578313233'),
    serverTitle: unhex('4142434445464748'),
    ctos: unhex('70389CCE67B359AC56AB552A158A4522'),
    stoc: unhex('0102030405060708090A0B0C0D0E0F10'),
    secret: new TextEncoder().encode('Gurux'),
  };
  const sha = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');

  it('client: SHA-256(secret ‖ ST-C ‖ ST-S ‖ StoC ‖ CtoS); server: SHA-256(secret ‖ ST-S ‖ ST-C ‖ CtoS ‖ StoC)', () => {
    expect(hex(hlsResponse(p, 'client', 0))).toBe(sha(p.secret!, p.clientTitle, p.serverTitle, p.stoc, p.ctos));
    expect(hex(hlsResponse(p, 'server', 0))).toBe(sha(p.secret!, p.serverTitle, p.clientTitle, p.ctos, p.stoc));
    expect(hex(hlsResponse(p, 'client', 0))).not.toBe(hex(hlsResponse(p, 'server', 0)));
  });
});

describe('AES key wrap (RFC 3394 §4)', () => {
  // Source: RFC 3394 section 4.1 (128-bit KEK, 128-bit key) and 4.6 (256-bit KEK, 256-bit key).
  it('4.1 wraps 128 bits of key data with a 128-bit KEK', () => {
    const kek = unhex('000102030405060708090A0B0C0D0E0F');
    const key = unhex('00112233445566778899AABBCCDDEEFF');
    const wrapped = '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5';
    expect(hex(wrapKey(kek, key))).toBe(wrapped);
    expect(hex(unwrapKey(kek, unhex(wrapped)))).toBe(hex(key));
  });

  it('4.6 wraps 256 bits of key data with a 256-bit KEK; a wrong KEK is a typed failure', () => {
    const kek = unhex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const key = unhex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
    const wrapped = '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21';
    expect(hex(wrapKey(kek, key))).toBe(wrapped);
    const other = kek.slice();
    other[0] = 0xff;
    expect(() => unwrapKey(other, unhex(wrapped))).toThrow(DlmsSecurityError);
  });
});

describe('AES-GCM core (gcm-core.ts) against the platform implementation', () => {
  it('same ciphertext and tag for 128- and 256-bit keys, every length around block boundaries', async () => {
    const { createCipheriv, randomBytes } = await import('node:crypto');
    const { gcmOpen, gcmSeal } = await import('../../host/dlms/security/gcm-core.ts');
    for (const keyLen of [16, 32]) {
      const key = new Uint8Array(randomBytes(keyLen));
      for (const n of [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000]) {
        for (const a of [0, 1, 17, 33]) {
          const iv = new Uint8Array(randomBytes(12));
          const aad = new Uint8Array(randomBytes(a));
          const pt = new Uint8Array(randomBytes(n));
          const c = createCipheriv(keyLen === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, iv);
          c.setAAD(aad);
          const ct = Buffer.concat([c.update(pt), c.final()]);
          const sealed = gcmSeal(key, iv, aad, pt);
          expect(hex(sealed.ct)).toBe(ct.toString('hex'));
          expect(hex(sealed.tag)).toBe(c.getAuthTag().toString('hex'));
          const opened = gcmOpen(key, iv, aad, sealed.ct);
          expect(hex(opened.plaintext)).toBe(hex(pt));
          expect(hex(opened.tag)).toBe(hex(sealed.tag));
        }
      }
    }
  });
});
