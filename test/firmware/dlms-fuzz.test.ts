// Seeded bad input for the meter's DLMS server on the emulated MSP430 (issue 19 item 4, the subset of
// test/dlms/fuzz.test.ts its objects support): mutated AARQs and mutated ciphered requests never trap (the harness
// throws on a trap and on any V8/emulator disagreement), never leave an association open or move a counter they
// should not, and a genuine client still associates afterwards. Also: the dedicated key (ded- ciphering). Then the
// same mutations against the whole meter deployed, over TCP through its WAN UART (DeployedMeter): answered or
// refused, the meter keeps serving, its head-end counter moved only by the genuine requests. And the reference's own
// verdict, exactly: 400 mutated ciphered requests each answered with an exception-response, no counter moved.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import { encodeWrapper } from '../../host/dlms/wrapper.ts';
import { prng } from '../dlms/helpers.ts';
import { breathe } from '../event-loop.ts';
import { DeployedMeter, EmulatedMeter } from './dlms-meter.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { demoKeys } from './dlms-meter.ts';

// Two builds (the server alone, the whole meter) share a loaded machine: generous time, no verdict on it.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

function mutate(rand: () => number, b: Uint8Array): Uint8Array {
  const x = b.slice();
  switch (Math.floor(rand() * 5)) {
    case 0:
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) x[Math.floor(rand() * x.length)]! ^= 1 << Math.floor(rand() * 8);
      return x;
    case 1:
      return x.subarray(0, Math.floor(rand() * x.length));
    case 2:
      x[Math.floor(rand() * x.length)] = Math.floor(rand() * 256);
      return x;
    case 3:
      return Uint8Array.from([...x.subarray(0, 3), ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)), ...x.subarray(3)]);
    default:
      return Uint8Array.from([x[0]!, ...Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256))]);
  }
}

/** A channel straight into the meter that records what the client sends. */
function recorder(meter: EmulatedMeter, sap: number) {
  const sent: Uint8Array[] = [];
  const ch: ApduChannel = {
    address: { clientSap: sap, serverSap: 1 },
    request: async (apdu) => {
      sent.push(apdu);
      const f = meter.feed(encodeWrapper({ source: sap, destination: 1, apdu }));
      return f[0]!.subarray(8);
    },
    close: async () => undefined,
  };
  return { ch, sent };
}

/** The server alone, client 1 in an HLS-GMAC association with it, and what that client sent. */
async function associated(profile: 'hardened' | 'standard') {
  const meter = await EmulatedMeter.start(profile);
  const { ch, sent } = recorder(meter, 1);
  const client = new DlmsClient(ch, { mechanism: 'hls-gmac', profile, keys: demoKeys, counters: new MemoryCounterStore() });
  await client.associate();
  return { meter, client, sent };
}

describe('bad input to the emulated meter (seeded)', () => {
  it('mutated ciphered requests in an HLS-GMAC association: refused, counters unmoved, the association goes on', async () => {
    const { meter, client, sent } = await associated('hardened');
    await client.get(3, '1.0.1.8.0.255', 2);
    const corpus = sent.slice(1);
    const rand = prng(0x19f);
    for (let k = 0; k < 24; k++) {
      const held = meter.m.call('dlms_peer_ic', 0);
      const bad = mutate(rand, corpus[k % corpus.length]!);
      const out = meter.feed(encodeWrapper({ source: 1, destination: 1, apdu: bad }));
      // an answer, and only an exception-response or a ciphered answer to an intact request
      if (out.length) expect([0xd8, 0xcc, 0xcf, 0xcd, 0xc4, 0xc7, 0xc5]).toContain(out[0]![8]);
      if (out.length && out[0]![8] === 0xd8) expect(meter.m.call('dlms_peer_ic', 0)).toBe(held);
      if (k % 6 === 5) await breathe();
    }
    expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
  });

  it("the reference server's verdict (test/dlms/fuzz.test.ts) on 400 mutated ciphered requests: exception-response every time, no counter moved", async () => {
    // The reference's fuzz asserts exception-response 0xD8 for every mutated ciphered request and no counter moved;
    // here the same on the meter's server, with a corpus of three GETs (register, clock, object list's name).
    const { meter, client, sent } = await associated('hardened');
    await client.get(3, '1.0.1.8.0.255', 2);
    await client.get(8, '0.0.1.0.0.255', 2);
    await client.get(15, '0.0.40.0.0.255', 1);
    const corpus = sent.slice(1);
    const held = meter.m.call('dlms_peer_ic', 0);
    const rand = prng(12);
    const answers = new Map<number | 'none', number>();
    for (let k = 0; k < 400; k++) {
      const out = meter.feed(encodeWrapper({ source: 1, destination: 1, apdu: mutate(rand, corpus[k % corpus.length]!) }));
      const first = out.length ? out[0]![8]! : 'none';
      answers.set(first, (answers.get(first) ?? 0) + 1);
      if (k % 25 === 24) await breathe();
    }
    expect(Object.fromEntries(answers)).toEqual({ [0xd8]: 400 });
    expect(meter.m.call('dlms_peer_ic', 0)).toBe(held);
    // An empty APDU, as the reference refuses it (its DlmsDecodeError: state-service-unknown, other-reason).
    const empty = meter.feed(encodeWrapper({ source: 1, destination: 1, apdu: new Uint8Array(0) }));
    expect([...empty[0]!.subarray(8)]).toEqual([0xd8, 2, 3]);
    expect(await client.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
  });

  it("the reference server's verdict (test/dlms/fuzz.test.ts) on 1,500 mutated AARQs, RLRQs and plain APDUs from any client: each answered with an AARE, an RLRE or an exception-response", async () => {
    const { meter, client, sent } = await associated('hardened');
    await client.release();
    const [aarq, rlrq] = [sent[0]!, sent.at(-1)!];
    // the reference's two plain APDUs: a GET of the register, an ACTION of disconnect control
    const plain = [Uint8Array.from([0xc0, 0x01, 0xc1, 0x00, 0x03, 1, 0, 1, 8, 0, 255, 2, 0]), Uint8Array.from([0xc3, 0x01, 0xc1, 0x00, 0x46, 0, 0, 96, 3, 10, 255, 1, 1, 0x0f, 0])];
    const rand = prng(34);
    const answers = new Map<number | 'none', number>();
    for (let i = 0; i < 1500; i++) {
      const base = [aarq, rlrq, ...plain][i % 4]!;
      // as the reference: truncations and junk only (a bit flip in a valid AARQ's challenge could make a legitimate request)
      const input = rand() < 0.5 ? base.subarray(0, Math.floor(rand() * base.length)) : mutate(rand, base).subarray(0, base.length - 1);
      const out = meter.feed(encodeWrapper({ source: 1 + Math.floor(rand() * 20), destination: 1, apdu: input }));
      const first = out.length ? out[0]![8]! : 'none';
      answers.set(first, (answers.get(first) ?? 0) + 1);
      if (i % 100 === 99) await breathe();
    }
    expect([...answers.keys()].filter((k) => k !== 0x61 && k !== 0x63 && k !== 0xd8)).toEqual([]); // 'none' would show here
    expect(answers.get(0xd8)).toBeGreaterThan(0);
    expect(answers.get(0x61)).toBeGreaterThan(0);
  });

  it('mutated AARQs: refused or accepted only as genuine, never a trap; a genuine client associates afterwards', async () => {
    const meter = await EmulatedMeter.start('standard');
    const { ch, sent } = recorder(meter, 1);
    const { DlmsClient } = await import('../../host/dlms/client.ts');
    const { demoKeys } = await import('./dlms-meter.ts');
    const counters = new MemoryCounterStore();
    await new DlmsClient(ch, { mechanism: 'hls-gmac', profile: 'standard', keys: demoKeys, counters }).associate();
    const pub = recorder(meter, 16);
    await new DlmsClient(pub.ch, { mechanism: 'none', profile: 'standard', keys: demoKeys }).associate();
    const rand = prng(0xaa19);
    for (let k = 0; k < 30; k++) {
      const src = k % 2 ? pub : { sent };
      const sap = k % 2 ? 16 : 1;
      const out = meter.feed(encodeWrapper({ source: sap, destination: 1, apdu: mutate(rand, src.sent[0]!) }));
      if (out.length) expect([0x61, 0xd8]).toContain(out[0]![8]);
      if (k % 6 === 5) await breathe();
    }
    // wrapper framing junk: a bad version is -1 (the host closes), then the stream starts afresh
    expect(() => meter.feed(Uint8Array.of(0, 2, 0, 1, 0, 1, 0, 1, 0x60))).toThrow(/framing/);
    const c = meter.client(1, { mechanism: 'hls-gmac', profile: 'standard', counters });
    await c.associate();
    expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
  });

  it('ded-ciphering: the dedicated key from the InitiateRequest protects the requests and responses', async () => {
    const meter = await EmulatedMeter.start('hardened');
    const ded = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const { ch, sent } = recorder(meter, 1);
    const { DlmsClient } = await import('../../host/dlms/client.ts');
    const { demoKeys } = await import('./dlms-meter.ts');
    const c = new DlmsClient(ch, { mechanism: 'hls-gmac', profile: 'hardened', keys: demoKeys, counters: new MemoryCounterStore(), dedicatedKey: ded });
    await c.associate();
    expect(await c.get(8, '0.0.1.0.0.255', 4)).toEqual({ type: 'unsigned', value: 0 });
    expect(sent.at(-1)![0]).toBe(0xd0); // ded-get-request
  });
});

describe('bad input to the deployed meter over TCP (seeded)', () => {
  let m: DeployedMeter;
  beforeAll(async () => {
    m = await DeployedMeter.start('hardened');
  }, 300_000); // a deployment's build, on a loaded machine
  afterAll(async () => {
    await m?.stop();
  }, 60_000);

  it('mutated ciphered requests and mutated AARQs: refused or answered, never a hang; counters moved only by genuine requests', async () => {
    const counters = new MemoryCounterStore();
    const ch = await m.channel(1);
    const sent: Uint8Array[] = [];
    const rec: ApduChannel = { address: ch.address, request: (a) => (sent.push(a), ch.request(a)), close: () => ch.close() };
    const client = new DlmsClient(rec, { mechanism: 'hls-gmac', profile: 'hardened', keys: demoKeys, counters });
    await client.associate();
    await client.get(3, '1.0.1.8.0.255', 2);
    const aarq = sent[0]!;
    const corpus = sent.slice(1);
    const rand = prng(0x19f);
    for (let k = 0; k < 16; k++) {
      const answer = await ch.request(mutate(rand, corpus[k % corpus.length]!));
      // an exception-response, or a ciphered answer to a request the mutation left intact
      expect([0xd8, 0xcc, 0xcf, 0xcd, 0xc4, 0xc7, 0xc5]).toContain(answer[0]);
    }
    // the association goes on: the genuine client reads, and the meter holds exactly its last counter
    expect((await client.get(3, '1.0.1.8.0.255', 2)).type).toBe('double-long-unsigned');
    await client.release();
    for (let k = 0; k < 16; k++) {
      const answer = await ch.request(mutate(rand, aarq));
      expect([0x61, 0xd8]).toContain(answer[0]); // an AARE (accepted only if genuine) or an exception
    }
    await ch.close();
    // a genuine client still associates; nothing above its own counters was accepted from the mutations
    const again = await m.client(1, { mechanism: 'hls-gmac', profile: 'hardened', counters });
    await again.associate();
    expect((await again.get(3, '1.0.1.8.0.255', 2)).type).toBe('double-long-unsigned');
    await again.release();
    const { ownCounterKey } = await import('../../host/dlms/counter-store.ts');
    expect(await m.held()).toBe(counters.get(ownCounterKey(demoKeys)).own);
  }, 120_000);
});
