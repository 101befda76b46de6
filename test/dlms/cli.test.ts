import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `hasm dlms serve` and `hasm dlms get|set|action|associate|scan` as processes, exactly as ../shared/CLI.md says.

const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-cli-'));
const env = { ...process.env, HASM_STATE_DIR: dir };
let server: ChildProcess;
let port = 0;

function hasm(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/hasm.mjs', ...args], { env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(async () => {
  server = spawn(process.execPath, ['bin/hasm.mjs', 'dlms', 'serve', '--port', '0', '--json'], { env });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /\{.*\}/.exec(out);
      if (m) resolve((JSON.parse(m[0]) as { port: number }).port);
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
});

afterAll(async () => {
  // The server saves its counters into `dir` as it stops: remove the directory once it has exited.
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('hasm dlms (processes over loopback)', () => {
  it('get reads the energy register with scaler and unit, over the wrapper with HLS-GMAC', async () => {
    const r = await hasm(['dlms', 'get', `tcp://127.0.0.1:${port}`, '1.0.1.8.0.255', '--auth', 'hls-gmac', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ obis: '1.0.1.8.0.255', attr: 2, value: 123456, scaler: 0, unit: 30 });
  });

  it('get over HDLC with HLS-SHA256, and the clock with LLS', async () => {
    const a = await hasm(['dlms', 'get', `hdlc+tcp://127.0.0.1:${port}`, '1.0.2.8.0.255', '--auth', 'hls-sha256', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ value: 7890, scaler: 0, unit: 30 });
    const b = await hasm(['dlms', 'get', `hdlc+tcp://127.0.0.1:${port}`, '0.0.1.0.0.255', '--auth', 'lls', '--json']);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out).value).toMatch(/^[0-9a-f]{24}$/);
    expect(Math.abs(Date.parse(JSON.parse(b.out).time) - Date.now())).toBeLessThan(60_000);
  });

  it('a keys file with wrong keys is a failed association: exit 1 with a JSON error', async () => {
    const keys = JSON.parse(readFileSync('host/dlms/demo-keys.json', 'utf8')) as Record<string, string>;
    const wrong = join(dir, 'wrong.json');
    const { client_key_pem: _c, server_key_pem: _s, ...symmetric } = keys; // PEM paths are relative to the demo file
    writeFileSync(wrong, JSON.stringify({ ...symmetric, guek: 'ff' + keys.guek!.slice(2), hls_secret: '00' }));
    for (const auth of ['hls-gmac', 'hls-sha256']) {
      const r = await hasm(['dlms', 'get', `tcp://127.0.0.1:${port}`, '1.0.1.8.0.255', '--auth', auth, '--keys', wrong, '--json']);
      expect(r.code, auth).toBe(1);
      expect(JSON.parse(r.out).error).toMatch(/refused|decipher/);
    }
  });

  it('a malformed keys file, a bad URL and an unknown flag are bad input: exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"guek": "xyz"}');
    expect((await hasm(['dlms', 'get', `tcp://127.0.0.1:${port}`, '1.0.1.8.0.255', '--keys', bad])).code).toBe(2);
    expect((await hasm(['dlms', 'get', 'http://x', '1.0.1.8.0.255'])).code).toBe(2);
    expect((await hasm(['dlms', 'get', `tcp://127.0.0.1:${port}`, '1.0.1.8.0.255', '--frobnicate'])).code).toBe(2);
  });

  it('set, action, associate and scan', async () => {
    const url = `tcp://127.0.0.1:${port}`;
    const s = await hasm(['dlms', 'set', url, '0.0.17.0.0.255', '--attr', '4', '--value', '{"type":"double-long-unsigned","value":4321}', '--auth', 'hls-gmac', '--json']);
    expect(s.code).toBe(0);
    const g = await hasm(['dlms', 'get', url, '0.0.17.0.0.255', '--attr', '4', '--auth', 'hls-gmac', '--json']);
    expect(JSON.parse(g.out).value).toBe(4321);
    const a = await hasm(['dlms', 'action', url, '0.0.96.3.10.255', '--method', '1', '--value', '{"type":"integer","value":0}', '--auth', 'hls-gmac', '--json']);
    expect(a.code).toBe(0);
    const as = await hasm(['dlms', 'associate', url, '--auth', 'hls-gmac', '--json']);
    expect(JSON.parse(as.out)).toMatchObject({ associated: true, ciphered: true, server_system_title: '4841534d00000001' });
    const sc = await hasm(['dlms', 'scan', url, '--json']);
    expect(JSON.parse(sc.out).objects.map((o: { obis: string }) => o.obis)).toContain('0.0.43.1.0.255');
    const denied = await hasm(['dlms', 'set', url, '0.0.1.0.0.255', '--value', '{"type":"octet-string","value":"07ea010104000000ff000000"}', '--json']);
    expect(denied.code).toBe(1);
  });
});
