// Benchmark: DLMS associations and GETs per second over loopback TCP, per mechanism, framing and profile.
// Run: npx tsx test/bench/dlms.ts [--seconds S] [--peer URL --peer-port-hdlc PORT --peer-obis OBIS]
// With --peer (e.g. the Gurux C server example, built by hand outside the project: its LN/wrapper port as
// tcp://127.0.0.1:P and its LN/HDLC port with --peer-port-hdlc), the same client also measures that server in the
// same run, for the standard-profile mechanisms both offer, and prints ours/peer.
// The server is `hasm dlms serve` in its own process (as deployed); the client is this process. The in-process
// column is the same client and server without sockets or framing, in this run, as the baseline the transport
// overhead is measured against (ratio = TCP / in-process).
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DlmsClient } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { loadKeys } from '../../host/dlms/keys.ts';
import type { Mechanism, Profile } from '../../host/dlms/security/hls.ts';
import type { SuiteId } from '../../host/dlms/security/suites.ts';
import { DEFAULT_CLIENT_SAP, defaultServerConfig } from '../../host/dlms/server/config.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import { ServerState } from '../../host/dlms/server/state.ts';
import { LoopbackChannel, type ApduChannel } from '../../host/dlms/transport.ts';
import { openChannel, parseDlmsUrl } from '../../host/dlms/url.ts';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;
// Server state on tmpfs when there is one, as the Gurux throughput figures in ../shared/research/dlms-interop.md
// were taken: the table then measures the protocol, not the disk's fsync latency (about 12 ms here). Each
// association still makes one durable write of its counters, and the server invocation counter is reserved in
// blocks of 1000.
import { existsSync } from 'node:fs';
const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hasm-dlms-bench-'));

// Suite 1 key material for mechanism 7, written as the keys file of ../shared/CLI.md expects it.
const pem = (name: string) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p = join(dir, `${name}.pem`);
  writeFileSync(p, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return p;
};
const demo = JSON.parse(readFileSync('host/dlms/demo-keys.json', 'utf8')) as Record<string, string>;
const keysFile = join(dir, 'keys.json');
writeFileSync(keysFile, JSON.stringify({ ...demo, client_key_pem: pem('client'), server_key_pem: pem('server') }));
const keys = loadKeys(keysFile);

function startServer(profile: Profile, suite: SuiteId): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['bin/hasm.mjs', 'dlms', 'serve', '--port', '0', '--json', '--profile', profile, '--suite', String(suite), '--keys', keysFile, '--state', join(dir, `srv-${profile}-${suite}.json`)], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /\{.*\}/.exec(out);
      if (m) resolve({ proc, port: (JSON.parse(m[0]) as { port: number }).port });
    });
    proc.on('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
}

async function rate(seconds: number, once: () => Promise<void>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    await once();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

interface Row {
  profile: Profile;
  mechanism: Mechanism;
  suite: SuiteId;
  framing: string;
  assoc: number;
  gets: number;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const PEER = arg('--peer');
const PEER_HDLC = arg('--peer-port-hdlc');
let OBIS = '1.0.1.8.0.255';

async function measure(open: (sap: number) => Promise<ApduChannel>, profile: Profile, mechanism: Mechanism, suite: SuiteId, counters: MemoryCounterStore): Promise<{ assoc: number; gets: number }> {
  const opts = { mechanism, profile, keys, suite, counters };
  const sap = DEFAULT_CLIENT_SAP[mechanism];
  const assoc = await rate(SECONDS, async () => {
    const ch = await open(sap);
    const c = new DlmsClient(ch, opts);
    await c.associate();
    await c.get(3, OBIS, 2);
    await c.release();
    await ch.close();
  });
  const ch = await open(sap);
  const c = new DlmsClient(ch, opts);
  await c.associate();
  const gets = await rate(SECONDS, async () => {
    await c.get(3, OBIS, 2);
  });
  await c.release();
  await ch.close();
  return { assoc, gets };
}

const CASES: [Profile, SuiteId, Mechanism[]][] = [
  ['standard', 0, ['none', 'lls', 'hls-gmac', 'hls-sha256']],
  ['hardened', 0, ['none', 'lls', 'hls-gmac', 'hls-sha256']],
  ['hardened', 1, ['hls-ecdsa']],
];

const rows: (Row & { inproc: { assoc: number; gets: number } })[] = [];
let peerRowsOut: { mechanism: Mechanism; framing: string; peer: { assoc: number; gets: number }; ours?: Row }[] = [];
// Warm the JIT on every code path once, so the first table row is not measuring compilation.
{
  const warm = new DlmsServer(defaultServerConfig(keys, 'hardened', 0));
  const c = new MemoryCounterStore();
  for (const m of ['none', 'hls-gmac', 'hls-sha256'] as Mechanism[]) {
    const ch = () => Promise.resolve(new LoopbackChannel(warm.session(), { clientSap: DEFAULT_CLIENT_SAP[m], serverSap: 1 }));
    const end = performance.now() + 300;
    while (performance.now() < end) {
      const cl = new DlmsClient(await ch(), { mechanism: m, profile: 'hardened', keys, counters: c });
      await cl.associate();
      await cl.get(3, '1.0.1.8.0.255', 2);
    }
  }
}
try {
  for (const [profile, suite, mechs] of CASES) {
    const { proc, port } = await startServer(profile, suite);
    const inprocServer = new DlmsServer(defaultServerConfig(keys, profile, suite), new ServerState(join(dir, `inproc-${profile}-${suite}.json`)));
    // One client device per server: its counters carry over from run to run, as they must.
    const tcpCounters = new MemoryCounterStore();
    const inprocCounters = new MemoryCounterStore();
    try {
      for (const mechanism of mechs) {
        const inproc = await measure(async (sap) => new LoopbackChannel(inprocServer.session(), { clientSap: sap, serverSap: 1 }), profile, mechanism, suite, inprocCounters);
        for (const framing of ['tcp', 'hdlc+tcp']) {
          const url = parseDlmsUrl(`${framing}://127.0.0.1:${port}`);
          const r = await measure((sap) => openChannel(url, sap, { maxInfo: 1024 }), profile, mechanism, suite, tcpCounters);
          rows.push({ profile, mechanism, suite, framing: framing === 'tcp' ? 'wrapper' : 'hdlc', ...r, inproc });
        }
      }
    } finally {
      proc.kill('SIGTERM');
    }
  }
  if (PEER) {
    // The reference server, same client, same run. Its demo keys match ours (EK/AK/password "Gurux").
    const peerRows: { mechanism: Mechanism; framing: string; peer: { assoc: number; gets: number }; ours?: Row }[] = [];
    const peerCounters = new MemoryCounterStore(); // one client device: its counter carries over between runs
    for (const mechanism of ['none', 'lls', 'hls-gmac'] as Mechanism[]) {
      for (const [framing, url] of [['wrapper', PEER], ['hdlc', PEER_HDLC ? PEER.replace(/^tcp:/, 'hdlc+tcp:').replace(/:\d+$/, `:${PEER_HDLC}`) : undefined]] as const) {
        if (!url) continue;
        OBIS = arg('--peer-obis') ?? OBIS;
        const peer = await measure((sap) => openChannel(parseDlmsUrl(url), sap, { maxInfo: 128 }), 'standard', mechanism, 0, peerCounters);
        peerRows.push({ mechanism, framing, peer, ours: rows.find((r) => r.profile === 'standard' && r.suite === 0 && r.mechanism === mechanism && r.framing === framing) });
      }
    }
    peerRowsOut = peerRows;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (x: number) => x.toFixed(0).padStart(8);
const r2 = (x: number) => x.toFixed(2).padStart(6);
console.log(`DLMS over loopback TCP, server in its own process, ${SECONDS}s per cell (Node ${process.version}).`);
console.log('association = connect, AARQ/AARE (+ HLS passes 3/4), one GET, RLRQ/RLRE, close; GET = energy register in one association.');
console.log('');
console.log('| profile  | suite | mechanism  | framing | assoc/s | in-proc assoc/s | ratio | GET/s   | in-proc GET/s | ratio |');
console.log('|----------|-------|------------|---------|---------|-----------------|-------|---------|---------------|-------|');
for (const r of rows) {
  console.log(`| ${r.profile.padEnd(8)} | ${String(r.suite).padEnd(5)} | ${r.mechanism.padEnd(10)} | ${r.framing.padEnd(7)} |${f(r.assoc)} | ${f(r.inproc.assoc).padStart(15)} |${r2(r.assoc / r.inproc.assoc)} |${f(r.gets)} | ${f(r.inproc.gets).padStart(13)} |${r2(r.gets / r.inproc.gets)} |`);
}

if (peerRowsOut.length) {
  console.log('');
  console.log(`Reference server ${PEER} (standard profile), same client, same run; ratio = ours / reference.`);
  console.log('');
  console.log('| mechanism  | framing | ref assoc/s | ours assoc/s | ratio | ref GET/s | ours GET/s | ratio |');
  console.log('|------------|---------|-------------|--------------|-------|-----------|------------|-------|');
  for (const p of peerRowsOut) {
    const o = p.ours;
    console.log(`| ${p.mechanism.padEnd(10)} | ${p.framing.padEnd(7)} | ${f(p.peer.assoc).padStart(11)} | ${f(o?.assoc ?? NaN).padStart(12)} |${r2((o?.assoc ?? NaN) / p.peer.assoc)} | ${f(p.peer.gets).padStart(9)} | ${f(o?.gets ?? NaN).padStart(10)} |${r2((o?.gets ?? NaN) / p.peer.gets)} |`);
  }
}
