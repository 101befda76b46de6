import { readFileSync, writeFileSync } from 'node:fs';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { runAuction, type Progress } from './auction.ts';
import { MaskPool } from './masks.ts';
import { readConfig } from './config.ts';
import { Party } from './party.ts';
import { agreePairKeys, connectMesh } from './tls.ts';
import { MpcAbort, type PartyId } from './transport.ts';
import { inputFromJson, outputToJson } from './wire.ts';
import { settlementInputFromBytes, settlementOutputToJson } from './settle-wire.ts';
import { runSettlement } from './settlement.ts';

// One evaluator as an OS process: read market.json, connect to the two peers over pinned TLS, agree PRSS keys,
// run the trading protocol or the settlement on this party's input shares and write this party's output shares.

export async function runEvaluator(id: PartyId, configFile: string, log: Progress): Promise<void> {
  const cfg = readConfig(configFile);
  const me = cfg.parties[id];
  if (!me.key || !me.input || !me.output) throw new InputError(`parties."${id}" needs key, input and output`, { file: configFile });
  let key: string;
  let inputBytes: Buffer;
  try {
    key = readFileSync(me.key, 'utf8');
    inputBytes = readFileSync(me.input);
  } catch (e) {
    throw new InputError(`party ${id}: ${(e as Error).message}`, { file: configFile });
  }
  // Parse before connecting: a bad input file stops this party before the others start computing.
  const job =
    cfg.protocol === 'auction'
      ? { kind: 'auction' as const, input: inputFromJson(inputBytes.toString('utf8'), me.input) }
      : { kind: 'settle' as const, ...settlementInputFromBytes(inputBytes, me.input) };
  log(
    job.kind === 'auction'
      ? `party ${id}: ${job.input.q.length} bids, ${job.input.s.length} suppliers; connecting`
      : `party ${id}: settlement (${job.algorithm.toUpperCase()}) of ${job.input.regions.length} meters; connecting`,
  );
  let net;
  try {
    net = await connectMesh({ id, key, cert: me.cert, peers: cfg.parties, timeoutMs: cfg.timeoutMs });
  } catch (e) {
    throw e instanceof MpcAbort ? new OperationError(e.message) : e;
  }
  try {
    const pairKeys = await agreePairKeys(net);
    const party = new Party(id, net, pairKeys);
    if (job.kind === 'auction') {
      const out = await runAuction(party, job.input, new MaskPool(party), (m) => log(`party ${id}: ${m}`));
      writeFileSync(me.output, outputToJson(out, party.counters));
    } else {
      const t0 = performance.now();
      const out = await runSettlement(party, job.input, job.algorithm, job.equality);
      writeFileSync(me.output, settlementOutputToJson(out, (performance.now() - t0) / 1000, party.counters));
    }
    log(`party ${id}: done, ${party.counters.rounds} rounds, ${party.counters.mults} multiplications`);
  } catch (e) {
    if (e instanceof MpcAbort) throw new OperationError(`aborted: ${e.message}`);
    throw e;
  } finally {
    net.close();
  }
}
