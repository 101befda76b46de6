import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../../toolchain/common/errors.ts';
import type { Bid } from './bids.ts';
import { makeIdentity } from './certs.ts';
import type { ClearingResult } from './clearing.ts';
import { combine3, combineOutputs, shareBids } from './market.ts';
import type { Meter } from './meters.ts';
import { Prg } from './prg.ts';
import { settlementInputToBytes, type SettlementOutputFile } from './settle-wire.ts';
import { dimensions, shareMeters, type Algorithm, type Equality, type SettlementRun } from './settlement.ts';
import type { AuctionOutput } from './auction.ts';
import type { PartyId } from './transport.ts';
import { inputToJson, type OutputFile } from './wire.ts';

// `hasm mpc auction` / `hasm mpc settle`: plays the bidders (or meters) and the output recipients, and starts three
// evaluator processes (`hasm mpc party`) on this machine. It makes each party's TLS identity, writes market.json and each party's input
// shares, waits for the three (killing the rest if one fails), and reconstructs the outputs.

const HASM = fileURLToPath(new URL('../../bin/hasm.mjs', import.meta.url));

export interface LocalRun {
  result: ClearingResult;
  onlineS: number;
  offlineS: number;
  wallS: number;
  outputs: OutputFile[];
}

/** Extra node flags for the evaluator processes, e.g. HASM_MPC_NODE_ARGS="--cpu-prof" to profile them. */
function nodeArgs(): string[] {
  return (process.env.HASM_MPC_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LocalOptions {
  timeoutMs?: number;
  progress?: (line: string) => void;
  /** Extra environment for one party (tests use it to make a party misbehave). */
  partyEnv?: Partial<Record<PartyId, Record<string, string>>>;
}

/** Starts three `hasm mpc party` processes on fresh TLS identities; returns each party's output file text. */
export async function runLocalParties(protocol: 'auction' | 'settle', inputs: Record<PartyId, string | Uint8Array>, opts: LocalOptions = {}): Promise<Record<PartyId, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'hasm-mpc-'));
  const progress = opts.progress ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 30_000;
  try {
    const ids: PartyId[] = [1, 2, 3];
    const parties: Record<string, unknown> = {};
    for (const id of ids) {
      const ident = await makeIdentity(`hasm-mpc-party-${id}`);
      writeFileSync(join(dir, `party${id}.crt`), ident.cert);
      writeFileSync(join(dir, `party${id}.key`), ident.key, { mode: 0o600 });
      writeFileSync(join(dir, `party${id}-input`), inputs[id]);
      parties[id] = { host: '127.0.0.1', port: await freePort(), cert: `party${id}.crt`, key: `party${id}.key`, input: `party${id}-input`, output: `party${id}-output.json` };
    }
    const config = join(dir, 'market.json');
    writeFileSync(config, JSON.stringify({ protocol, timeout_ms: timeoutMs, parties }, null, 2));

    const children: ChildProcess[] = [];
    const exits = ids.map(
      (id) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...nodeArgs(), HASM, 'mpc', 'party', '--id', String(id), '--config', config], {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, ...(opts.partyEnv?.[id] ?? {}) },
          });
          children.push(child);
          let lastErr = '';
          let pending = '';
          child.stderr!.on('data', (d: Buffer) => {
            pending += d.toString();
            let nl: number;
            while ((nl = pending.indexOf('\n')) >= 0) {
              const line = pending.slice(0, nl);
              pending = pending.slice(nl + 1);
              if (line.trim()) {
                lastErr = line;
                progress(line);
              }
            }
          });
          child.on('error', (e) => reject(new OperationError(`party ${id}: cannot start: ${e.message}`)));
          child.on('exit', (code, signal) => {
            if (code === 0) resolve();
            else reject(new OperationError(`party ${id} failed (${signal ?? `exit ${code}`}): ${(lastErr || pending).trim()}`, { party: id }));
          });
        }),
    );
    const killer = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, timeoutMs * 4);
    try {
      await Promise.all(exits);
    } catch (e) {
      // One failed: the others abort on their own (disconnect/timeout); make sure none lingers.
      await Promise.allSettled(exits);
      throw e;
    } finally {
      clearTimeout(killer);
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    const outs = ids.map((id) => readFileSync(join(dir, `party${id}-output.json`), 'utf8'));
    return { 1: outs[0]!, 2: outs[1]!, 3: outs[2]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function auctionLocal(bids: Bid[], suppliers: number, opts: LocalOptions = {}): Promise<LocalRun> {
  const t0 = performance.now();
  const shares = shareBids(bids, suppliers);
  const texts = await runLocalParties('auction', { 1: inputToJson(shares[1]), 2: inputToJson(shares[2]), 3: inputToJson(shares[3]) }, opts);
  const outputs = ([1, 2, 3] as PartyId[]).map((id) => JSON.parse(texts[id]) as OutputFile);
  const asOut = (o: OutputFile): AuctionOutput => ({ ...o, acceptedShares: Uint32Array.from(o.acceptedShares) });
  const result = combineOutputs({ 1: asOut(outputs[0]!), 2: asOut(outputs[1]!), 3: asOut(outputs[2]!) }, suppliers);
  const offlineS = Math.max(...outputs.map((o) => o.stats.offlineMs)) / 1000;
  const onlineS = Math.max(...outputs.map((o) => o.stats.totalMs - o.stats.offlineMs)) / 1000;
  return { result, onlineS, offlineS, wallS: (performance.now() - t0) / 1000, outputs };
}

/** The operational settlement with three evaluator processes (the meters' sharing and the recipients played here). */
export async function settleLocal(meters: Meter[], alg: Algorithm, opts: LocalOptions & { equality?: Equality } = {}): Promise<SettlementRun> {
  const { nd, ns } = dimensions(meters);
  const eq = opts.equality ?? 'poly';
  const ins = shareMeters(meters, alg, nd, ns, Prg.random(), eq);
  const bytes = (id: PartyId) => settlementInputToBytes(ins[id], alg, eq);
  const texts = await runLocalParties('settle', { 1: bytes(1), 2: bytes(2), 3: bytes(3) }, opts);
  const outs = ([1, 2, 3] as PartyId[]).map((id) => JSON.parse(texts[id]) as SettlementOutputFile);
  const aggregates = Array.from({ length: nd }, (_, r) =>
    Array.from({ length: ns }, (_, u) => {
      const c = r * ns + u;
      return { import: combine3(outs[0]!.imp[c]!, outs[1]!.imp[c]!, outs[2]!.imp[c]!), export: combine3(outs[0]!.exp[c]!, outs[1]!.exp[c]!, outs[2]!.exp[c]!) };
    }),
  );
  return { algorithm: alg, meters: meters.length, aggregates, evaluatorSeconds: Math.max(...outs.map((o) => o.seconds)), counters: outs[0]!.counters };
}
