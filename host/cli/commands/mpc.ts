import { readFileSync, writeFileSync } from 'node:fs';
import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { formatBids, parseBids, supplierCount } from '../../mpc/bids.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

// `hasm mpc party|auction|settle|generate` (../shared/CLI.md "MPC local market", issue 7).

const help = `usage:
  hasm mpc party --id 1|2|3 --config market.json     run one evaluator process (see host/mpc/config.ts)
  hasm mpc auction --bids bids.csv [--json] [--timeout MS]
                                                     start three local evaluators over TLS and clear the market
  hasm mpc settle --meters meters.csv --algorithm naa|ncaa|niaa [--json] [--equality poly|alg5] [--in-process]
                                                     operational settlement (seed §6.6.4, Table 6.6 outputs) by three
                                                     evaluator processes over TLS (--in-process: one process)
  hasm mpc generate --bids N --seed S [--out FILE]   the seed's data set (§6.7.1) as bids CSV

bids CSV header: bid,side,quantity,price,supplier  (side buy|sell, quantity Wh, price €/MWh, supplier 1..S)
meters CSV header: meter,region,import_supplier,export_supplier,import,export  (energies in Wh)`;

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
}

async function party(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { id: { type: 'string' }, config: { type: 'string' }, quiet: { type: 'boolean' } }, false);
  if (!values.id || !values.config) throw new UsageError('party needs --id and --config');
  const id = parseInteger(values.id, '--id');
  if (id !== 1 && id !== 2 && id !== 3) throw new UsageError(`--id must be 1, 2 or 3, got ${id}`);
  const { runEvaluator } = await import('../../mpc/evaluator.ts');
  await runEvaluator(id, values.config, values.quiet ? () => {} : (m) => io.err(m));
  return 0;
}

async function auction(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { bids: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' } }, false);
  if (!values.bids) throw new UsageError('auction needs --bids FILE');
  const bids = parseBids(readText(values.bids), values.bids);
  // No bids is no market: clearing it would report a price of 0 as if one had been found (issue 15).
  if (bids.length === 0) throw new InputError('no bids (only the header): there is no market to clear', { file: values.bids });
  const suppliers = supplierCount(bids);
  const timeoutMs = values.timeout ? parseInteger(values.timeout, '--timeout') : 30_000;
  const { auctionLocal } = await import('../../mpc/local.ts');
  io.err(`mpc auction: ${bids.length} bids, ${suppliers} suppliers; starting three evaluators`);
  const run = await auctionLocal(bids, suppliers, { timeoutMs, progress: (l) => io.err(l) });
  const r = run.result;
  if (values.json) {
    printJson(io, {
      price: r.price,
      volume: r.volume,
      accepted: r.accepted,
      supplier_volume: r.supplierVolume,
      timing: { online_s: round3(run.onlineS), offline_s: round3(run.offlineS) },
    });
  } else {
    io.out(`price ${r.price} €/MWh, volume ${r.volume} Wh, ${r.accepted.length} of ${bids.length} bids accepted`);
    io.out(`per supplier (Wh): ${Object.entries(r.supplierVolume).map(([k, v]) => `${k}:${v}`).join(' ')}`);
    io.out(`on-line ${run.onlineS.toFixed(3)} s, off-line ${run.offlineS.toFixed(3)} s, wall ${run.wallS.toFixed(3)} s`);
  }
  return 0;
}

async function generate(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { bids: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, false);
  if (!values.bids) throw new UsageError('generate needs --bids N');
  const n = parseInteger(values.bids, '--bids');
  const seed = values.seed ? parseInteger(values.seed, '--seed') : 1;
  if (n < 0 || n > 32768) throw new UsageError(`--bids must be 0..32768, got ${n}`);
  const { generateBids } = await import('../../mpc/generate.ts');
  const csv = formatBids(generateBids(n, seed));
  if (values.out) writeFileSync(values.out, csv);
  else io.out(csv.trimEnd());
  return 0;
}

async function settle(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(
    argv,
    { meters: { type: 'string' }, algorithm: { type: 'string' }, equality: { type: 'string' }, json: { type: 'boolean' }, 'in-process': { type: 'boolean' }, timeout: { type: 'string' } },
    false,
  );
  if (!values.meters || !values.algorithm) throw new UsageError('settle needs --meters FILE and --algorithm naa|ncaa|niaa');
  const alg = values.algorithm;
  if (alg !== 'naa' && alg !== 'ncaa' && alg !== 'niaa') throw new UsageError(`--algorithm must be naa, ncaa or niaa, got '${alg}'`);
  const equality = values.equality ?? 'poly';
  if (equality !== 'poly' && equality !== 'alg5') throw new UsageError(`--equality must be poly or alg5, got '${equality}'`);
  const { parseMeters } = await import('../../mpc/meters.ts');
  const { settleInMemory, settlementJson, settlementText } = await import('../../mpc/settlement.ts');
  const meters = parseMeters(readText(values.meters), values.meters);
  let run;
  if (values['in-process']) run = await settleInMemory(meters, alg, { equality });
  else {
    const { settleLocal } = await import('../../mpc/local.ts');
    const timeoutMs = values.timeout ? parseInteger(values.timeout, '--timeout') : 30_000;
    io.err(`mpc settle: ${meters.length} meters, ${alg.toUpperCase()}; starting three evaluators`);
    run = await settleLocal(meters, alg, { equality, timeoutMs, progress: (l) => io.err(l) });
  }
  if (values.json) printJson(io, settlementJson(run));
  else io.out(settlementText(run));
  return 0;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export const mpcCommand: Command = {
  summary: 'MPC local electricity market: evaluators, auction, settlement, data generator',
  help,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'party':
        return party(rest, io);
      case 'auction':
        return auction(rest, io);
      case 'settle':
        return settle(rest, io);
      case 'generate':
        return generate(rest, io);
      default:
        throw new UsageError(sub === undefined ? 'missing subcommand (party, auction, settle, generate)' : `unknown subcommand '${sub}' (party, auction, settle, generate)`);
    }
  },
};
