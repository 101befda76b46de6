// A pseudo-terminal pair from socat (`pty,raw,echo=0` both ends): what a test uses as the two ends of a serial line
// between the host and an emulated board served by test/sancus/serial-harness.ts. `haveSocat` says whether the
// tool is installed (the tests that need it skip, saying so, when it is not).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';

export const haveSocat = spawnSync('socat', ['-V']).status === 0;

export async function ptyPair(): Promise<{ proc: ChildProcess; a: string; b: string }> {
  const proc = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0']);
  const [a, b] = await new Promise<string[]>((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (x: Buffer) => {
      err += x.toString();
      const found = [...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
      if (found.length === 2) resolve(found);
    });
    proc.on('exit', (c) => reject(new Error(`socat exited ${c}: ${err}`)));
  });
  return { proc, a: a!, b: b! };
}

/** The emulated board served on serial lines by test/sancus/serial-harness.ts (its debug interface on `debugPty`,
 *  its WAN UART on `wanPty` when given), started and ready. */
export async function serialHarness(debugPty: string, baud: number, wanPty?: string): Promise<ChildProcess> {
  const harness = spawn(process.execPath, ['--import', 'tsx', 'test/sancus/serial-harness.ts', debugPty, String(baud), ...(wanPty ? [wanPty] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    harness.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    harness.on('exit', (c) => reject(new Error(`harness exited ${c}`)));
  });
  return harness;
}

/** The emulated board with the firmware runtime's two lines, as a real board on two USB serial ports: its debug
 *  interface and its WAN UART each on a pseudo-terminal pair; `debug` and `wan` are the host's ends. */
export async function boardOnSerialLines(baud = 115200): Promise<{ debug: string; wan: string; procs: ChildProcess[] }> {
  const dbg = await ptyPair();
  const wan = await ptyPair();
  const procs = [dbg.proc, wan.proc];
  try {
    procs.push(await serialHarness(dbg.b, baud, wan.b));
  } catch (e) {
    procs.forEach((p) => p.kill());
    throw e;
  }
  return { debug: dbg.a, wan: wan.a, procs };
}

/** In a describe block: the board on serial lines for its tests (started before them, stopped after); the lines are
 *  filled in once it is ready. */
export function useBoardOnSerialLines(baud = 115200): { debug: string; wan: string } {
  const lines = { debug: '', wan: '' };
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    const b = await boardOnSerialLines(baud);
    procs.push(...b.procs);
    lines.debug = b.debug;
    lines.wan = b.wan;
  }, 60_000);
  afterAll(() => procs.reverse().forEach((p) => p.kill()));
  return lines;
}
