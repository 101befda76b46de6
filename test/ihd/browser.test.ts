// The in-home display in a real browser (issue 21 item 3): Debian's chromium (installed by `make test`'s apt-deps)
// driven by playwright-core. The meter's HAN UART is played by a TCP server that the display connects to, as it
// connects to `hasm meter run --uart han=tcp:PORT`; it sends four hours of status frames (one every 5 s of meter
// time), then the page must show the last one's values — power, energy today, tariff, credit — and a chart, and
// when the next frame comes (5 s of meter time later, within the seed's 10 s, §4.6.4) the page must show it
// without a reload. The screenshot is kept in build/ihd/ (gitignored) for a human to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpHanSource, type HanSource } from '../../host/ihd/han-source.ts';
import { ihdServer, type IhdServer } from '../../host/ihd/server.ts';
import { householdPower, statusFrame } from './frames.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (make test installs the Debian chromium package)`;
if (missing) process.stderr.write(`in-home display browser test skipped: ${missing}\n`);
const SHOT = join(process.cwd(), 'build/ihd/ihd.png');

describe.skipIf(!!missing)('in-home display in chromium', () => {
  let meter: Server;
  let uart: Socket | undefined;
  const connected: Promise<Socket>[] = [];
  let ihd: IhdServer;
  let source: HanSource;
  let url = '';
  let profile = '';

  beforeAll(async () => {
    // The meter's side: a listening HAN port; the display connects to it.
    let accept!: (s: Socket) => void;
    connected.push(new Promise((r) => (accept = r)));
    meter = createServer((s) => accept(s));
    await new Promise<void>((r) => meter.listen(0, '127.0.0.1', r));
    const port = (meter.address() as { port: number }).port;
    ihd = ihdServer({ historySeconds: 4 * 3600 });
    await ihd.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(ihd.app.server.address() as { port: number }).port}/`;
    source = tcpHanSource(`tcp:127.0.0.1:${port}`, (b) => ihd.feed(b));
    uart = await connected[0]!;
    profile = mkdtempSync(join(tmpdir(), 'hasm-ihd-chromium-'));
  });

  afterAll(async () => {
    source?.close();
    uart?.destroy();
    await ihd?.close();
    await new Promise((r) => meter?.close(r));
    rmSync(profile, { recursive: true, force: true });
  });

  it('shows the meter\'s values and a chart, and updates when the next frame comes', async () => {
    // Four hours of a household's evening, one status frame every 5 s (the core's HAN_PERIOD), sent in bursts.
    const t0 = 1_764_892_800 + 15 * 3600; // 2025-12-05 15:00 UTC, meter clock
    let wh = 2_345_678; // the register, Wh
    const prepaidStart = 12_500; // mills
    let seq = 0;
    let t = t0;
    const frame = (w: number) => statusFrame(seq++, { t, wh, w, tariff: t % 86400 >= 17 * 3600 && t % 86400 < 21 * 3600 ? 2 : 1, creditMills: prepaidStart - Math.floor((wh - 2_345_678) * 150 / 1000) });
    const burst: number[] = [];
    for (; t < t0 + 4 * 3600; t += 5) {
      const w = householdPower(t);
      wh += Math.round((w * 5) / 3600);
      burst.push(...frame(w));
    }
    for (let i = 0; i < burst.length; i += 4096) uart!.write(Uint8Array.from(burst.slice(i, i + 4096)));
    const framesSent = seq;
    await expect.poll(() => ihd.display.state.frames, { timeout: 30_000 }).toBe(framesSent);
    const last = ihd.display.state.status!;

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 520 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(url);
      await expect.poll(() => page.textContent('#link'), { timeout: 30_000 }).toBe('live');
      await expect.poll(() => page.textContent('#power'), { timeout: 30_000 }).toBe(last.powerW.toLocaleString('en'));
      expect(await page.textContent('#tariff')).toBe(`T${last.tariff}`);
      expect(await page.textContent('#credit')).toBe((last.creditMills / 1000).toFixed(2));
      // today: the display saw no midnight, so it counts from its first frame and says since when
      expect(await page.textContent('#today')).toBe(((last.energyWh - 2_345_678 - Math.round((householdPower(t0) * 5) / 3600)) / 1000).toFixed(3));
      expect(await page.textContent('#today-note')).toBe('since 15:00');
      // the chart: uPlot drew its canvas with the four hours in it
      expect(await page.locator('#chart canvas').count()).toBe(1);
      expect(await page.evaluate('document.querySelectorAll(".u-over").length')).toBe(1);

      // The next frame, 5 s of meter time later: a kettle switched on. The page follows without a reload.
      const before = await page.textContent('#clock');
      wh += 3;
      uart!.write(frame(2400 + 1750));
      await expect.poll(() => page.textContent('#power'), { timeout: 30_000 }).toBe('4,150');
      const after = await page.textContent('#clock');
      const sec = (s: string | null) => Date.parse(s!.replace('meter clock ', '').replace(' UTC', 'Z').replace(' ', 'T')) / 1000;
      expect(sec(after) - sec(before)).toBeLessThanOrEqual(10);
      expect(await page.evaluate('document.body.dataset.frames')).toBe(String(framesSent + 1));

      mkdirSync(join(process.cwd(), 'build/ihd'), { recursive: true });
      await page.screenshot({ path: SHOT, fullPage: true });
      expect(existsSync(SHOT)).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
