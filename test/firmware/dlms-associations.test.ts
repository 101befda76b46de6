// host/dlms's client against the meter's DLMS server compiled to the emulated MSP430 (issue 19 items 1, 4):
// every association the meter offers, reading the clock and the energy register; release. Then the same matrix
// (test/dlms/associations.test.ts: suite 0, mechanisms none / LLS / HLS-GMAC, both profiles, the wrapper framing)
// against the whole meter deployed, over TCP through its WAN UART (DeployedMeter, one per profile).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeDateTime } from '../../host/dlms/datetime.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import { CLOCK, demoKeys, DeployedMeter, EmulatedMeter, ENERGY } from './dlms-meter.ts';

// Two builds (the server alone, the whole meter) share a loaded machine: generous time, no verdict on it.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const clockBytes = encodeDateTime(new Date(CLOCK * 1000));

for (const profile of ['hardened', 'standard'] as Profile[]) {
  describe(`associations with the emulated meter (${profile})`, () => {
    it('none (SAP 16): reads the clock and the energy register, release', async () => {
      const meter = await EmulatedMeter.start(profile);
      const c = meter.client(16, { mechanism: 'none', profile });
      await c.associate();
      expect(await c.get(8, '0.0.1.0.0.255', 2)).toEqual({ type: 'octet-string', value: clockBytes });
      expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: ENERGY });
      expect(await c.get(3, '1.0.1.8.0.255', 3)).toEqual({ type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] });
      await c.release();
    });

    it('LLS (SAP 17): the right password reads; a wrong one is refused with authentication-failure', async () => {
      const meter = await EmulatedMeter.start(profile);
      const c = meter.client(17, { mechanism: 'lls', profile });
      await c.associate();
      expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: ENERGY });
      await c.release();
      const { demoKeys } = await import('./dlms-meter.ts');
      const bad = meter.client(17, { mechanism: 'lls', profile, keys: { ...demoKeys, password: 'Guruy' } });
      await expect(bad.associate()).rejects.toThrow(/authentication failure/);
      expect(meter.event('auth')).toBe(1);
    });

    it('HLS-GMAC (SAP 1, ciphered): associates, reads clock and energy, releases', async () => {
      const meter = await EmulatedMeter.start(profile);
      const c = meter.client(1, { mechanism: 'hls-gmac', profile });
      const info = await c.associate();
      expect(info.ciphered).toBe(true);
      expect(await c.get(8, '0.0.1.0.0.255', 2)).toEqual({ type: 'octet-string', value: clockBytes });
      expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: ENERGY });
      await c.release();
    });
  });
}

for (const profile of ['hardened', 'standard'] as Profile[]) {
  describe(`associations with the deployed meter over TCP (${profile})`, () => {
    let m: DeployedMeter;
    beforeAll(async () => {
      m = await DeployedMeter.start(profile);
    }, 300_000); // a deployment's build, on a loaded machine
    afterAll(async () => {
      await m?.stop();
    }, 60_000);

    const reads = async (c: Awaited<ReturnType<DeployedMeter['client']>>) => {
      const t = await c.get(8, '0.0.1.0.0.255', 2);
      expect(t.type === 'octet-string' && t.value.length).toBe(12); // a COSEM date-time
      const e = await c.get(3, '1.0.1.8.0.255', 2);
      expect(e.type).toBe('double-long-unsigned'); // the core's register, whatever it counted so far
      expect(await c.get(3, '1.0.1.8.0.255', 3)).toEqual({ type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] });
    };

    it('none (SAP 16): reads the clock and the energy register, release', async () => {
      const c = await m.client(16, { mechanism: 'none', profile });
      expect((await c.associate()).ciphered).toBe(false);
      await reads(c);
      await c.release();
    }, 60_000);

    it('LLS (SAP 17): the right password reads; a wrong one is refused with authentication-failure', async () => {
      const c = await m.client(17, { mechanism: 'lls', profile });
      await c.associate();
      await reads(c);
      await c.release();
      const bad = await m.client(17, { mechanism: 'lls', profile, keys: { ...demoKeys, password: 'Guruy' } });
      await expect(bad.associate()).rejects.toThrow(/authentication failure/);
    }, 60_000);

    it('HLS-GMAC (SAP 1, ciphered): associates, reads clock and energy, releases', async () => {
      const c = await m.client(1, { mechanism: 'hls-gmac', profile });
      expect((await c.associate()).ciphered).toBe(true);
      await reads(c);
      await c.release();
    }, 60_000);
  });
}
