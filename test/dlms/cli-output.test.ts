import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlmsCommand } from '../../host/cli/commands/dlms.ts';
import { UsageError } from '../../toolchain/common/errors.ts';
import { listen } from '../../host/dlms/listen.ts';
import { parseObis } from '../../host/dlms/obis.ts';
import type { RegisterObject } from '../../host/dlms/server/register.ts';
import { scaledValue, unitName } from '../../host/dlms/units.ts';
import { watch } from '../../host/dlms/watch.ts';
import { makeServer } from './helpers.ts';

// Issue 16 item 5: what `hasm dlms get|scan` print for an integrator, in process (no CLI start-up per case).

const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-out-'));
const { server } = makeServer('standard');
let tcp: Server;
let url = '';

beforeAll(async () => {
  tcp = await listen(server, { port: 0 });
  const a = tcp.address();
  url = `tcp://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => tcp.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function hasm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await dlmsCommand.run([...args, '--state', join(dir, 'client.json')], { out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('integrator output (issue 16)', () => {
  it('get of a register: a table with the scaled value and the unit name; --json keeps the CLI.md shape', async () => {
    const t = await hasm('get', url, '1.0.1.8.0.255');
    expect(t.out).toMatch(/^OBIS\s+attr\s+class\s+value\s+unit\s+raw\n/);
    expect(t.out).toMatch(/1\.0\.1\.8\.0\.255\s+2\s+Register\s+123456\s+Wh\s+123456 × 10\^0/);
    const j = await hasm('get', url, '1.0.1.8.0.255', '--json');
    expect(JSON.parse(j.out)).toEqual({ obis: '1.0.1.8.0.255', attr: 2, value: 123456, scaler: 0, unit: 30 });
  });

  it('get of the clock: the date decoded', async () => {
    const t = await hasm('get', url, '0.0.1.0.0.255', '--auth', 'lls');
    expect(t.out).toMatch(/0\.0\.1\.0\.0\.255\s+2\s+Clock\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
  });

  it('get --csv of the load profile: one column per capture object, dates decoded, unit in the header', async () => {
    const t = await hasm('get', url, '1.0.99.1.0.255', '--auth', 'lls', '--csv');
    const lines = t.out.trim().split('\n');
    expect(lines[0]).toBe('0.0.1.0.0.255:2,1.0.1.8.0.255:2 [Wh]');
    expect(lines.length).toBe(1 + 96);
    expect(lines[1]).toMatch(/^2026-01-01T00:00:00\.000Z,\d+$/);
    const table = await hasm('get', url, '1.0.99.1.0.255', '--auth', 'lls');
    expect(table.out).toMatch(/^1\.0\.99\.1\.0\.255:2 \(Profile generic\), 96 rows\n/);
    await expect(hasm('get', url, '1.0.1.8.0.255', '--csv')).rejects.toThrow(/profile generic buffers/);
  });

  it('scan: a table of dotted OBIS codes, class names and rights', async () => {
    const t = await hasm('scan', url);
    expect(t.out).toMatch(/^OBIS\s+class\s+version/);
    expect(t.out).toMatch(/\n1\.0\.1\.8\.0\.255\s+Register\s+0\s+1:r 2:r 3:r\s+-\n/);
    expect(t.out).not.toMatch(/0100010800ff/);
  });

  it('get OBIS without a URL says the URL is missing', async () => {
    await expect(hasm('get', '1.0.1.8.0.255')).rejects.toThrow(UsageError);
    await expect(hasm('get', '1.0.1.8.0.255')).rejects.toThrow(/URL is missing before 1\.0\.1\.8\.0\.255/);
    await expect(hasm('get', url)).rejects.toThrow(/OBIS is required/);
  });

  it('watch reports the first value and each change, and stops when told', async () => {
    const reg = server.object(parseObis('1.0.1.8.0.255')) as RegisterObject;
    const seen: string[] = [];
    const stop = new AbortController();
    let polls = 0;
    const n = await watch(async () => String(reg.value), {
      intervalMs: 1000,
      signal: stop.signal,
      onChange: (v) => seen.push(v),
      // Instead of waiting: the meter's value moves on every second poll; the fifth poll ends the watch.
      sleep: async () => {
        polls++;
        if (polls % 2 === 0) reg.value += 10;
        if (polls === 5) stop.abort();
      },
    });
    expect(seen).toEqual(['123456', '123466', '123476']);
    expect(n).toBe(3);
    reg.value = 123456;
  });

  it('units and scaling are exact', () => {
    expect(unitName(30)).toBe('Wh');
    expect(unitName(35)).toBe('V');
    expect(unitName(33)).toBe('A');
    expect(unitName(255)).toBe('');
    expect(scaledValue(123456, -3)).toBe('123.456');
    expect(scaledValue(5, -2)).toBe('0.05');
    expect(scaledValue(-5, 2)).toBe('-500');
    expect(scaledValue(10n ** 20n, -1)).toBe('10000000000000000000.0');
  });
});
