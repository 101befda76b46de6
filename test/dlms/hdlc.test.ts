import { describe, expect, it } from 'vitest';
import { hex, unhex } from '../../host/dlms/bytes.ts';
import { DlmsDecodeError } from '../../host/dlms/errors.ts';
import {
  crc16,
  decodeFrame,
  decodeLinkParameters,
  encodeFrame,
  encodeLinkParameters,
  encodeServerAddress,
  HdlcChannel,
  HdlcDecoder,
  serveHdlc,
} from '../../host/dlms/hdlc.ts';
import { pipePair } from '../../host/dlms/stream.ts';
import { clientOptions, makeServer } from './helpers.ts';
import { DlmsClient } from '../../host/dlms/client.ts';

describe('HDLC framing (IEC 62056-46)', () => {
  it('builds the SNRM a Gurux client sends, byte for byte (7E A0 07 03 21 93 0F 01 7E)', () => {
    const f = encodeFrame({ segmented: false, destination: Uint8Array.of(0x03), source: Uint8Array.of(0x21), control: 0x93, info: new Uint8Array(0) });
    expect(hex(f)).toBe('7ea0070321930f017e');
    expect(decodeFrame(f.subarray(1, -1))).toMatchObject({ control: 0x93, segmented: false });
  });

  it('CRC-16/X.25 check value', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x906e);
  });

  it('server addresses of 1, 2 and 4 bytes', () => {
    expect(hex(encodeServerAddress({ logical: 1, size: 1 }))).toBe('03');
    expect(hex(encodeServerAddress({ logical: 1, physical: 17, size: 2 }))).toBe('0223');
    expect(hex(encodeServerAddress({ logical: 1, physical: 0x3fff, size: 4 }))).toBe('0002feff');
    const f = encodeFrame({ segmented: true, destination: encodeServerAddress({ logical: 300, physical: 5000, size: 4 }), source: Uint8Array.of(0x21), control: 0x10, info: unhex('e6e600c001') });
    const d = decodeFrame(f.subarray(1, -1));
    expect(d.segmented).toBe(true);
    expect(d.destination.length).toBe(4);
    expect(hex(d.info)).toBe('e6e600c001');
  });

  it('SNRM/UA parameter negotiation field round-trips', () => {
    const p = { maxInfoTx: 128, maxInfoRx: 1024, windowTx: 1, windowRx: 1 };
    expect(hex(encodeLinkParameters(p)).slice(0, 6)).toBe('818013');
    expect(decodeLinkParameters(encodeLinkParameters(p))).toEqual(p);
    expect(decodeLinkParameters(new Uint8Array(0)).maxInfoTx).toBe(128);
  });

  it('a corrupted HCS or FCS is a typed error, and the decoder resynchronises on the next flag', () => {
    const good = encodeFrame({ segmented: false, destination: Uint8Array.of(0x03), source: Uint8Array.of(0x21), control: 0x10, info: unhex('e6e600c0') });
    const bad = good.slice();
    bad[5]! ^= 0x40; // inside the header: HCS mismatch
    expect(() => decodeFrame(bad.subarray(1, -1))).toThrow(DlmsDecodeError);
    const errors: Error[] = [];
    const dec = new HdlcDecoder();
    const frames = dec.push(new Uint8Array([0x11, 0x22, ...bad, ...good.subarray(0, 5)]), (e) => errors.push(e));
    expect(frames).toHaveLength(0);
    expect(errors[0]).toBeInstanceOf(DlmsDecodeError);
    expect(dec.push(good.subarray(5), (e) => errors.push(e))).toHaveLength(1);
  });
});

describe('HDLC link over an in-process pipe', () => {
  it('segments a long GET response and a long SET request both ways with a 32-byte information field', async () => {
    const { server, echo } = makeServer('hardened');
    const [c, s] = pipePair();
    serveHdlc(s, server.session(), { maxInfo: 32 });
    const ch = new HdlcChannel(c, { clientSap: 1, server: { logical: 1, size: 1 }, maxInfo: 32, timeoutMs: 2000 });
    const params = await ch.connect();
    expect(params.maxInfoTx).toBe(32);
    const client = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
    await client.associate();
    const big = new Uint8Array(700).map((_, i) => i & 0xff);
    await client.set(1, '0.0.96.99.0.255', 2, { type: 'octet-string', value: big });
    expect(echo.value).toEqual({ type: 'octet-string', value: big });
    const back = await client.get(1, '0.0.96.99.0.255', 2);
    expect(back).toEqual({ type: 'octet-string', value: big });
    await client.release();
    await ch.close();
  });

  it('answers DM to an I-frame before SNRM, and UA to DISC', async () => {
    const { server } = makeServer('standard');
    const [c, s] = pipePair();
    serveHdlc(s, server.session());
    const got: Uint8Array[] = [];
    c.onData((b) => got.push(b));
    c.write(encodeFrame({ segmented: false, destination: Uint8Array.of(3), source: Uint8Array.of(0x21), control: 0x10, info: unhex('e6e600c0') }));
    await new Promise((r) => setTimeout(r, 5));
    expect(decodeFrame(got[0]!.subarray(1, -1)).control).toBe(0x1f);
    c.write(encodeFrame({ segmented: false, destination: Uint8Array.of(3), source: Uint8Array.of(0x21), control: 0x93, info: new Uint8Array(0) }));
    c.write(encodeFrame({ segmented: false, destination: Uint8Array.of(3), source: Uint8Array.of(0x21), control: 0x53, info: new Uint8Array(0) }));
    await new Promise((r) => setTimeout(r, 5));
    const controls = got.slice(1).map((b) => decodeFrame(b.subarray(1, -1)).control);
    expect(controls).toEqual([0x73, 0x73]);
  });
});

describe('HDLC on a lossy line', () => {
  it('re-sends lost frames both ways (requests, acknowledgements, response segments) and still completes', async () => {
    const { server } = makeServer('hardened');
    const [c, s] = pipePair();
    // Drop some frames each way, as a noisy serial line would.
    const dropUp = new Set([2, 5, 9]);
    const dropDown = new Set([3, 7, 12]);
    let up = 0;
    let down = 0;
    const lossyClient = { ...c, write: (b: Uint8Array) => void (dropUp.has(++up) || c.write(b)) };
    const lossyServer = { ...s, write: (b: Uint8Array) => void (dropDown.has(++down) || s.write(b)) };
    serveHdlc(lossyServer, server.session(), { maxInfo: 32 });
    const ch = new HdlcChannel(lossyClient, { clientSap: 1, server: { logical: 1, size: 1 }, maxInfo: 32, timeoutMs: 60 });
    await ch.connect();
    const client = new DlmsClient(ch, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
    await client.associate();
    const list = await client.get(15, '0.0.40.0.0.255', 2);
    expect(list.type === 'array' && list.value.length).toBeGreaterThan(5);
    expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
    expect(up).toBeGreaterThan(12);
    expect(down).toBeGreaterThan(12);
  });
});
