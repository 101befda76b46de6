// Issue 19 item 3: the emulated meter's DLMS/COSEM endpoint on its WAN line exposed as a TCP port (`hasm meter run
// firmware/meter-dlms.json --uart wan=tcp:PORT`): host/dlms's client reads the energy register end to end —
// wrapper frames over TCP → the WAN UART → the untrusted runtime (tells wrapper from event frames by the first
// byte) → CS security's `dlms` entry (the server of firmware/lib/dlms) → the answer on the WAN UART → TCP.
import { describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { createConnection, type Socket } from 'node:net';
import { socketStream } from '../../host/dlms/stream.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { runMeter } from '../../host/meter/run.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { demoKeys } from './dlms-meter.ts';

const PORT = 41000 + (process.pid % 20000);
const descriptor = new URL('../../firmware/meter-dlms.json', import.meta.url).pathname;

/** 2 kW from the start (33.3 Wh a minute): the metrology front end's load profile. */
const load: LoadProfile = { intervalSeconds: 60, mwh: Array.from({ length: 120 }, () => 33_333n) };

/** The meter opens its port once built and deployed: retry until it listens. */
async function connect(port: number, failed: () => unknown): Promise<Socket> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<Socket>((res, rej) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => res(s));
        s.once('error', rej);
      });
    } catch (e) {
      if (failed()) throw failed();
      if (i > 1200) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('the meter on a TCP port speaks DLMS/COSEM (issue 19 item 3)', () => {
  it('reads the energy register through the WAN UART, plain and with HLS-GMAC; refuses a replayed counter and a wrong key', async () => {
    const stop = new AbortController();
    const run = runMeter({ descriptor, seconds: 3600, speed: 'max', uarts: [{ name: 'wan', port: PORT }], load, stop: stop.signal });
    const reads: number[] = [];
    const refusals: (Error | undefined)[] = [];
    // A run that fails (build, link, deployment) fails the test with its own error, not a refused connection.
    let failed: unknown;
    run.catch((e) => (failed = e));
    try {
      const counters = new MemoryCounterStore();
      for (const [sap, mechanism] of [[16, 'none'], [1, 'hls-gmac'], [1, 'hls-gmac']] as const) {
        const c = new DlmsClient(new WrapperChannel(socketStream(await connect(PORT, () => failed)), { clientSap: sap, serverSap: 1 }, 60_000), { mechanism, profile: 'hardened', keys: demoKeys, counters });
        await c.associate();
        const v = await c.get(3, '1.0.1.8.0.255', 2);
        if (v.type !== 'double-long-unsigned') throw new Error(`energy register: ${JSON.stringify(v)}`);
        reads.push(Number(v.value));
        await c.release();
      }
      // The hosted server keeps the hardened checks (seed Table 3.2): a replayed client counter (a fresh store starts
      // again below the last accepted one) and a wrong authentication key are refused at association.
      const refusal = async (o: { counters?: MemoryCounterStore; gak?: Uint8Array }) => {
        const keys = o.gak ? { ...demoKeys, gak: o.gak } : demoKeys;
        const ch = new WrapperChannel(socketStream(await connect(PORT, () => failed)), { clientSap: 1, serverSap: 1 }, 60_000);
        const c = new DlmsClient(ch, { mechanism: 'hls-gmac', profile: 'hardened', keys, counters: o.counters ?? new MemoryCounterStore() });
        const e = await c.associate().then(() => undefined, (x: Error) => x);
        await ch.close();
        return e;
      };
      refusals.push(await refusal({}), await refusal({ counters, gak: new Uint8Array(16).fill(0x55) }));
    } finally {
      stop.abort();
    }
    const report = await run;
    // The register is the core's, read through CS security: non-zero, never more than was fed, never decreasing.
    expect(reads[0]).toBeGreaterThan(0);
    expect(reads[2]).toBeGreaterThanOrEqual(reads[1]!);
    expect(reads[1]).toBeGreaterThanOrEqual(reads[0]!);
    expect(reads[2]).toBeLessThanOrEqual(report.energy_wh_fed);
    expect(refusals).toHaveLength(2);
    expect(String(refusals[0])).toMatch(/invocation counter/);
    expect(String(refusals[1])).toMatch(/would not decipher our AARQ/);
  }, 180_000);
});
