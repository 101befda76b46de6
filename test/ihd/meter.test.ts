// The in-home display on the real meter: `hasm meter run` (firmware/meter.json built, deployed, attested and keyed
// on its emulated node, household 3 of the synthetic data) exposes its transmit-only HAN UART on a TCP port; the
// display connects to it as `hasm ihd serve --han tcp:PORT` does and shows what the meter's HAN gateway sends.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { tcpHanSource } from '../../host/ihd/han-source.ts';
import { ihdServer } from '../../host/ihd/server.ts';
import { HASM_BIN } from '../cli-harness.ts';
import { freePort } from '../free-port.ts';


it('shows the meter\'s HAN frames: none missed once connected, values consistent with the meter\'s report', async () => {
  const port = await freePort();
  const ihd = ihdServer();
  // The display first: it retries every second until the meter's HAN port is up (the build takes a while).
  const source = tcpHanSource(`tcp:${port}`, (b) => ihd.feed(b));
  try {
    // 20 × real time: 3 simulated minutes, a HAN status every 5 s of meter time.
    const child = spawn(process.execPath, [HASM_BIN, 'meter', 'run', '--household', '3', '--seed', '7', '--for', '3m', '--speed', '20', '--uart', `han=tcp:${port}`, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // The report is the run's end; the process itself exits once its HAN clients have gone (its TCP server
    // waits for them), so the display lets go of the line first.
    const report = await new Promise<{ han_frames: number; energy_wh_fed: number }>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.stderr.on('data', (d: Buffer) => (err += d));
      void exited.then((code) => reject(new Error(`hasm meter run exited ${code} without a report: ${err}`)));
    });
    source.close();
    expect(await exited).toBe(0);
    const s = ihd.display.state;
    // The meter does not wait for the display: the first seconds of the run (meter time runs 20 × faster) may pass
    // before the display's next retry connects; from then on no frame is missed.
    expect(s.frames).toBeGreaterThanOrEqual(report.han_frames / 2);
    expect(s.frames).toBeLessThanOrEqual(report.han_frames);
    expect(s.missed).toBe(0);
    expect(s.status!.powerW).toBeGreaterThan(0);
    expect(s.status!.energyWh).toBeLessThanOrEqual(report.energy_wh_fed);
    expect(s.status!.energyWh).toBeGreaterThanOrEqual(Math.floor(report.energy_wh_fed) - 1);
    expect(s.history.length).toBe(s.frames);
  } finally {
    source.close();
    await ihd.close();
  }
}, 300_000);
