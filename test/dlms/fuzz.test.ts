import { describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { DlmsDecodeError, DlmsNotImplementedError, DlmsRejectedError, DlmsSecurityError } from '../../host/dlms/errors.ts';
import { encodeFrame, serveHdlc } from '../../host/dlms/hdlc.ts';
import { pipePair } from '../../host/dlms/stream.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { encodeWrapper, serveWrapper } from '../../host/dlms/wrapper.ts';
import { channelTo, clientOptions, makeServer, prng } from './helpers.ts';

// Seeded fuzzing of the reference server: malformed frames and APDUs never crash it, never change its state
// (counters, keys, associations, objects), and each one yields a typed error plus a refusal on the wire.

const TYPED = [DlmsDecodeError, DlmsSecurityError, DlmsRejectedError, DlmsNotImplementedError];

class Recorder implements ApduChannel {
  readonly sent: Uint8Array[] = [];
  constructor(private readonly inner: ApduChannel) {}
  get address() {
    return this.inner.address;
  }
  request(a: Uint8Array) {
    this.sent.push(a);
    return this.inner.request(a);
  }
  close() {
    return this.inner.close();
  }
}

function mutate(rand: () => number, b: Uint8Array): Uint8Array {
  const x = b.slice();
  switch (Math.floor(rand() * 5)) {
    case 0: // flip 1–3 bits
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) x[Math.floor(rand() * x.length)]! ^= 1 << Math.floor(rand() * 8);
      return x;
    case 1: // truncate
      return x.subarray(0, Math.floor(rand() * x.length));
    case 2: // overwrite a byte
      x[Math.floor(rand() * x.length)] = Math.floor(rand() * 256);
      return x;
    case 3: // insert junk
      return Uint8Array.from([...x.subarray(0, 3), ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)), ...x.subarray(3)]);
    default: // random bytes with a plausible tag
      return Uint8Array.from([x[0]!, ...Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))]);
  }
}

describe('fuzzing the reference server (seeded)', () => {
  it('mutated ciphered requests on an established HLS-GMAC association: exception-response, typed error, no state change', async () => {
    const { server, echo } = makeServer('hardened');
    const session = server.session();
    const addr = { clientSap: 1, serverSap: 1 };
    const rec = new Recorder({ address: addr, request: async (a) => session.handle(addr, a)!, close: async () => undefined });
    const client = new DlmsClient(rec, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
    await client.associate();
    await client.get(3, '1.0.1.8.0.255', 2);
    await client.set(1, '0.0.96.99.0.255', 2, { type: 'octet-string', value: new Uint8Array(40) });
    await client.action(3, '1.0.2.8.0.255', 1, { type: 'integer', value: 0 }).catch(() => undefined);
    const corpus = rec.sent.slice(1); // ciphered APDUs (the AARQ is fuzzed separately)
    const snapshot = () => JSON.stringify({ clients: server.state.data.clients, keys: server.state.data.keys, ic: server.state.lastServerIc, echo: echo.value, energy: server.object(Uint8Array.of(1, 0, 1, 8, 0, 255))!.get(2, { association: { clientSap: 1, name: '' }, now: () => new Date() }) }, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v));
    const before = snapshot();
    const rand = prng(12);
    for (let i = 0; i < 2000; i++) {
      const input = mutate(rand, corpus[i % corpus.length]!);
      const out = session.handle(addr, input);
      expect(out, `input ${Buffer.from(input).toString('hex')}`).toBeDefined();
      expect(out![0], `input ${Buffer.from(input).toString('hex')}`).toBe(0xd8);
      expect(TYPED.some((T) => session.lastError instanceof T), `input ${Buffer.from(input).toString('hex')}: ${session.lastError}`).toBe(true);
    }
    expect(snapshot()).toBe(before);
    // The association survived: a genuine request still works.
    expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
  });

  it('mutated AARQs and plain APDUs without association: a refusal and a typed error each time', async () => {
    const { server } = makeServer('hardened');
    const rec = new Recorder(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }));
    const c = new DlmsClient(rec, clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
    await c.associate();
    await c.release();
    const aarq = rec.sent[0]!;
    const rlrq = rec.sent.at(-1)!;
    const plain = [Uint8Array.from([0xc0, 0x01, 0xc1, 0x00, 0x03, 1, 0, 1, 8, 0, 255, 2, 0]), Uint8Array.from([0xc3, 0x01, 0xc1, 0x00, 0x46, 0, 0, 96, 3, 10, 255, 1, 1, 0x0f, 0])];
    const countersBefore = JSON.stringify(server.state.data.clients);
    const rand = prng(34);
    for (let i = 0; i < 1500; i++) {
      const session = server.session();
      const base = [aarq, rlrq, ...plain][i % 4]!;
      // Truncations and junk only: a bit flip inside a valid AARQ's challenge could make a legitimate request.
      const input = rand() < 0.5 ? base.subarray(0, Math.floor(rand() * base.length)) : mutate(rand, base).subarray(0, base.length - 1);
      const out = session.handle({ clientSap: 1 + Math.floor(rand() * 20), serverSap: 1 }, input);
      expect(out).toBeDefined();
      expect([0x61, 0x63, 0xd8]).toContain(out![0]);
      if (out![0] !== 0x63) expect(TYPED.some((T) => session.lastError instanceof T), `${Buffer.from(input).toString('hex')}: ${session.lastError}`).toBe(true);
      expect(session.association(1)).toBeUndefined();
    }
    expect(JSON.stringify(server.state.data.clients)).toBe(countersBefore);
  });

  it('garbage frames on the HDLC and wrapper framings never crash the server; the link still works afterwards', async () => {
    const { server } = makeServer('standard');
    const rand = prng(56);
    const errors: Error[] = [];
    // HDLC: random bytes, mutated valid frames, then a genuine association on the same link.
    const [c, s] = pipePair();
    serveHdlc(s, server.session(), { onError: (e) => errors.push(e) });
    c.onData(() => undefined);
    const snrm = encodeFrame({ segmented: false, destination: Uint8Array.of(3), source: Uint8Array.of(0x21), control: 0x93, info: new Uint8Array(0) });
    const iframe = encodeFrame({ segmented: false, destination: Uint8Array.of(3), source: Uint8Array.of(0x21), control: 0x10, info: Uint8Array.of(0xe6, 0xe6, 0x00, 0xc0, 0x01) });
    for (let i = 0; i < 800; i++) {
      const pick = [snrm, iframe][i % 2]!;
      c.write(i % 3 === 0 ? Uint8Array.from({ length: 1 + Math.floor(rand() * 60) }, () => Math.floor(rand() * 256)) : mutate(rand, pick));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(errors.length).toBeGreaterThan(100);
    expect(errors.every((e) => TYPED.some((T) => e instanceof T))).toBe(true);
    const ch = await channelTo(server, 'hdlc', { clientSap: 16, serverSap: 1 });
    const client = new DlmsClient(ch, clientOptions({ mechanism: 'none', profile: 'standard' }));
    await client.associate();
    expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
    // Wrapper: a bad version closes only that connection.
    const [wc, ws] = pipePair();
    let closed = false;
    wc.onClose(() => (closed = true));
    wc.onData(() => undefined);
    serveWrapper(ws, server.session(), (e) => errors.push(e));
    wc.write(Uint8Array.of(0x00, 0x02, 0, 16, 0, 1, 0, 1, 0));
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(true);
    const [wc2, ws2] = pipePair();
    const replies: Uint8Array[] = [];
    wc2.onData((b) => replies.push(b));
    serveWrapper(ws2, server.session(), (e) => errors.push(e));
    for (let i = 0; i < 300; i++) wc2.write(encodeWrapper({ source: 16, destination: 1, apdu: Uint8Array.from({ length: Math.floor(rand() * 30) }, () => Math.floor(rand() * 256)) }));
    await new Promise((r) => setTimeout(r, 20));
    expect(replies.length).toBeGreaterThan(250); // every frame answered (exception-response or AARE)
  });
});
