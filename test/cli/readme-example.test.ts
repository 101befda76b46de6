// The README's `dlms serve` / `dlms get` example runs as written (issue 15 item 3): the client waits until the
// server listens, so the first request never races the server's start. Run through bash on a free port (the
// README's 4059 may be taken on a shared machine), with `node bin/hasm.mjs` for `npx hasm`.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAsync } from '../cli-harness.ts';
import { freePort } from '../free-port.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('README example', () => {
  it('dlms serve, wait until it listens, dlms get', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    const from = readme.findIndex((l) => l.startsWith('npx hasm dlms serve'));
    const to = readme.findIndex((l, i) => i > from && l.startsWith('kill $!'));
    expect(from, 'the README example starts the server').toBeGreaterThan(0);
    expect(to - from, 'serve, wait, get, kill').toBe(3);
    expect(readme[from + 1]).toMatch(/^until \[ -s serve\.json \]/);
    const port = await freePort();
    const script = readme
      .slice(from, to + 1)
      .join('\n')
      .replaceAll('npx hasm', `${process.execPath} ${join(ROOT, 'bin/hasm.mjs')}`)
      .replaceAll('4059', String(port));
    const cwd = mkdtempSync(join(tmpdir(), 'readme-dlms-'));
    const r = await spawnAsync('bash', ['-e', '-c', script], { cwd, env: { ...process.env, HASM_STATE_DIR: cwd } });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ obis: '1.0.1.8.0.255', attr: 2, value: expect.any(Number), scaler: 0, unit: 30 });
    expect(JSON.parse(readFileSync(join(cwd, 'serve.json'), 'utf8'))).toMatchObject({ port });
  }, 120_000);
});
