// Benchmark of the MPC local market (issue 7) against the seed's prototype (Table 6.5, §6.7.2).
// Run: npx tsx test/bench/mpc.ts [--quick]
// Prints: field options, comparison protocol cost, the auction over three TLS processes for 100…2500 bids side by
// side with Table 6.5, and the settlement algorithms. Numbers are wall-clock on this machine (2 cores shared by the
// three evaluators), plus process CPU time.
import { clearReference } from '../../host/mpc/clearing.ts';
import { generateBids } from '../../host/mpc/generate.ts';
import { auctionLocal, settleLocal } from '../../host/mpc/local.ts';
import { mul as fmul, P } from '../../host/mpc/field.ts';
import { memoryNetwork } from '../../host/mpc/memory.ts';
import { Party } from '../../host/mpc/party.ts';
import { seededKeys } from '../../host/mpc/market.ts';
import { MaskPool, BITS } from '../../host/mpc/masks.ts';
import { lessThan } from '../../host/mpc/compare.ts';
import { settleReference } from '../../host/mpc/settlement.ts';
import type { Meter } from '../../host/mpc/meters.ts';
import { Prg } from '../../host/mpc/prg.ts';
import type { PartyId } from '../../host/mpc/transport.ts';

const quick = process.argv.includes('--quick');

// seed Table 6.5: bids → [rounds, comparisons, CPU s, on-line s]
const SEED: Record<number, [number, number, number, number]> = {
  100: [1.4e5, 965, 2.96, 1.01],
  500: [1.96e6, 14628, 40.4, 11.35],
  1000: [7.03e6, 53508, 147.76, 39.8],
  1500: [15.61e6, 118956, 320.79, 86.14],
  2000: [26.97e6, 208132, 562.5, 145.78],
  2500: [43.15e6, 330912, 894.01, 235.82],
};
const SEED_MUL_US = 20.8; // §6.7.2: µs per secure multiplication

function table(head: string[], rows: (string | number)[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => '| ' + r.map((c, i) => String(c).padStart(w[i]!)).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  console.log();
}

function cpuNsPerOp(f: () => void, ops: number): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / ops;
}

// ---- 1. field options ------------------------------------------------------------------------------------------
{
  const n = 2_000_000;
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = (i * 2654435761) % P;
    b[i] = (i * 40503 + 12345) % P;
  }
  const out = new Uint32Array(n);
  const dbl = cpuNsPerOp(() => {
    for (let r = 0; r < 3; r++) for (let i = 0; i < n; i++) out[i] = fmul(a[i]!, b[i]!);
  }, 3 * n);
  const big = (p: bigint) => {
    const A = Array.from({ length: n / 10 }, (_, i) => (BigInt(a[i]!) << 30n) % p);
    const B = Array.from({ length: n / 10 }, (_, i) => (BigInt(b[i]!) << 29n) % p);
    const O = new Array<bigint>(n / 10);
    return cpuNsPerOp(() => {
      for (let i = 0; i < n / 10; i++) O[i] = (A[i]! * B[i]!) % p;
    }, n / 10);
  };
  console.log('## Field multiplication (ns per a·b mod p, CPU time)\n');
  table(
    ['field', 'representation', 'ns/op'],
    [
      ['2^31 − 1 (ours)', 'double, 16-bit split, Mersenne fold', dbl.toFixed(1)],
      ['2^61 − 1', 'BigInt', big((1n << 61n) - 1n).toFixed(1)],
      ['2^127 − 1', 'BigInt', big((1n << 127n) - 1n).toFixed(1)],
    ],
  );
}

// ---- 2. comparison protocol ------------------------------------------------------------------------------------
{
  const n = quick ? 2000 : 10_000;
  const rows: (string | number)[][] = [];
  for (const method of ['chunked', 'prefix-or'] as const) {
    const keys = seededKeys(7);
    const net = memoryNetwork();
    const ids: PartyId[] = [1, 2, 3];
    const parties = ids.map((id) => new Party(id, net[id], keys.pairs[id], keys.own[id]));
    const pools = parties.map((p) => new MaskPool(p, method));
    const c0 = process.cpuUsage();
    await Promise.all(pools.map((pl) => pl.ensure(n)));
    const cOff = process.cpuUsage(c0);
    const offMults = parties[0]!.counters.mults;
    const xs = parties.map(() => new Uint32Array(n)); // shares of 0 vs 0: the cost does not depend on the values
    const before = { ...parties[0]!.counters };
    const c1 = process.cpuUsage();
    await Promise.all(parties.map((p, k) => lessThan(p, pools[k]!, xs[k]!, xs[k]!)));
    const cOn = process.cpuUsage(c1);
    const c = parties[0]!.counters;
    rows.push([
      `LSB (Nishide–Ohta) + ${method === 'chunked' ? '4-bit chunk tables (default)' : 'Sklansky prefix-OR'}`,
      c.rounds - before.rounds,
      ((c.mults - before.mults) / n).toFixed(1),
      BITS,
      (offMults / n).toFixed(1),
      ((cOff.user + cOff.system) / n / 3).toFixed(1),
      ((cOn.user + cOn.system) / n / 3).toFixed(1),
    ]);
  }
  rows.push(['Catrina–de Hoogh (seed), l = 30, k = 40', '≈ 4 + log l', '≈ 2l = 60', 'l + k = 70', '—', 'needs p > 2^71: BigInt', '—']);
  console.log(`## Secure comparison [a < b] (not opened), batch of ${n}; CPU per party (three parties in one thread)\n`);
  table(['protocol', 'on-line rounds', 'on-line mults/cmp', 'random bits/cmp', 'off-line mults/cmp', 'off-line CPU µs/cmp', 'on-line CPU µs/cmp'], rows);
}

// ---- 3. the auction over three TLS processes --------------------------------------------------------------------
{
  const sizes = quick ? [100, 500] : [100, 500, 1000, 1500, 2000, 2500];
  const rows: (string | number)[][] = [];
  for (const n of sizes) {
    const bids = generateBids(n, 1);
    const run = await auctionLocal(bids, 10, { timeoutMs: 120_000 });
    const ref = clearReference(bids, 10);
    if (JSON.stringify(run.result) !== JSON.stringify(ref)) throw new Error(`bench: ${n} bids: MPC result differs from the reference`);
    const o = run.outputs[0]!;
    const [sRounds, sCmp, sCpu, sOnline] = SEED[n]!;
    const cpu = run.outputs.reduce((s, x) => s + x.stats.totalCpuMs, 0) / 1000;
    const onlineCpu = run.outputs.reduce((s, x) => s + x.stats.totalCpuMs - x.stats.offlineCpuMs, 0) / 1000;
    rows.push([
      n,
      o.counters.lts,
      sCmp,
      o.counters.rounds - o.stats.offlineRounds,
      sRounds.toExponential(2),
      run.onlineS.toFixed(2),
      sOnline.toFixed(2),
      (sOnline / run.onlineS).toFixed(0) + '×',
      (run.onlineS + run.offlineS).toFixed(2),
      cpu.toFixed(2),
      sCpu.toFixed(2),
      onlineCpu.toFixed(2),
      Math.round((o.counters.mults - o.stats.offlineMults) / run.onlineS).toLocaleString('en'),
    ]);
    process.stderr.write(`  ${n} bids: on-line ${run.onlineS.toFixed(2)} s, off-line ${run.offlineS.toFixed(2)} s\n`);
  }
  console.log('## Auction (seed Algorithm 1) over three evaluator processes with TLS, vs seed Table 6.5\n');
  console.log('Data: `hasm mpc generate --bids N --seed 1`; every run checked equal to the cleartext reference.');
  console.log('"total" = off-line + on-line wall time of the slowest party; "CPU" = user+system of the three processes.\n');
  table(['bids', 'comparisons', 'seed cmp', 'on-line rounds', 'seed rounds', 'on-line s', 'seed on-line s', 'speed-up', 'total s', 'CPU s', 'seed CPU s', 'on-line CPU s', 'on-line mults/s per party'], rows);
  console.log(`seed: ${SEED_MUL_US} µs per secure multiplication (≈ ${Math.round(1e6 / SEED_MUL_US).toLocaleString('en')}/s).\n`);
}

// ---- 4. settlement -----------------------------------------------------------------------------------------------
{
  const make = (n: number, nd: number, ns: number): Meter[] => {
    const rng = new Prg(new Uint8Array(16).fill(9));
    return Array.from({ length: n }, (_, i) => ({
      meter: i + 1,
      region: 1 + (i % nd),
      importSupplier: 1 + rng.below(ns),
      exportSupplier: 1 + rng.below(ns),
      import: rng.below(1000),
      export: rng.below(3) === 0 ? rng.below(1500) : 0,
    }));
  };
  const rows: (string | number)[][] = [];
  const cases: Array<[number, 'niaa' | 'naa' | 'ncaa', 'poly' | 'alg5']> = quick
    ? [[100_000, 'niaa', 'poly'], [10_000, 'naa', 'poly'], [10_000, 'ncaa', 'poly']]
    : [[1_000_000, 'niaa', 'poly'], [100_000, 'naa', 'poly'], [100_000, 'naa', 'alg5'], [100_000, 'ncaa', 'poly']];
  for (const [n, alg, eq] of cases) {
    const ms = make(n, 1, 10);
    const t0 = performance.now();
    const run = await settleLocal(ms, alg, { equality: eq, timeoutMs: 300_000 });
    const wall = (performance.now() - t0) / 1000;
    const ref = settleReference(ms, 1, 10);
    if (JSON.stringify(run.aggregates) !== JSON.stringify(ref)) throw new Error(`bench: settlement ${alg} differs from the reference`);
    const perMeter = run.evaluatorSeconds / n;
    rows.push([
      alg.toUpperCase() + (alg === 'naa' ? ` (${eq})` : ''),
      n.toLocaleString('en'),
      run.counters.mults.toLocaleString('en'),
      run.counters.rounds,
      run.evaluatorSeconds.toFixed(2),
      (perMeter * 1e6).toFixed(2),
      (perMeter * 1e6).toFixed(1) + ' s',
      wall.toFixed(2),
    ]);
    process.stderr.write(`  settlement ${alg} ${n}: evaluators ${run.evaluatorSeconds.toFixed(2)} s\n`);
  }
  console.log('## Operational settlement, one region, N_s = 10, three evaluator processes over TLS\n');
  console.log('"evaluators s" = the slowest evaluator\'s aggregation (region-based, seed §6.6.4 step 2); "→ 1 M meters" scales');
  console.log('it linearly; "wall s" includes the meters\' sharing, share files and process start. Seed (§6.7.2): NAA needs');
  console.log('|s_u|·|SM|·N_s + |SM|·N_s = 90 M multiplications for 1 M meters, 1,872 s CPU at 20.8 µs.\n');
  table(['algorithm', 'meters', 'multiplications', 'rounds', 'evaluators s', 'µs/meter', '→ 1 M meters', 'wall s'], rows);
}
