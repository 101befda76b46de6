// The meter's profile generic objects (issue 19 item 2; firmware/lib/dlms/profile.ts), the per-tariff registers,
// security setup and disconnect control's state, through host/dlms's client against the server alone: the test
// plays the hosting module and hands in what the logs module and the core send over their connections
// (dlms_log_entry: the logs module's copy of each entry and its answers to the server's queries for rows — EmulatedMeter plays the logs module; dlms_set_registers: the core's register reply).
// Selective access must return exactly the rows asked for, long answers come in blocks, rights are enforced.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CosemData } from '../../host/dlms/axdr.ts';
import { decodeDateTime, encodeDateTime } from '../../host/dlms/datetime.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { DlmsRejectedError } from '../../host/dlms/errors.ts';
import { parseObis } from '../../host/dlms/obis.ts';
import { OBIS } from '../../host/dlms/server/model.ts';
import { patientClient } from './dlms-client.ts';
import { demoKeys, EmulatedMeter, type LogEntry } from './dlms-meter.ts';

// Every request runs on the emulated MSP430: minutes on a loaded machine (no verdict depends on time).
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const T0 = Date.UTC(2026, 10, 30, 22, 0, 0) / 1000;
const HALF_HOURS = 60; // more than the 48 the load profile holds: the oldest 12 are gone, as in the logs module
const LOAD = Array.from({ length: HALF_HOURS }, (_, i) => ({ time: T0 + 1800 * (i + 1), wh: 100 + ((i * 37) % 250), tariff: 1 + (i % 3) }));
const SECURITY = [
  { time: T0 + 10, kind: 9, result: 1, aux: 3, value: 44 }, // EV_REFUSED: connection 3, 44 bytes
  { time: T0 + 20, kind: 8, result: 16, aux: 0, value: 1 }, // a DLMS replayed counter
  { time: T0 + 30, kind: 1, result: 0, aux: 1, value: 0xfffff000 },
];

let meter: EmulatedMeter;
const feed = (log: number, e: LogEntry) => meter.append(log, e);
const counters = new MemoryCounterStore(); // one head-end: its counters rise across the associations
const manager = async () => {
  const c = patientClient(meter, 1, { mechanism: 'hls-gmac', profile: 'hardened', counters });
  await c.associate();
  return c;
};

beforeAll(async () => {
  meter = await EmulatedMeter.start('hardened');
  for (const r of LOAD) feed(0, { time: r.time, kind: 32, result: 0, aux: r.tariff, value: r.wh });
  for (const e of SECURITY) feed(1, e);
}, 900_000);

type Row = CosemData[];
const rowsOf = (d: CosemData): Row[] => {
  if (d.type !== 'array') throw new Error(`buffer is ${d.type}`);
  return d.value.map((r) => (r.type === 'structure' ? r.value : []));
};
const timeOf = (c: CosemData | undefined) => decodeDateTime((c as { value: Uint8Array }).value)!.getTime() / 1000;
const num = (c: CosemData | undefined) => Number((c as { value: number }).value);
const def = (classId: number, ln: string): CosemData => ({
  type: 'structure',
  value: [{ type: 'long-unsigned', value: classId }, { type: 'octet-string', value: parseObis(ln) }, { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }],
});
const at = (t: number): CosemData => ({ type: 'octet-string', value: encodeDateTime(new Date(t * 1000)) });
const range = (from: number, to: number, restricting = def(8, OBIS.clock), selected: CosemData[] = []) => ({
  selector: 1,
  params: { type: 'structure', value: [restricting, at(from), at(to), { type: 'array', value: selected }] } as CosemData,
});
const entries = (fe: number, te: number, fv: number, tv: number) => ({
  selector: 2,
  params: {
    type: 'structure',
    value: [{ type: 'double-long-unsigned', value: fe }, { type: 'double-long-unsigned', value: te }, { type: 'long-unsigned', value: fv }, { type: 'long-unsigned', value: tv }],
  } as CosemData,
});
const dar = (e: unknown) => (e instanceof DlmsRejectedError ? (e.details as { dar?: number }).dar : e);
const held = LOAD.slice(-48);
const asRows = (rs: typeof LOAD) => rs.map((r) => [r.time, r.wh, r.tariff]);
const plain = (rows: Row[]) => rows.map((r) => [timeOf(r[0]), num(r[1]), num(r[2])]);

describe('the load profile 1.0.99.1.0.255 (class 7): the metrology log as the logs module copied it', () => {
  it('the whole buffer (GET with blocks) is the newest 48 half hours; capture objects, period, entries', async () => {
    const c = await manager();
    const mark = meter.frames.length;
    const asked = meter.fetches;
    const rows = rowsOf(await c.get(7, OBIS.loadProfile, 2));
    expect(meter.frames.length - mark).toBeGreaterThan(3); // block transfer: ≈ 1.3 KB in PDUs of 224 bytes
    // no copy of the log in the server: it asked the logs module for the rows, 8 at a time — one query per block,
    // each block from the row it starts in (48 rows of 24 bytes in blocks of ≤ 191: 7 blocks)
    expect(meter.frames.length - mark).toBe(7);
    expect(meter.fetches - asked).toBe(7);
    expect(plain(rows)).toEqual(asRows(held));
    expect(rows[0]![1]).toEqual({ type: 'double-long-unsigned', value: held[0]!.wh });
    expect(await c.get(7, OBIS.loadProfile, 3)).toEqual({ type: 'array', value: [def(8, OBIS.clock), def(3, '1.0.1.29.0.255'), def(1, '0.0.96.14.0.255')] });
    expect(await c.get(7, OBIS.loadProfile, 4)).toEqual({ type: 'double-long-unsigned', value: 1800 });
    expect(await c.get(7, OBIS.loadProfile, 7)).toEqual({ type: 'double-long-unsigned', value: 48 });
    expect(await c.get(7, OBIS.loadProfile, 8)).toEqual({ type: 'double-long-unsigned', value: 48 });
    expect(await c.get(7, OBIS.loadProfile, 5)).toEqual({ type: 'enum', value: 1 });
    await c.release();
  });

  it('range_descriptor on the clock column returns exactly the rows inside [from, to]', async () => {
    const c = await manager();
    const get = async (from: number, to: number) => plain(rowsOf(await c.get(7, OBIS.loadProfile, 2, range(from, to))));
    expect(await get(held[10]!.time, held[13]!.time)).toEqual(asRows(held.slice(10, 14)));
    expect(await get(held[10]!.time + 1, held[13]!.time - 1)).toEqual(asRows(held.slice(11, 13)));
    expect(await get(0, held[0]!.time)).toEqual(asRows(held.slice(0, 1)));
    expect(await get(held[47]!.time, held[47]!.time + 86400 * 400)).toEqual(asRows(held.slice(47)));
    expect(await get(held[5]!.time + 1, held[6]!.time - 1)).toEqual([]);
    expect(await get(LOAD[0]!.time, held[0]!.time - 1)).toEqual([]); // the overwritten rows are not there
    // a long range comes in blocks, the same rows
    const mark = meter.frames.length;
    expect(await get(held[2]!.time, held[40]!.time)).toEqual(asRows(held.slice(2, 41)));
    expect(meter.frames.length - mark).toBeGreaterThan(2);
    // the restricting object must be the clock column; a column selection in a range is not offered
    expect(await c.get(7, OBIS.loadProfile, 2, range(T0, T0 + 9999, def(3, '1.0.1.29.0.255'))).then(() => 0, dar)).toBe(13);
    expect(await c.get(7, OBIS.loadProfile, 2, range(T0, T0 + 9999, def(8, OBIS.clock), [def(8, OBIS.clock)])).then(() => 0, dar)).toBe(250);
    expect(await c.get(7, OBIS.loadProfile, 2, { selector: 1, params: { type: 'null' } }).then(() => 0, dar)).toBe(12);
    expect(await c.get(7, OBIS.loadProfile, 2, { selector: 3, params: { type: 'structure', value: [] } }).then(() => 0, dar)).toBe(13);
    await c.release();
  });

  it('entry_descriptor: entries (1 = oldest, 0 = the last) and columns', async () => {
    const c = await manager();
    const rows = rowsOf(await c.get(7, OBIS.loadProfile, 2, entries(2, 4, 2, 3)));
    expect(rows.map((r) => r.map(num))).toEqual(held.slice(1, 4).map((r) => [r.wh, r.tariff]));
    expect(plain(rowsOf(await c.get(7, OBIS.loadProfile, 2, entries(46, 0, 1, 0))))).toEqual(asRows(held.slice(45)));
    expect(rowsOf(await c.get(7, OBIS.loadProfile, 2, entries(49, 0, 1, 0)))).toEqual([]);
    expect(await c.get(7, OBIS.loadProfile, 2, entries(50, 0, 1, 0)).then(() => 0, dar)).toBe(13);
    expect(await c.get(7, OBIS.loadProfile, 2, entries(1, 2, 4, 0)).then(() => 0, dar)).toBe(13);
    // 20 narrow rows fit one PDU but not the 8 rows the server holds at a time: blocks cut where the rows held end
    const mark = meter.frames.length;
    expect((await c.get(7, OBIS.loadProfile, 2, entries(5, 24, 3, 3)).then(rowsOf)).map((r) => r.map(num))).toEqual(held.slice(4, 24).map((r) => [r.tariff]));
    expect(meter.frames.length - mark).toBe(3);
    await c.release();
  });

});

describe('event logs, rights, registers, security setup, disconnect control', () => {
  it('the security event log: for the manager only; rows are the logs module entries', async () => {
    const c = await manager();
    const rows = rowsOf(await c.get(7, OBIS.eventLog, 2));
    expect(rows.map((r) => [timeOf(r[0]), num(r[1]), num(r[2]), num(r[3])])).toEqual(SECURITY.map((e) => [e.time, e.kind * 256 + e.result, e.aux, e.value]));
    await c.release();
    const reader = patientClient(meter, 17, { mechanism: 'lls', profile: 'hardened' });
    await reader.associate();
    expect(await reader.get(7, OBIS.eventLog, 2).then(() => 0, dar)).toBe(3);
    expect(plain(rowsOf(await reader.get(7, OBIS.loadProfile, 2, range(held[0]!.time, held[1]!.time))))).toEqual(asRows(held.slice(0, 2)));
    await reader.release();
  });

  it('registers per tariff from the core reply; security setup shows policy, suite and the titles', async () => {
    const regs = new Uint8Array(20);
    const v = new DataView(regs.buffer);
    [9000, 1000, 3000, 5000, 0].forEach((x, i) => v.setUint32(4 * i, x, true));
    const p = meter.m.call('cfg');
    meter.m.write(p, regs);
    meter.m.call('dlms_set_registers', p);
    const c = patientClient(meter, 16, { mechanism: 'none', profile: 'hardened' });
    await c.associate();
    const got = [];
    for (const ln of [OBIS.energyImport, '1.0.1.8.1.255', '1.0.1.8.2.255', '1.0.1.8.3.255', '1.0.1.8.4.255']) got.push(num(await c.get(3, ln, 2)));
    expect(got).toEqual([9000, 1000, 3000, 5000, 0]);
    expect(await c.get(3, '1.0.1.8.2.255', 3)).toEqual({ type: 'structure', value: [{ type: 'integer', value: 0 }, { type: 'enum', value: 30 }] });
    expect(await c.get(64, OBIS.securitySetup, 2)).toEqual({ type: 'enum', value: 3 });
    expect(await c.get(64, OBIS.securitySetup, 3)).toEqual({ type: 'enum', value: 0 });
    expect(await c.get(64, OBIS.securitySetup, 4)).toEqual({ type: 'octet-string', value: demoKeys.clientSystemTitle });
    expect(await c.get(64, OBIS.securitySetup, 5)).toEqual({ type: 'octet-string', value: demoKeys.serverSystemTitle });
    await c.release();
  });

  it("disconnect control shows the off-switch log's supply state; its methods only request", async () => {
    const c = await manager();
    // (control_mode: 4 in the deployed meter, test/firmware/dlms-backed.test.ts; this harness sets it)
    const state = async () => [((await c.get(70, OBIS.disconnect, 2)) as { value: unknown }).value, num(await c.get(70, OBIS.disconnect, 3))];
    expect(await state()).toEqual([true, 1]);
    await c.action(70, OBIS.disconnect, 1, { type: 'integer', value: 0 });
    expect(meter.m.call('dlms_take_disconnect')).toBe(1);
    expect(await state()).toEqual([true, 1]); // asked, not done: off-switch security decides
    // off-switch security disconnected (holds: remote), then armed a reconnection, then the button closed the relay
    feed(2, { time: T0 + 100, kind: 16, result: 0, aux: 1 << 8, value: 0 });
    expect(await state()).toEqual([false, 0]);
    feed(2, { time: T0 + 200, kind: 17, result: 0, aux: 1, value: 0 });
    expect(await state()).toEqual([false, 2]);
    feed(2, { time: T0 + 300, kind: 22, result: 0, aux: (4 << 8) | 1, value: 0 }); // tamper lock
    expect(await state()).toEqual([false, 0]);
    feed(2, { time: T0 + 400, kind: 21, result: 0, aux: 0, value: 1 });
    expect(await state()).toEqual([true, 1]);
    const log = rowsOf(await c.get(7, '0.0.99.98.2.255', 2, entries(1, 0, 1, 2)));
    expect(log.map((r) => [timeOf(r[0]), num(r[1])])).toEqual([[T0 + 100, 16 * 256], [T0 + 200, 17 * 256], [T0 + 300, 22 * 256], [T0 + 400, 21 * 256]]);
    await c.release();
  });
});

describe('rows asked of the logs module (the server keeps no copy of the logs)', () => {
  it('a request while a GET waits for rows replaces it; rows that come late answer nothing', async () => {
    const c = patientClient(meter, 17, { mechanism: 'lls', profile: 'hardened' });
    await c.associate();
    // a GET of the load profile (plain, from the reader's SAP 17) whose query the logs module never answers (a
    // runtime withholding the events): no answer goes out
    const hold = meter.m.call.bind(meter.m);
    let withheld = 0;
    let query = new Uint8Array(8);
    meter.m.call = (name: string, ...args: number[]) => {
      const r = hold(name, ...args);
      if (name !== 'dlms_fetch' || r === 0) return r;
      withheld++;
      query = meter.m.read(r, 8).slice();
      return 0;
    };
    const get = [0xc0, 0x01, 0xc1, 0x00, 0x07, 1, 0, 99, 1, 0, 255, 0x02, 0x00];
    try {
      expect(meter.feed(Uint8Array.from([0, 1, 0, 17, 0, 1, 0, get.length, ...get]))).toEqual([]);
    } finally {
      meter.m.call = hold;
    }
    expect(withheld).toBe(1);
    expect([query[0], query[1], new DataView(query.buffer).getUint32(4, true)]).toEqual([0, 8, meter.logs[0]!.length - 47]); // the oldest held
    // the next request is answered at once; the withheld query's answers, coming late (here with other rows than
    // the log holds), answer nothing and are not taken for the answers to a later query
    expect(num(await c.get(3, OBIS.energyImport, 2))).toBeGreaterThan(0);
    const late: Uint8Array[] = [];
    for (const first of [0, 4]) {
      const a = new Uint8Array(8 + 48).fill(0x5a);
      a.set([0, 0x84, query[2]!, 0], 0);
      new DataView(a.buffer).setUint32(4, new DataView(query.buffer).getUint32(4, true) + first, true);
      late.push(a);
    }
    const deliver = (a: Uint8Array) => {
      const at = meter.m.call('cfg');
      meter.m.write(at, a);
      return meter.m.call('dlms_log_entry', at, a.length);
    };
    expect(late.map(deliver)).toEqual([0, 0]);
    const feedLate = meter.feed.bind(meter);
    meter.feed = (b: Uint8Array) => {
      // a GET's query is out: the stale answers arrive first (the runtime held them back), then the real ones
      const m0 = meter.m.call;
      meter.m.call = (name: string, ...args: number[]) => {
        if (name === 'dlms_fetch') {
          const r = hold(name, ...args);
          if (r !== 0) for (const a of late) expect(deliver(a)).toBe(0);
          return r;
        }
        return hold(name, ...args);
      };
      try {
        return feedLate(b);
      } finally {
        meter.m.call = m0;
      }
    };
    try {
      expect(plain(rowsOf(await c.get(7, OBIS.loadProfile, 2, entries(1, 2, 1, 0))))).toEqual(asRows(held.slice(0, 2)));
    } finally {
      meter.feed = feedLate;
    }
    await c.release();
  });

  it('the rows are fixed when the GET arrives: entries appended during a block transfer change no block', async () => {
    const c = await manager();
    const before = held.slice();
    // the logs module appends (and overwrites its oldest) while the blocks go out: the answer is the rows of the GET's
    // moment (the oldest went out in the first block, before it was overwritten)
    let n = 0;
    const orig = meter.feed.bind(meter);
    meter.feed = (b: Uint8Array) => {
      if (n++ === 2) meter.append(0, { time: LOAD.at(-1)!.time + 1800, kind: 32, result: 0, aux: 1, value: 7 });
      return orig(b);
    };
    try {
      const rows = plain(rowsOf(await c.get(7, OBIS.loadProfile, 2)));
      expect(rows).toEqual(asRows(before));
    } finally {
      meter.feed = orig;
    }
    expect(num(await c.get(7, OBIS.loadProfile, 7))).toBe(48);
    const now = plain(rowsOf(await c.get(7, OBIS.loadProfile, 2, entries(48, 0, 1, 0))));
    expect(now).toEqual([[LOAD.at(-1)!.time + 1800, 7, 1]]);
    await c.release();
  });
});

describe('after CS security restarts, the logs module keeping its logs', () => {
  it('the profiles show the rows the logs hold and disconnect control the supply state, before any new entry', async () => {
    // while CS security was down the logs module appended (it does not resend them): a half hour closed, off-switch
    // security disconnected
    const last = meter.logs[0]!.at(-1)!.time;
    meter.logs[0]!.push({ time: last + 1800, kind: 32, result: 0, aux: 2, value: 321 });
    meter.logs[2]!.push({ time: last + 1900, kind: 16, result: 0, aux: 1 << 8, value: 0 });
    // a fresh server (reset, re-deployed, power cycled: its memory as after a start), the same logs module
    const before = meter;
    const restarted = await EmulatedMeter.start('hardened', { persisted: before.persisted, logs: before.logs });
    meter = restarted;
    try {
      const c = await manager();
      expect(restarted.seqQueries).toBe(1); // the first frame waited for the logs' sequence numbers, asked once
      const log = restarted.logs[0]!.slice(-48);
      const rows = plain(rowsOf(await c.get(7, OBIS.loadProfile, 2)));
      expect(rows).toEqual(log.map((e) => [e.time, e.value, e.aux]));
      expect(await c.get(7, OBIS.loadProfile, 7)).toEqual({ type: 'double-long-unsigned', value: 48 });
      const events = rowsOf(await c.get(7, OBIS.eventLog, 2));
      expect(events.map((r) => [timeOf(r[0]), num(r[1])])).toEqual(restarted.logs[1]!.map((e) => [e.time, e.kind * 256 + e.result]));
      // disconnect control: the off-switch log's newest entry (disconnected, held by a remote disconnect)
      expect([((await c.get(70, OBIS.disconnect, 2)) as { value: unknown }).value, num(await c.get(70, OBIS.disconnect, 3))]).toEqual([false, 0]);
      expect(restarted.seqQueries).toBe(1);
      await c.release();
    } finally {
      meter = before;
    }
  });
});
