// Benchmark: our DLMS server beside the Gurux C example server, both driven by the same client built on the Gurux
// C library (`gxbench`, ../shared/research/gurux/), wrapper over loopback, best of 3 — the measurement of issue 16.
// Run: npx tsx test/bench/dlms-gurux.ts [--runs N]
// The Gurux build is looked for in $GURUX_BUILD, else in $TMPDIR/gurux-build-*/O2 (what ensure-build.sh makes). It
// is never part of this repository; without it this script says how to build it and prints only our rates,
// measured with our own client (test/bench/dlms.ts has the full table of our client).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
const RUNS = Number(arg('--runs') ?? 3);

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

function startOurs(): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['bin/hasm.mjs', 'dlms', 'serve', '--port', '0', '--json', '--profile', 'standard', '--keys', keysFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, HASM_STATE_DIR: dir },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /\{.*\}/.exec(out);
      if (m) resolve({ proc, port: (JSON.parse(m[0]) as { port: number }).port });
    });
    proc.on('exit', (c) => reject(new Error(`hasm dlms serve exited with ${c}`)));
  });
}

const portFree = (p: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(p, '0.0.0.0', () => s.close(() => resolve(true)));
  });

async function startGurux(build: string): Promise<{ proc: ChildProcess; port: number }> {
  for (let tries = 0; tries < 20; tries++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
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

function gxbench(build: string, port: number, mode: 'none' | 'gmac', kind: 'assoc' | 'get', obis: string): number {
  const n = kind === 'assoc' ? ['-n', '300', '-g', '0'] : ['-n', '0', '-g', '3000'];
  const r = spawnSync(join(build, 'gxbench'), ['-p', String(port), '-i', 'WRAPPER', '-m', mode, '-q', ...n, '-o', obis, '-k', '3', '-a', '2'], { encoding: 'utf8', timeout: 120_000 });
  const m = /rate_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`gxbench against port ${port} failed: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

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
    try {
      const rows = CASES.map((c) => ({ ...c, ours: 0, gurux: 0 }));
      // One untimed round against both first: our server's JIT compiles its hot paths (the C server has nothing to
      // warm, and gets the same round for fairness); then the timed rounds, best of RUNS.
      for (const r of rows) {
        gxbench(build, ours.port, r.mode, r.kind, '1.0.1.8.0.255');
        gxbench(build, gurux.port, r.mode, r.kind, '1.1.21.25.0.255');
      }
      for (let run = 0; run < RUNS; run++) {
        for (const r of rows) {
          // Alternate the servers within a run, so a burst of load elsewhere on the machine hits both.
          r.ours = Math.max(r.ours, gxbench(build, ours.port, r.mode, r.kind, '1.0.1.8.0.255'));
          r.gurux = Math.max(r.gurux, gxbench(build, gurux.port, r.mode, r.kind, '1.1.21.25.0.255'));
        }
      }
      console.log(`Both servers driven by gxbench (Gurux C client library), wrapper over loopback, one warm-up round, then best of ${RUNS} (Node ${process.version}).`);
      console.log(`ours: hasm dlms serve --profile standard (state on ${tmpdir()}); Gurux: its example server, -O2, logging compiled out (${build}).`);
      console.log('');
      console.log('| rate | ours | Gurux | ratio |');
      console.log('|---|---|---|---|');
      for (const r of rows) console.log(`| ${r.label} | ${f(r.ours)} | ${f(r.gurux)} | ${(r.ours / r.gurux).toFixed(2)}× |`);
    } finally {
      gurux.proc.kill('SIGTERM');
    }
  }
} finally {
  ours.proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
