// `hasm fleet run` (issue 21 items 2, 4, 5, 7): many emulated meters in worker threads, the central system on its
// database, the data concentrator of each feeder and the market evaluators (host/fleet), with a progress bar.
import { InputError, OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseDuration, parseInteger } from '../../../toolchain/common/numbers.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

const HELP = `usage: hasm fleet run [--meters N] [--feeder-size K] [--for DURATION] [--db FILE|postgres://…] [--workers W]
                     [--seed S] [--bypass METER=FRACTION …] [--privacy round=WH,omit=N,pseudonym=HALFHOURS]
                     [--disconnect METER@DURATION] [--settle naa|ncaa] [--ihd METER[:PORT]] [--json]

Deploys N emulated meters (default 3; each firmware/meter.json on its own node, attested and keyed), household i
of the privacy generator on meter i, in worker threads; the central system on its database (default
$HASM_STATE_DIR/central.sqlite) keys each feeder group's DC security (K meters a feeder, default 3) and collects the
half-hourly readings; the data concentrator between them relays what it cannot read, totals each feeder from the
masked readings and flags theft against the feeder's transformer meter; the evaluators receive the meters' shares.
Runs DURATION of simulated time (default 1h) and reports.

  --bypass METER=F      that fraction of the meter's household load wired around its front end (theft)
  --privacy …           the chapter 5 countermeasures the central system sets on every meter (firmware/cs)
  --disconnect M@D      the central system disconnects meter M after D of simulated time
  --settle ALG          the evaluators settle every complete period on the meters' shares (region = feeder,
                        supplier = 1 + meter index mod 2)
  --ihd METER[:PORT]    the in-home display of that meter's HAN frames on http://127.0.0.1:PORT/ (default 8022, 0: any)
  --seed S              reproducible keys (tests, demos); fresh randomness without
  --json                {"meters", "readings", "feeders": [{feeder, t, wh}], "theft": [{feeder, t, transformer_wh,
                        metered_wh, missing_wh}], "relayed", "disconnected": [METER], "settlement": [{t, aggregates}],
                        "times": {deploy_s, commands_s, emulation_s, crypto_s, database_s, wall_s}}`;

/** The progress bar: one line on a terminal's stderr, redrawn in place. */
function bar(done: number, total: number, deployed: number, meters: number): void {
  const f = total ? done / total : 0;
  const w = 30;
  const text = deployed < meters ? `deploying ${deployed}/${meters} meters` : `${(f * 100).toFixed(0).padStart(3)} % simulated`;
  process.stderr.write(`\r[${'#'.repeat(Math.round(f * w)).padEnd(w, '.')}] ${text}`);
}

export const fleetCommand: Command = {
  summary: 'many emulated meters with the central system, data concentrator and market evaluators',
  help: HELP,
  async run(argv, io) {
    if (argv[0] !== 'run') throw new UsageError(`hasm fleet: expected 'run', got '${argv[0] ?? ''}'`);
    const { values } = parseFlags(argv.slice(1), {
      meters: { type: 'string' }, 'feeder-size': { type: 'string' }, for: { type: 'string' }, db: { type: 'string' }, workers: { type: 'string' },
      seed: { type: 'string' }, bypass: { type: 'string', multiple: true }, privacy: { type: 'string' }, disconnect: { type: 'string' },
      settle: { type: 'string' }, ihd: { type: 'string' }, json: { type: 'boolean' },
    }, false);
    const meters = values.meters ? parseInteger(values.meters, '--meters') : 3;
    const bypass: Record<string, number> = {};
    for (const b of values.bypass ?? []) {
      const m = /^(\w+)=([0-9.]+)$/.exec(b);
      if (!m || !(Number(m[2]) >= 0 && Number(m[2]) <= 1)) throw new UsageError(`--bypass: expected METER=FRACTION (0…1), got '${b}'`);
      bypass[m[1]!] = Number(m[2]);
    }
    let privacy;
    if (values.privacy) {
      const kv = Object.fromEntries(values.privacy.split(',').map((p) => p.split('=')));
      privacy = { round_wh: Number(kv.round ?? 0), omit_per_1024: Number(kv.omit ?? 0), pseudonym_halfhours: Number(kv.pseudonym ?? 0) };
      if (Object.values(privacy).some((v) => !Number.isInteger(v) || v < 0)) throw new UsageError(`--privacy: expected round=WH,omit=N,pseudonym=HALFHOURS (integers), got '${values.privacy}'`);
    }
    const disconnect = values.disconnect ? /^(\w+)@(.+)$/.exec(values.disconnect) : null;
    if (values.disconnect && !disconnect) throw new UsageError(`--disconnect: expected METER@DURATION, got '${values.disconnect}'`);
    const settle = values.settle;
    if (settle && settle !== 'naa' && settle !== 'ncaa') throw new UsageError(`--settle: naa or ncaa (the meters share energies only), got '${settle}'`);
    const seconds = parseDuration(values.for ?? '1h', '--for');

    const { Fleet } = await import('../../fleet/fleet.ts');
    let ihd: { feed(b: Uint8Array): void; close(): Promise<void> } | undefined;
    let ihdMeter: string | undefined;
    if (values.ihd) {
      const m = /^(\w+)(?::(\d+))?$/.exec(values.ihd);
      if (!m) throw new UsageError(`--ihd: expected METER[:PORT], got '${values.ihd}'`);
      ihdMeter = m[1]!;
      const { ihdServer } = await import('../../ihd/server.ts');
      const server = ihdServer();
      const port = m[2] ? Number(m[2]) : 8022;
      await server.app.listen({ host: '127.0.0.1', port }).catch((e: Error) => {
        throw new OperationError(`--ihd: cannot listen on 127.0.0.1:${port}: ${e.message}`);
      });
      const addr = server.app.server.address();
      io.err(`fleet: the in-home display of ${ihdMeter} is at http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`);
      ihd = { feed: (b) => server.feed(b), close: () => server.close() };
    }
    const tty = process.stderr.isTTY;
    const fleet = await Fleet.start({
      meters, feederSize: values['feeder-size'] ? parseInteger(values['feeder-size'], '--feeder-size') : 3, db: values.db,
      workers: values.workers ? parseInteger(values.workers, '--workers') : undefined, seed: values.seed ? parseInteger(values.seed, '--seed') : undefined,
      bypass, privacy, han: ihd && ihdMeter ? { meters: [ihdMeter], onHan: (_m, b) => ihd!.feed(b) } : undefined,
      progress: tty ? (p) => bar(p.simulated, p.total, p.deployed, p.meters) : undefined,
    });
    const disconnected: string[] = [];
    const settlement: { t: number; aggregates: unknown }[] = [];
    try {
      io.err(`${tty ? '\n' : ''}fleet: ${meters} meters deployed, attested and keyed; feeders ${[...fleet.feeders.keys()].join(', ')}`);
      let at = 0;
      if (disconnect) {
        const when = parseDuration(disconnect[2]!, '--disconnect');
        if (!fleet.links.has(disconnect[1]!)) throw new InputError(`--disconnect: no meter '${disconnect[1]}' (m0001…)`);
        await fleet.run(Math.min(when, seconds));
        at = Math.min(when, seconds);
        await fleet.queue(disconnect[1]!, 'disconnect');
        const [r] = await fleet.dispatch();
        await fleet.run(1, 1); // the off-switch module's relay command reaches the relay driver's next poll
        if (fleet.relay.get(disconnect[1]!) === false) disconnected.push(disconnect[1]!);
        io.err(`${tty ? '\n' : ''}fleet: disconnect ${disconnect[1]} at ${at} s: ${r?.outcome}; relay ${fleet.relay.get(disconnect[1]!) ? 'still closed' : 'open'}`);
        at += 1;
      }
      await fleet.run(Math.max(0, seconds - at));
      if (tty) io.err('');
      for (const f of fleet.dc.flags) io.err(`fleet: THEFT on feeder ${f.feeder}, half hour at t=${f.t}: transformer ${f.transformer_wh} Wh, meters ${f.metered_wh} Wh, ${f.missing_wh} Wh unmetered`);
      if (settle) {
        const { settleMeterShares } = await import('../../mpc/settlement.ts');
        const ids = [...fleet.feeders.values()].flat();
        const regions = ids.map((id) => 1 + [...fleet.feeders.keys()].findIndex((f) => fleet.feeders.get(f)!.includes(id)));
        const suppliers = ids.map((_, i) => 1 + (i % 2));
        for (const t of fleet.evaluators[0].complete(ids)) {
          const shares = { 1: fleet.evaluators[0].period(t, ids), 2: fleet.evaluators[1].period(t, ids), 3: fleet.evaluators[2].period(t, ids) };
          const run = await settleMeterShares(shares, regions, suppliers, settle as 'naa' | 'ncaa');
          settlement.push({ t, aggregates: run.aggregates });
          io.err(`fleet: settlement of the period at t=${t} (${settle}, on the meters' shares): ` + run.aggregates.map((row, r) => `region ${r + 1}: ` + row.map((f, u) => `supplier ${u + 1} ${f.import} Wh`).join(', ')).join('; '));
        }
      }
      const readings = await fleet.store.countReadings();
      io.err(`fleet: ${readings} readings stored; data concentrator relayed ${fleet.dc.relayed.down} commands down, ${fleet.dc.relayed.up} sealed events up, unread`);
      const t = fleet.times;
      io.err(`fleet: wall ${t.wall_s.toFixed(1)} s — deploy ${t.deploy_s.toFixed(1)}, commands ${t.commands_s.toFixed(1)}, emulation ${t.emulation_s.toFixed(1)}, crypto ${t.crypto_s.toFixed(2)}, database ${t.database_s.toFixed(2)}`);
      if (values.json) {
        printJson(io, { meters, readings, feeders: fleet.dc.totals, theft: fleet.dc.flags, relayed: fleet.dc.relayed, disconnected, settlement, times: t });
      }
    } finally {
      await fleet.close();
      await ihd?.close();
    }
    return 0;
  },
};
