import { describe, expect, it } from 'vitest';
import { decodeAare, encodeAare } from '../../host/dlms/acse.ts';
import { axdrLength, ByteWriter, concat } from '../../host/dlms/bytes.ts';
import { prng } from './helpers.ts';

// ByteWriter (bytes.ts) frames bodies whose length is known only once written: checked against the obvious
// construction (tag ‖ length ‖ body) across every length form, nested, and through an AARE that needs the long form.

const tlv = (tag: number, body: Uint8Array) => concat(Uint8Array.of(tag), axdrLength(body.length), body);

describe('ByteWriter', () => {
  it('open/close equals tag ‖ A-XDR length ‖ body for bodies of every length form, nested', () => {
    const rnd = prng(16);
    for (const n of [0, 1, 127, 128, 129, 255, 256, 300, 65535, 65536, 70000]) {
      const body = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const w = new ByteWriter(4).u8(0xaa);
      const outer = w.open(0x30);
      const inner = w.open(0x04);
      w.bytes(body);
      w.close(inner).u16(0xbeef);
      w.close(outer).u32(0x01020304);
      expect(w.finish()).toEqual(concat(Uint8Array.of(0xaa), tlv(0x30, concat(tlv(0x04, body), Uint8Array.of(0xbe, 0xef))), Uint8Array.of(1, 2, 3, 4)));
    }
  });

  it('an AARE with 200 bytes of user-information round-trips (long BER lengths at two levels)', () => {
    const userInformation = Uint8Array.from({ length: 200 }, (_, i) => i);
    const aare = { context: 1, result: 0, diagnostic: 0, diagnosticSource: 1, respondingApTitle: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), mechanism: 5, respondingAuthValue: new Uint8Array(16).fill(9), userInformation };
    expect(decodeAare(encodeAare(aare))).toMatchObject(aare);
  });
});
