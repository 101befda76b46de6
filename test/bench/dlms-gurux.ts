// Benchmark: our DLMS server beside the Gurux C example server, both driven by the same client built on the Gurux
// C library (`gxbench`, ../shared/research/gurux/), wrapper over loopback, best of N — the measurement of issue 16.
// A third server, the floor (dlms-floor.ts: bare node:net, canned answers, no DLMS work), shows what Node's
// per-connection and per-request cost alone allows against this sequential client. Beside each rate: the server
// process's CPU time per operation (/proc, all its threads), which the machine's load disturbs less than the rate.
// Run: npx tsx test/bench/dlms-gurux.ts [--runs N]  (default 5; the machine is shared, so best of several)
// The Gurux build is looked for in $GURUX_BUILD, else in $TMPDIR/gurux-build-*/O2 (what ensure-build.sh makes). It
// is never part of this repository; without it this script says how to build it and prints only our rates,
// measured with our own client (test/bench/dlms.ts has the full table of our client).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { loadKeys } from '../../host/dlms/keys.ts';
import type { Mechanism } from '../../host/dlms/security/hls.ts';
import { DEFAULT_CLIENT_SAP } from '../../host/dlms/server/config.ts';
import { openChannel, parseDlmsUrl } from '../../host/dlms/url.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 5);

// Keys as ../shared/research/gurux/README.md runs it: Gurux demo EK/AK/KEK/password, the Gurux library's default
// client title ("ABCDEFGH"), a server title distinct from it.
const KEYS = {
  guek: '000102030405060708090a0b0c0d0e0f',
  gak: 'd0d1d2d3d4d5d6d7d8d9dadbdcdddedf',
  kek: '31313131313131313131313131313131',
  client_system_title: '4142434445464748',
  server_system_title: '4841534d00000001',
  password: 'Gurux',
  hls_secret: '4775727578',
};

// The state directory is on the ordinary file system (not tmpfs): fsyncs cost what they cost for a user.
const dir = mkdtempSync(join(tmpdir(), 'hasm-dlms-gurux-bench-'));
const keysFile = join(dir, 'keys.json');
writeFileSync(keysFile, JSON.stringify(KEYS));

function findGurux(): string | undefined {
  const given = process.env.GURUX_BUILD;
  if (given) return existsSync(join(given, 'gxbench')) ? given : undefined;
  for (const d of readdirSync(tmpdir())) {
    const o2 = join(tmpdir(), d, 'O2');
    if (d.startsWith('gurux-build-') && existsSync(join(o2, 'gxbench'))) return o2;
  }
  return undefined;
}

/** Starts a server that prints {"port": N} on stdout once it listens. */
function startJsonServer(what: string, args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HASM_STATE_DIR: dir } });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /\{.*\}/.exec(out);
      if (m) resolve({ proc, port: (JSON.parse(m[0]) as { port: number }).port });
    });
    proc.on('exit', (c) => reject(new Error(`${what} exited with ${c}`)));
  });
}

// --quiet: no line per connection, as the Gurux server runs with its logging compiled out.
const startOurs = () => startJsonServer('hasm dlms serve', ['bin/hasm.mjs', 'dlms', 'serve', '--port', '0', '--json', '--quiet', '--profile', 'standard', '--keys', keysFile]);
const startFloor = () => startJsonServer('the floor server', ['--import', 'tsx', 'test/bench/dlms-floor.ts', keysFile]);

/** CPU time (user + system, all threads) of a process in µs; undefined where /proc is not there. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime, stime in clock ticks of 1/100 s (Linux USER_HZ)
}
const loadAverage = () => (existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'unknown');

const portFree = (p: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(p, '0.0.0.0', () => s.close(() => resolve(true)));
  });

async function startGurux(build: string): Promise<{ proc: ChildProcess; port: number }> {
  for (let tries = 0; tries < 20; tries++) {
    const base = 20000 + Math.floor(Math.random() * 12000); // below the ephemeral range: the C server binds without SO_REUSEADDR
    const free = await Promise.all([0, 1, 2, 3, 4].map((k) => portFree(base + k)));
    if (!free.every(Boolean)) continue;
    const cwd = mkdtempSync(join(dir, 'gurux-'));
    // stdin stays an open pipe: the example server exits on a key press (its _getch shim sleeps at end of input).
    const proc = spawn(join(build, 'GuruxDLMSServerExample/bin/gurux.dlms.server.quiet.bin'), ['-p', String(base)], { cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    for (let i = 0; i < 50 && (await portFree(base + 3)); i++) await new Promise((r) => setTimeout(r, 100));
    return { proc, port: base + 3 }; // LN over the wrapper
  }
  throw new Error('no five free consecutive ports for the Gurux example server');
}

interface Measured {
  rate: number;
  /** Server CPU µs per timed operation (the untimed warm-up and IC read are in it too: a slight overestimate). */
  cpu?: number;
}

const ASSOCIATIONS = 1000;
const GETS = 10_000;

function gxbench(build: string, server: { port: number; proc: ChildProcess }, mode: 'none' | 'gmac', kind: 'assoc' | 'get', obis: string): Measured {
  const n = kind === 'assoc' ? ['-n', String(ASSOCIATIONS), '-g', '0'] : ['-n', '0', '-g', String(GETS)];
  const c0 = cpuMicros(server.proc.pid);
  const r = spawnSync(join(build, 'gxbench'), ['-p', String(server.port), '-i', 'WRAPPER', '-m', mode, '-q', ...n, '-o', obis, '-k', '3', '-a', '2'], { encoding: 'utf8', timeout: 120_000 });
  const c1 = cpuMicros(server.proc.pid);
  const m = /rate_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`gxbench against port ${server.port} failed: ${r.stdout}${r.stderr}`);
  const ops = kind === 'assoc' ? ASSOCIATIONS : GETS;
  return { rate: Number(m[1]), cpu: c0 !== undefined && c1 !== undefined ? (c1 - c0) / ops : undefined };
}

const best = (a: Measured | undefined, b: Measured): Measured => (a && a.rate >= b.rate ? a : b);

const CASES = [
  { label: 'associations/s, no security', mode: 'none', kind: 'assoc' },
  { label: 'GET/s, no security', mode: 'none', kind: 'get' },
  { label: 'associations/s, HLS-GMAC suite 0', mode: 'gmac', kind: 'assoc' },
  { label: 'GET/s, HLS-GMAC suite 0', mode: 'gmac', kind: 'get' },
] as const;

const f = (x: number) => Math.round(x).toLocaleString('en-US');

async function ownClientRates(port: number): Promise<number[]> {
  // Our client, the same four measurements (300 associations, 3000 GETs; best of RUNS).
  const keys = loadKeys(keysFile);
  const counters = new MemoryCounterStore();
  const url = parseDlmsUrl(`tcp://127.0.0.1:${port}`);
  const out: number[] = [];
  for (const c of CASES) {
    const mechanism: Mechanism = c.mode === 'none' ? 'none' : 'hls-gmac';
    const opts = { mechanism, profile: 'standard' as const, keys, counters };
    const sap = DEFAULT_CLIENT_SAP[mechanism];
    let best = 0;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const n = c.kind === 'assoc' ? 300 : 3000;
      if (c.kind === 'assoc') {
        for (let i = 0; i < n; i++) {
          const ch = await openChannel(url, sap);
          const cl = new DlmsClient(ch, opts);
          await cl.associate();
          await cl.get(3, '1.0.1.8.0.255', 2);
          await cl.release();
          await ch.close();
        }
      } else {
        const ch = await openChannel(url, sap);
        const cl = new DlmsClient(ch, opts);
        await cl.associate();
        for (let i = 0; i < n; i++) await cl.get(3, '1.0.1.8.0.255', 2);
        await cl.release();
        await ch.close();
      }
      best = Math.max(best, n / ((performance.now() - t0) / 1000));
    }
    out.push(best);
  }
  return out;
}

const build = findGurux();
const ours = await startOurs();
try {
  if (!build) {
    console.log('The Gurux build is absent. Build it outside the repository, then run this again:');
    console.log('  (fetch github:Gurux/GuruxDLMS.c as a git directory, e.g. with the fetch tool)');
    console.log('  GURUX_BUILD=$(GURUX_GIT_DIR=<git dir> ../shared/research/gurux/ensure-build.sh) npx tsx test/bench/dlms-gurux.ts');
    console.log('');
    console.log(`Our server only, driven by our own client (best of ${RUNS}):`);
    console.log('');
    console.log('| rate | ours |');
    console.log('|---|---|');
    const r = await ownClientRates(ours.port);
    CASES.forEach((c, i) => console.log(`| ${c.label} | ${f(r[i]!)} |`));
  } else {
    const gurux = await startGurux(build);
    const floor = await startFloor();
    try {
      const rows = CASES.map((c) => ({ ...c, ours: undefined as Measured | undefined, gurux: undefined as Measured | undefined, floor: undefined as Measured | undefined }));
      const loadBefore = loadAverage();
      // One untimed round against each first: our server's JIT compiles its hot paths (the C server has nothing to
      // warm, and gets the same round for fairness); then the timed rounds, best of RUNS.
      for (let run = -1; run < RUNS; run++) {
        for (const r of rows) {
          // The servers alternate within a run, so a burst of load elsewhere on the machine hits all of them.
          const o = gxbench(build, ours, r.mode, r.kind, '1.0.1.8.0.255');
          const g = gxbench(build, gurux, r.mode, r.kind, '1.1.21.25.0.255');
          const fl = r.mode === 'none' ? gxbench(build, floor, r.mode, r.kind, '1.0.1.8.0.255') : undefined;
          if (run < 0) continue;
          r.ours = best(r.ours, o);
          r.gurux = best(r.gurux, g);
          if (fl) r.floor = best(r.floor, fl);
        }
      }
      const us = (m: Measured | undefined) => (m?.cpu === undefined ? '—' : m.cpu.toFixed(1));
      console.log(`Servers driven by gxbench (Gurux C client library; sequential: one connection, one request at a time), wrapper over loopback,`);
      console.log(`${ASSOCIATIONS} associations / ${GETS} GETs per run, one warm-up round, then best of ${RUNS} (Node ${process.version}); load average ${loadBefore} before, ${loadAverage()} after.`);
      console.log(`ours: hasm dlms serve --quiet --profile standard (state on ${tmpdir()}); Gurux: its example server, -O2, logging compiled out (${build});`);
      console.log('floor: test/bench/dlms-floor.ts, bare node:net with canned answers (no security only). CPU: server µs per operation.');
      console.log('');
      console.log('| rate | ours | Gurux | ratio | floor | floor/Gurux | CPU ours | CPU Gurux | CPU floor |');
      console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const r of rows) {
        const o = r.ours!;
        const g = r.gurux!;
        const fl = r.floor;
        console.log(`| ${r.label} | ${f(o.rate)} | ${f(g.rate)} | ${(o.rate / g.rate).toFixed(2)}× | ${fl ? f(fl.rate) : '—'} | ${fl ? `${(fl.rate / g.rate).toFixed(2)}×` : '—'} | ${us(o)} | ${us(g)} | ${us(fl)} |`);
      }
    } finally {
      gurux.proc.kill('SIGTERM');
      floor.proc.kill('SIGTERM');
    }
  }
} finally {
  ours.proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
