// `hasm ihd serve` as a process: it connects to the meter's HAN port, prints its URL (--json) and serves the state
// of the frames it read; usage errors exit 2.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { expect, it } from 'vitest';
import { HASM_BIN, hasm } from '../cli-harness.ts';
import { statusFrame } from './frames.ts';

it('usage: --han is needed and must be tcp:[HOST:]PORT', async () => {
  expect((await hasm('ihd', 'serve')).status).toBe(2);
  const bad = await hasm('ihd', 'serve', '--han', 'serial:/dev/ttyS0');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--han must be tcp:PORT or tcp:HOST:PORT/);
  expect((await hasm('ihd', 'show')).status).toBe(2);
});

it('serves what the HAN says', async () => {
  let uart!: Socket;
  const meter = createServer((s) => {
    uart = s;
    s.write(statusFrame(0, { t: 1_764_892_800 + 3600, wh: 1000, w: 432, tariff: 1, creditMills: 5000 }));
  });
  await new Promise<void>((r) => meter.listen(0, '127.0.0.1', r));
  const port = (meter.address() as { port: number }).port;
  const child = spawn(process.execPath, [HASM_BIN, 'ihd', 'serve', '--han', `tcp:${port}`, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
      });
      child.on('close', (code) => reject(new Error(`hasm ihd serve exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await expect.poll(async () => ((await (await fetch(url + 'api/state')).json()) as { status: { powerW: number } | null }).status?.powerW, { timeout: 20_000 }).toBe(432);
    expect(await (await fetch(url)).text()).toContain('<title>In-home display</title>');
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed; // it stops on SIGTERM: source closed, server closed
    }
    uart?.destroy();
    await new Promise((r) => meter.close(r));
  }
}, 120_000);
