// The meter's objects through host/dlms's client (issue 19 item 2), on the server alone (the hosting module's
// entry points driven by the test; test/firmware/dlms-backed.test.ts runs them in the deployed meter): the object
// list read with GET blocks, its advertised rights equal to the enforced ones (one table,
// firmware/lib/dlms/objects.ts), disconnect control only REQUESTS (the off-switch module decides), a SET of the
// clock becomes a request to the clock module, the server's invocation counter survives resets through the
// reservation hook; the registers per tariff, security setup, and the profiles (test/firmware/dlms-profile.test.ts).
import { describe, expect, it, vi } from 'vitest';
import type { CosemData } from '../../host/dlms/axdr.ts';
import { encodeDateTime } from '../../host/dlms/datetime.ts';
import { DlmsRejectedError } from '../../host/dlms/errors.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { formatObis } from '../../host/dlms/obis.ts';
import { OBIS } from '../../host/dlms/server/model.ts';
import { breathe } from '../event-loop.ts';
import { patientClient } from './dlms-client.ts';
import { EmulatedMeter } from './dlms-meter.ts';

// Every request runs on the emulated MSP430: minutes on a loaded machine (no verdict depends on time).
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

type Entry = { classId: number; ln: string; read: number[]; write: number[]; methods: number[] };

function objectList(d: CosemData): Entry[] {
  if (d.type !== 'array') throw new Error('object list is not an array');
  return d.value.map((s) => {
    if (s.type !== 'structure') throw new Error('entry is not a structure');
    const [cls, , ln, rights] = s.value as [CosemData, CosemData, CosemData, CosemData];
    const [attrs, meths] = (rights as { value: CosemData[] }).value as unknown as [{ value: CosemData[] }, { value: CosemData[] }];
    const mode = (x: CosemData) => (x as { value: CosemData[] }).value.map((v) => Number((v as { value: number }).value));
    const a = attrs.value.map(mode);
    const m = meths.value.map(mode);
    return {
      classId: Number((cls as { value: number }).value),
      ln: formatObis((ln as { value: Uint8Array }).value),
      read: a.filter(([, md]) => md! & 1).map(([id]) => id!),
      write: a.filter(([, md]) => md! & 2).map(([id]) => id!),
      methods: m.filter(([, md]) => md === 1).map(([id]) => id!),
    };
  });
}

const dar = (e: unknown) => (e instanceof DlmsRejectedError ? (e.details as { dar?: number }).dar : e);

/** The meter's objects in list order; the OBIS codes the reference server also has come from its table. */
const METER_OBJECTS = [
  `15/0.0.40.0.0.255`, `8/${OBIS.clock}`, `3/${OBIS.energyImport}`, '3/1.0.1.8.1.255', '3/1.0.1.8.2.255', '3/1.0.1.8.3.255',
  '3/1.0.1.8.4.255', `1/${OBIS.frameCounter}`, `70/${OBIS.disconnect}`, `64/${OBIS.securitySetup}`, `7/${OBIS.loadProfile}`,
  `7/${OBIS.eventLog}`, '7/0.0.99.98.2.255',
];
const ATTRIBUTES: Record<number, number> = { 15: 8, 8: 9, 3: 3, 1: 2, 70: 4, 64: 6, 7: 8 };

describe('object list and access rights (public association, SAP 16)', () => {
  it('the object list (GET with blocks) names the meter objects, and every advertised right is the enforced one', async () => {
    const meter = await EmulatedMeter.start('hardened');
    const c = patientClient(meter, 16, { mechanism: 'none', profile: 'hardened' });
    await c.associate();
    const list = objectList(await c.get(15, '0.0.40.0.0.255', 2));
    expect(meter.frames.at(-1)!.bytes).toBeLessThanOrEqual(8 + 224);
    expect(list.map((e) => `${e.classId}/${e.ln}`)).toEqual(METER_OBJECTS);
    for (const e of list) {
      for (let a = 1; a <= ATTRIBUTES[e.classId]!; a++) {
        const r = await c.get(e.classId, e.ln, a).then(() => 0, dar);
        expect([e.ln, a, r]).toEqual([e.ln, a, e.read.includes(a) ? 0 : 3]);
      }
      await breathe();
    }
    // consumption is personal data: the public client sees a profile's name only
    expect(list.filter((e) => e.classId === 7).map((e) => e.read)).toEqual([[1], [1], [1]]);
    // methods: none advertised to the public association, none allowed
    expect(list.every((e) => e.methods.length === 0)).toBe(true);
    await expect(c.action(70, '0.0.96.3.10.255', 1, { type: 'integer', value: 0 })).rejects.toThrow(/failed/);
    expect(meter.m.call('dlms_take_disconnect')).toBe(0);
    // unknown object and wrong class
    expect(await c.get(3, '1.0.99.8.0.255', 2).then(() => 0, dar)).toBe(4);
    expect(await c.get(1, '1.0.1.8.0.255', 2).then(() => 0, dar)).toBe(9);
    // selective access is defined on a profile's buffer only (scope-of-access-violated, as the reference server)
    expect(await c.get(3, '1.0.1.8.0.255', 2, { selector: 2, params: { type: 'null' } }).then(() => 0, dar)).toBe(13);
    // SET refused (no write right), nothing requested
    expect(await c.set(8, '0.0.1.0.0.255', 2, { type: 'octet-string', value: new Uint8Array(12) }).then(() => 0, dar)).toBe(3);
    expect(meter.m.call('dlms_take_time')).toBe(0);
  }, 120_000); // includes compiling the server (a minute on a loaded machine without the compile cache)
});

describe('the management association (HLS-GMAC, SAP 1)', () => {
  it('disconnect control only requests; a clock SET becomes a request to the clock module', async () => {
    const meter = await EmulatedMeter.start('hardened');
    const c = patientClient(meter, 1, { mechanism: 'hls-gmac', profile: 'hardened' });
    await c.associate();
    const list = objectList(await c.get(15, '0.0.40.0.0.255', 2));
    expect(list.find((e) => e.classId === 70)!.methods).toEqual([1, 2]);
    expect(list.find((e) => e.classId === 8)!.write).toEqual([2]);
    expect(await c.get(70, '0.0.96.3.10.255', 2)).toEqual({ type: 'boolean', value: true });
    await c.action(70, '0.0.96.3.10.255', 1, { type: 'integer', value: 0 });
    expect(meter.m.call('dlms_take_disconnect')).toBe(1);
    expect(meter.m.call('dlms_take_disconnect')).toBe(0);
    // the relay did not move: output_state is what the off-switch module reports
    expect(await c.get(70, '0.0.96.3.10.255', 2)).toEqual({ type: 'boolean', value: true });
    const t = encodeDateTime(new Date(Date.UTC(2027, 0, 2, 3, 4, 5)));
    await c.set(8, '0.0.1.0.0.255', 2, { type: 'octet-string', value: t });
    const at = meter.m.call('dlms_take_time');
    expect(at).not.toBe(0);
    expect(Array.from(meter.m.read(at, 12))).toEqual(Array.from(t));
    await c.release();
  });
});

describe("the server's invocation counter across resets (reservation hook)", () => {
  it('after a reset the server starts at the persisted limit; the hardened client sees only rising counters', async () => {
    const counters = new MemoryCounterStore();
    const a = await EmulatedMeter.start('hardened');
    const c1 = patientClient(a, 1, { mechanism: 'hls-gmac', profile: 'hardened', counters });
    await c1.associate();
    await c1.get(3, '1.0.1.8.0.255', 2);
    const used = a.m.call('dlms_server_ic') >>> 0;
    expect(a.persisted).toBeGreaterThanOrEqual(used);
    // Reset: a new machine, the persisted limit and the head-end counter given back by the hosting module.
    const b = await EmulatedMeter.start('hardened', { persisted: a.persisted });
    b.m.call('dlms_peer_restore', 0, a.m.call('dlms_peer_ic', 0));
    expect(b.m.call('dlms_server_ic') >>> 0).toBe(a.persisted);
    const c2 = patientClient(b, 1, { mechanism: 'hls-gmac', profile: 'hardened', counters });
    await c2.associate(); // the client refuses any server counter not above the last it saw (hardened)
    expect(await c2.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
  });

  it('without a persisted reservation the server enciphers nothing (refuses rather than reuse a nonce)', async () => {
    const m = await EmulatedMeter.start('hardened', { grants: false, persisted: 5000 });
    const c = patientClient(m, 1, { mechanism: 'hls-gmac', profile: 'hardened' });
    await expect(c.associate()).rejects.toThrow();
    expect(m.m.call('dlms_server_ic') >>> 0).toBe(5000);
  });
});
