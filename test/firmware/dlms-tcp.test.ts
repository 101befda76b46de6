// Issue 19 item 3: the emulated meter's DLMS/COSEM endpoint on its WAN line exposed as a TCP port (`hasm meter run
// firmware/meter-dlms.json --uart wan=tcp:PORT`): host/dlms's client reads the energy register end to end —
// wrapper frames over TCP → the WAN UART → the untrusted runtime (tells wrapper from event frames by the first
// byte) → CS security's `dlms` entry (the server of firmware/lib/dlms) → the answer on the WAN UART → TCP.
import { describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { decodeDateTime, encodeDateTime } from '../../host/dlms/datetime.ts';
import { MemoryCounterStore, serverCounterKey } from '../../host/dlms/counter-store.ts';
import { socketStream } from '../../host/dlms/stream.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import type { FirmwareNode } from '../../host/deploy/firmware-node.ts';
import { runMeter } from '../../host/meter/run.ts';
import type { MonotonicCounter } from '../../toolchain/emulator/peripherals/monotonic-counter.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { demoKeys } from './dlms-meter.ts';
import { connectMeter } from './meter-port.ts';
import { freePort } from '../free-port.ts';

const descriptor = new URL('../../firmware/meter-dlms.json', import.meta.url).pathname;

/** 2 kW from the start (33.3 Wh a minute): the metrology front end's load profile. */
const load: LoadProfile = { intervalSeconds: 60, mwh: Array.from({ length: 120 }, () => 33_333n) };


/** The board's monotonic counter of CS security's invocation-counter blocks (firmware/cs-dlms/ic.ts). */
const nvcountCs = (n: FirmwareNode) => n.machine.devices.find((d) => d.name === 'nvcount_cs') as MonotonicCounter;
/** The head-end's counters, kept across the meter's boots as a head-end keeps them. */
const counters = new MemoryCounterStore();
const serverIc = () => counters.get(serverCounterKey(demoKeys.serverSystemTitle, demoKeys)).server;
/** What the first boot left in the counter chip, and the last server counter the head-end saw then. */
let chip = -1;
let lastIcBoot1 = -1;
/** The time the head-end sets (2027-01-02 03:04:05 UTC) and the clock it reads back afterwards. */
const SET_AT = Date.UTC(2027, 0, 2, 3, 4, 5) / 1000;
let clockAfterSet = -1;

describe('the meter on a TCP port speaks DLMS/COSEM (issue 19 item 3)', () => {
  it('reads the energy register through the WAN UART, plain and with HLS-GMAC; refuses a replayed counter and a wrong key', async () => {
    const stop = new AbortController();
    let node: FirmwareNode | undefined;
    const port = await freePort();
    const run = runMeter({ descriptor, seconds: 3600, speed: 'max', uarts: [{ name: 'wan', port }], load, stop: stop.signal, prepare: (n) => (node = n) });
    const reads: number[] = [];
    const refusals: (Error | undefined)[] = [];
    // A run that fails (build, link, deployment) fails the test with its own error, not a refused connection.
    let failed: unknown;
    run.catch((e) => (failed = e));
    try {
      for (const [sap, mechanism] of [[16, 'none'], [1, 'hls-gmac'], [1, 'hls-gmac']] as const) {
        const c = new DlmsClient(new WrapperChannel(socketStream(await connectMeter(port, () => failed)), { clientSap: sap, serverSap: 1 }, 60_000), { mechanism, profile: 'hardened', keys: demoKeys, counters });
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
        const ch = new WrapperChannel(socketStream(await connectMeter(port, () => failed)), { clientSap: 1, serverSap: 1 }, 60_000);
        const c = new DlmsClient(ch, { mechanism: 'hls-gmac', profile: 'hardened', keys, counters: o.counters ?? new MemoryCounterStore() });
        const e = await c.associate().then(() => undefined, (x: Error) => x);
        await ch.close();
        return e;
      };
      refusals.push(await refusal({}), await refusal({ counters, gak: new Uint8Array(16).fill(0x55) }));
      // The clock object's time, set by the management association, goes to the clock module (CS security sends it
      // on as the central system's CMD_TIME): the clock the server shows — the core's, after its next register
      // reply — runs from the time set.
      const c = new DlmsClient(new WrapperChannel(socketStream(await connectMeter(port, () => failed)), { clientSap: 1, serverSap: 1 }, 60_000), { mechanism: 'hls-gmac', profile: 'hardened', keys: demoKeys, counters });
      await c.associate();
      await c.set(8, '0.0.1.0.0.255', 2, { type: 'octet-string', value: encodeDateTime(new Date(SET_AT * 1000)) });
      await c.get(3, '1.0.1.8.0.255', 2); // a frame after the SET: the register reply that follows it carries the new time
      clockAfterSet = decodeDateTime(((await c.get(8, '0.0.1.0.0.255', 2)) as { value: Uint8Array }).value)!.getTime() / 1000;
      await c.release();
    } finally {
      stop.abort();
    }
    const report = await run;
    chip = nvcountCs(node!).count;
    lastIcBoot1 = serverIc();
    // The register is the core's, read through CS security: non-zero, never more than was fed, never decreasing.
    expect(reads[0]).toBeGreaterThan(0);
    expect(reads[2]).toBeGreaterThanOrEqual(reads[1]!);
    expect(reads[1]).toBeGreaterThanOrEqual(reads[0]!);
    expect(reads[2]).toBeLessThanOrEqual(report.energy_wh_fed);
    // Seed §4.5: the security log has CS security's two configuration parts and the two refusals (EV_DLMS, result
    // 16 + kind: a replayed counter, a failed authentication).
    expect(report.logs.security).toBe(4);
    expect(clockAfterSet).toBeGreaterThanOrEqual(SET_AT);
    expect(clockAfterSet).toBeLessThan(SET_AT + 600);
    expect(refusals).toHaveLength(2);
    expect(String(refusals[0])).toMatch(/invocation counter/);
    expect(String(refusals[1])).toMatch(/would not decipher our AARQ/);
  }, 180_000);

  // Issue 19 item 1: the server's invocation counter is never reused across resets. A reset of the meter is a new
  // boot of its board (RAM and modules gone, deployed and keyed afresh, the central system's floor 0 again) whose
  // monotonic counter chip is the previous boot's: CS security starts above every block it ever reserved.
  it('after a reset the server continues above every invocation counter it used before', async () => {
    expect(chip).toBeGreaterThan(0); // the first boot reserved at least one block before enciphering
    expect(lastIcBoot1).toBeGreaterThan(0);
    const stop = new AbortController();
    let node: FirmwareNode | undefined;
    const port = await freePort();
    const run = runMeter({ descriptor, seconds: 3600, speed: 'max', uarts: [{ name: 'wan', port }], load, stop: stop.signal, prepare: (n) => ((node = n), (nvcountCs(n).count = chip)) });
    let failed: unknown;
    run.catch((e) => (failed = e));
    try {
      const c = new DlmsClient(new WrapperChannel(socketStream(await connectMeter(port, () => failed)), { clientSap: 1, serverSap: 1 }, 60_000), { mechanism: 'hls-gmac', profile: 'hardened', keys: demoKeys, counters });
      await c.associate();
      expect((await c.get(3, '1.0.1.8.0.255', 2)).type).toBe('double-long-unsigned');
      await c.release();
    } finally {
      stop.abort();
    }
    await run;
    // The head-end saw only counters above the first boot's: the block the first boot reserved is skipped whole.
    expect(serverIc()).toBeGreaterThan(lastIcBoot1);
    expect(serverIc()).toBeGreaterThanOrEqual(chip * 1024);
    expect(nvcountCs(node!).count).toBeGreaterThan(chip);
  }, 180_000);
});
