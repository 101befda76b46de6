// Issue 19 item 2 in the deployed meter (firmware/meter-dlms.json): the COSEM objects are backed by the real modules.
// The registers per tariff are the core's (its register reply to CS security), the load profile is the metrology
// log and the security event log the security log (each entry copied by the logs module to CS security over its
// sealed connection logs.copy → cs.logs). host/dlms's client talks to the meter over TCP as in dlms-tcp.test.ts;
// what the head-end reads is compared with what the run reports from the central system's side (readings uplinked,
// the logs' own sequence numbers). Disconnect control's state and methods are tested on the server
// (dlms-profile.test.ts, dlms-objects.test.ts); in the deployed meter `make demo` (test/demo/dlms.sh) opens the relay
// through it (off-switch security seals its state in the board's NVM, 0x3600 on boards/emulated-dlms.json).
import { describe, expect, it } from 'vitest';
import type { CosemData } from '../../host/dlms/axdr.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { decodeDateTime, encodeDateTime } from '../../host/dlms/datetime.ts';
import { DlmsRejectedError } from '../../host/dlms/errors.ts';
import { parseObis } from '../../host/dlms/obis.ts';
import { OBIS } from '../../host/dlms/server/model.ts';
import { socketStream } from '../../host/dlms/stream.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import type { FirmwareNode } from '../../host/deploy/firmware-node.ts';
import { runMeter } from '../../host/meter/run.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { demoKeys } from './dlms-meter.ts';
import { connectMeter } from './meter-port.ts';
import { freePort } from '../free-port.ts';

const debug = process.env.DLMS_DEBUG ? (l: string) => console.log(l) : undefined;
const descriptor = new URL('../../firmware/meter-dlms.json', import.meta.url).pathname;
const HALF_HOUR = 1800;
/** The run's end at the latest: one half-hourly reading (the clock starts at 0) closes, the second never does. The
 *  test stops it after its reads. */
const SECONDS = 3500;
/** Meter seconds per wall second until the first half hour closes (at 'max' an idle meter outran the client's polls
 *  and ended first), then READ_SPEED while the client reads: (SECONDS - 1860) / READ_SPEED = 164 s of wall time for
 *  the reads before the run ends. At 100 throughout that was 16 s, and a loaded machine ran out of
 *  it once ("run ended"); host/meter/run.ts re-reads the speed every simulated second. */
const SPEED = 100;
const READ_SPEED = 10;
/** A load that changes every 5 minutes (1.2–6 kW), so the half hours differ. */
const load: LoadProfile = { intervalSeconds: 300, mwh: Array.from({ length: 16 }, (_, i) => BigInt(100_000 + ((i * 7919) % 400_000))) };


const rowsOf = (d: CosemData): CosemData[][] => {
  if (d.type !== 'array') throw new Error(`buffer is ${d.type}`);
  return d.value.map((r) => (r.type === 'structure' ? r.value : []));
};
const timeOf = (c: CosemData | undefined) => decodeDateTime((c as { value: Uint8Array }).value)!.getTime() / 1000;
const num = (c: CosemData | undefined) => Number((c as { value: number | bigint }).value);
const clockDef: CosemData = {
  type: 'structure',
  value: [{ type: 'long-unsigned', value: 8 }, { type: 'octet-string', value: parseObis(OBIS.clock) }, { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }],
};
const at = (t: number): CosemData => ({ type: 'octet-string', value: encodeDateTime(new Date(t * 1000)) });
const dar = (e: unknown) => (e instanceof DlmsRejectedError ? (e.details as { dar?: number }).dar : e);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the COSEM objects of the deployed meter are backed by its modules (issue 19 item 2)', () => {
  it('registers per tariff, the load profile with selective access by range, the security event log and its rights', async () => {
    const stop = new AbortController();
    let node: FirmwareNode | undefined;
    const port = await freePort();
    const options = { descriptor, seconds: SECONDS, speed: SPEED as number, uarts: [{ name: 'wan' as const, port }], load, stop: stop.signal, progress: debug, prepare: (n: FirmwareNode) => (node = n) };
    const run = runMeter(options);
    let failed: unknown;
    run.catch((e) => (failed = e));
    const counters = new MemoryCounterStore();
    const open = async (sap: 1 | 17) => {
      const c = new DlmsClient(new WrapperChannel(socketStream(await connectMeter(port, () => failed)), { clientSap: sap, serverSap: 1 }, 60_000), {
        mechanism: sap === 1 ? 'hls-gmac' : 'lls',
        profile: 'hardened',
        keys: demoKeys,
        counters,
      });
      await c.associate();
      return c;
    };
    let profile: CosemData[][] = [];
    let ranged: CosemData[][] = [];
    let outside: CosemData[][] = [];
    let registers: number[] = [];
    let security: CosemData[][] = [];
    const states: unknown[][] = [];
    let readerRefused: unknown;
    try {
      const reader = await open(17);
      // Wait (meter time) until the last half hour of the run is closed: the load profile then holds every reading.
      const last = HALF_HOUR;
      for (;;) {
        const t = timeOf((await reader.get(8, OBIS.clock, 2)) as CosemData);
        debug?.(`meter time ${t}`);
        if (t >= last + 60) break;
        await sleep(t < last - 300 ? 500 : 50);
      }
      options.speed = READ_SPEED;
      profile = rowsOf(await reader.get(7, OBIS.loadProfile, 2));
      const t0 = timeOf(profile[0]![0]);
      const range = (from: number, to: number): CosemData => ({ type: 'structure', value: [clockDef, at(from), at(to), { type: 'array', value: [] }] });
      ranged = rowsOf(await reader.get(7, OBIS.loadProfile, 2, { selector: 1, params: range(t0 - 60, t0 + 60) }));
      outside = rowsOf(await reader.get(7, OBIS.loadProfile, 2, { selector: 1, params: range(t0 + 1, t0 + 600) }));
      registers = [];
      // (each GET answers the core's registers as of the previous request: the total read again after the tariffs)
      for (const ln of [OBIS.energyImport, '1.0.1.8.1.255', '1.0.1.8.2.255', '1.0.1.8.3.255', '1.0.1.8.4.255', OBIS.energyImport]) registers.push(num(await reader.get(3, ln, 2)));
      readerRefused = await reader.get(7, OBIS.eventLog, 2).then(() => 0, dar);
      await reader.release();

      const manager = await open(1);
      states.push([((await manager.get(70, OBIS.disconnect, 2)) as { value: unknown }).value, num(await manager.get(70, OBIS.disconnect, 3)), num(await manager.get(70, OBIS.disconnect, 4))]);
      security = rowsOf(await manager.get(7, OBIS.eventLog, 2));
      await manager.release();
    } catch (e) {
      stop.abort();
      const r = await run.catch((x: Error) => x);
      const violations = node?.sancus.violations;
      throw new Error(`${(e as Error).message}; the run: ${r instanceof Error ? r.message : 'ended'}; Sancus violations: ${JSON.stringify(violations)}`);
    }
    stop.abort(); // before SECONDS: no half hour closes after the reads above
    const report = await run;

    // The load profile is the metrology log: as many rows as readings the core sent up, the same energy in total.
    expect(profile).toHaveLength(1);
    expect(report.readings).toBe(1);
    expect(report.logs.metrology).toBe(1);
    expect(num(profile[0]![1])).toBe(report.energy_wh_registered);
    expect(num(profile[0]![1])).toBeGreaterThan(0);
    expect(Math.abs(timeOf(profile[0]![0]) - HALF_HOUR)).toBeLessThanOrEqual(2);
    expect(ranged).toEqual(profile); // selective access by range: exactly the row inside, none outside
    expect(outside).toEqual([]);
    // The registers are the core's: the sum of the tariff registers lies between the total before and after them
    // (the core adds each Wh to the total and to one tariff), never above the energy fed, at least the closed half hour.
    const tariffs = registers.slice(1, 5).reduce((s, x) => s + x, 0);
    expect(tariffs).toBeGreaterThanOrEqual(registers[0]!);
    expect(tariffs).toBeLessThanOrEqual(registers[5]!);
    expect(registers[5]! - registers[0]!).toBeLessThan(50); // a few requests apart
    expect(registers[0]).toBeGreaterThanOrEqual(report.energy_wh_registered);
    expect(registers[5]).toBeLessThanOrEqual(report.energy_wh_fed);
    // Disconnect control before any off-switch event: connected, mode 4 (off-switch security's behaviour).
    expect(states).toEqual([[true, 1, 4]]);
    // The security event log: CS security's configuration of the DLMS server (EV_DLMS, parts 0 and 1: result OK,
    // aux the part), for the manager only.
    expect(readerRefused).toBe(3);
    const dlmsConfig = security.filter((r) => num(r[1]) >> 8 === 8).map((r) => [num(r[1]) & 0xff, num(r[2])]);
    expect(dlmsConfig).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(security.length).toBeLessThanOrEqual(report.logs.security ?? 0);
  }, 900_000); // generous: a deployed meter over 80 meter minutes, a minute or more of CPU on a loaded machine
});
