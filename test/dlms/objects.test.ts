import { describe, expect, it } from 'vitest';
import type { CosemData } from '../../host/dlms/axdr.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { decodeDateTime, encodeDateTime } from '../../host/dlms/datetime.ts';
import { DlmsRejectedError } from '../../host/dlms/errors.ts';
import { parseObis } from '../../host/dlms/obis.ts';
import { channelTo, clientOptions, makeServer } from './helpers.ts';

// The interface classes of the reference server, read and driven through a real association.

async function manager(framing: 'loopback' | 'hdlc' = 'loopback') {
  const { server } = makeServer('hardened');
  const c = new DlmsClient(await channelTo(server, framing, { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
  await c.associate();
  return { server, c };
}

const rowsOf = (d: CosemData) => (d.type === 'array' ? d.value.map((r) => (r.type === 'structure' ? r.value : [])) : []);
const clockCol: CosemData = { type: 'structure', value: [{ type: 'long-unsigned', value: 8 }, { type: 'octet-string', value: parseObis('0.0.1.0.0.255') }, { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }] };
const at = (iso: string): CosemData => ({ type: 'octet-string', value: encodeDateTime(new Date(iso)) });

describe('Profile generic (class 7) with selective access', () => {
  it('whole buffer, capture objects and entries in use', async () => {
    const { c } = await manager('hdlc');
    const all = rowsOf(await c.get(7, '1.0.99.1.0.255', 2)); // large: block transfer and HDLC segmentation
    expect(all).toHaveLength(96);
    expect(await c.get(7, '1.0.99.1.0.255', 7)).toEqual({ type: 'double-long-unsigned', value: 96 });
    const caps = await c.get(7, '1.0.99.1.0.255', 3);
    expect(caps.type === 'array' && caps.value.length).toBe(2);
  });

  it('range_descriptor on the clock column: one hour gives five rows, selected_values picks a column', async () => {
    const { c } = await manager();
    const range = await c.get(7, '1.0.99.1.0.255', 2, { selector: 1, params: { type: 'structure', value: [clockCol, at('2026-01-01T01:00:00Z'), at('2026-01-01T02:00:00Z'), { type: 'array', value: [] }] } });
    const rows = rowsOf(range);
    expect(rows).toHaveLength(5);
    expect(decodeDateTime((rows[0]![0] as { value: Uint8Array }).value)!.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    const energyOnly = await c.get(7, '1.0.99.1.0.255', 2, {
      selector: 1,
      params: { type: 'structure', value: [clockCol, at('2026-01-01T01:00:00Z'), at('2026-01-01T01:15:00Z'), { type: 'array', value: [{ type: 'structure', value: [{ type: 'long-unsigned', value: 3 }, { type: 'octet-string', value: parseObis('1.0.1.8.0.255') }, { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }] }] }] },
    });
    expect(rowsOf(energyOnly).map((r) => r.length)).toEqual([1, 1]);
    const v = rowsOf(energyOnly).map((r) => (r[0] as { value: number }).value);
    expect(v[1]! - v[0]!).toBe(50 + ((5 * 37) % 100));
  });

  it('entry_descriptor: entries 10..12, second column only', async () => {
    const { c } = await manager();
    const e = await c.get(7, '1.0.99.1.0.255', 2, { selector: 2, params: { type: 'structure', value: [{ type: 'double-long-unsigned', value: 10 }, { type: 'double-long-unsigned', value: 12 }, { type: 'long-unsigned', value: 2 }, { type: 'long-unsigned', value: 0 }] } });
    expect(rowsOf(e).map((r) => r.length)).toEqual([1, 1, 1]);
    await expect(c.get(7, '1.0.99.1.0.255', 2, { selector: 9, params: { type: 'null' } })).rejects.toBeInstanceOf(DlmsRejectedError);
  });

  it('the security event log shows refused counters', async () => {
    const { server, c } = await manager();
    server.state.record({ kind: 'counter-replay', client: 'x', detail: 'test', received: 1, last: 2 });
    const log = rowsOf(await c.get(7, '0.0.99.98.0.255', 2));
    expect(log.at(-1)![1]).toEqual({ type: 'long-unsigned', value: 230 });
  });
});

describe('Disconnect control (class 70) and Limiter (class 71)', () => {
  it('remote disconnect and reconnect follow the control mode', async () => {
    const { c } = await manager();
    expect(await c.get(70, '0.0.96.3.10.255', 3)).toEqual({ type: 'enum', value: 1 });
    await c.action(70, '0.0.96.3.10.255', 1, { type: 'integer', value: 0 });
    expect(await c.get(70, '0.0.96.3.10.255', 2)).toEqual({ type: 'boolean', value: false });
    await c.action(70, '0.0.96.3.10.255', 2, { type: 'integer', value: 0 });
    expect(await c.get(70, '0.0.96.3.10.255', 3)).toEqual({ type: 'enum', value: 2 }); // mode 4: ready_for_reconnection
    await c.set(70, '0.0.96.3.10.255', 4, { type: 'enum', value: 0 });
    await expect(c.action(70, '0.0.96.3.10.255', 1, { type: 'integer', value: 0 })).rejects.toThrow(/read-write-denied/);
  });

  it('limiter thresholds are configurable and type-checked', async () => {
    const { c } = await manager();
    await c.set(71, '0.0.17.0.0.255', 4, { type: 'double-long-unsigned', value: 5750 });
    expect(await c.get(71, '0.0.17.0.0.255', 3)).toEqual({ type: 'double-long-unsigned', value: 5750 });
    await expect(c.set(71, '0.0.17.0.0.255', 4, { type: 'long', value: 1 })).rejects.toThrow(/type-unmatched/);
  });

  it('clock can be set and keeps running from the new time', async () => {
    const { c } = await manager();
    await c.set(8, '0.0.1.0.0.255', 2, at('2030-06-01T12:00:00Z'));
    const t = await c.get(8, '0.0.1.0.0.255', 2);
    const d = decodeDateTime((t as { value: Uint8Array }).value)!;
    expect(Math.abs(d.getTime() - Date.UTC(2030, 5, 1, 12))).toBeLessThan(5000);
  });
});
