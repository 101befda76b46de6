import { OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { queueCommand } from '../../central/queue.ts';
import { COMMAND_KINDS } from '../../central/messages.ts';
import { openDatabase } from '../../central/open.ts';
import { CentralStore, type CommandRow } from '../../central/store.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

// `hasm central serve|meters|readings|command` (issue 21 item 1): the grid operator's head end (seed §4.3).

const HELP = `usage:
  hasm central serve [--db URL] [--port P] [--host H] [--meter NAME=DESCRIPTOR …] [--json]
  hasm central meters [--db URL] [--json]
  hasm central readings METER [--from T] [--to T] [--db URL] [--json | --csv]
  hasm central command METER KIND [--arg NAME=VALUE …] [--args JSON] [--wait SECONDS] [--db URL] [--json]

--db: a SQLite file (default $HASM_STATE_DIR/central.sqlite, else ~/.hasm/central.sqlite) or postgres://USER@HOST:PORT/DB.
The schema is migrated on open. serve deploys each --meter's descriptor (host/deploy: built, attested, keyed), attaches
it through its CS security link (the connection from wan.NAME to cs.command; outputs to wan.* come back), serves the
HTTP JSON API (default 127.0.0.1:8021: GET /api/meters, /api/meters/ID, …/readings?from&to, …/logs, …/commands,
POST /api/meters/ID/commands {"kind", "args"}, GET /api/commands/ID) and sends queued commands, each under an
invocation counter reserved in the database before use.
KIND: ${COMMAND_KINDS.join(', ')}. Arguments (host/central/messages.ts): tariff {prices [mills/kWh], switches
[{minute, tariff}]}, prepaid {mode on|off, threshold mills ≤ 0}, topup {amount mills, token}, appliance {appliance
0-3, on}, privacy {round_wh, omit_per_1024, pseudonym_halfhours, key 32 hex}, log-read {log metrology|security|
offswitch, index}, time {t}. command queues it; --wait SECONDS waits for its outcome (sent by a running serve).
T: Unix seconds of the half hour's start. Exit: 0 ok, 1 refused/failed/timed out, 2 bad usage or input.`;

const dbFlag = { db: { type: 'string' } } as const;

function argValue(v: string): unknown {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      throw new UsageError(`--arg value '${v}' is not valid JSON`);
    }
  }
  return v;
}

async function withStore<T>(db: string | undefined, f: (s: CentralStore) => Promise<T>): Promise<T> {
  const store = new CentralStore(await openDatabase(db));
  try {
    return await f(store);
  } finally {
    await store.db.close();
  }
}

async function serveCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { ...dbFlag, port: { type: 'string' }, host: { type: 'string' }, meter: { type: 'string', multiple: true }, json: { type: 'boolean' } }, false);
  const meters = (values.meter ?? []).map((m) => {
    const i = m.indexOf('=');
    if (i <= 0) throw new UsageError(`--meter must be NAME=DESCRIPTOR, got '${m}'`);
    return { name: m.slice(0, i), descriptor: m.slice(i + 1) };
  });
  const { serve } = await import('../../central/serve.ts');
  const running = await serve({ db: values.db, host: values.host, port: values.port ? parseInteger(values.port, '--port') : undefined, meters, log: (l) => io.err(l) });
  io.err(`central: listening on http://${values.host ?? '127.0.0.1'}:${running.port} (database ${running.db.where})`);
  if (values.json) printJson(io, { port: running.port, database: running.db.where, meters: meters.map((m) => m.name) });
  await new Promise<void>((resolve) => {
    const stop = () => void running.stop().then(resolve, resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

async function metersCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, { ...dbFlag, json: { type: 'boolean' } }, false);
  const meters = await withStore(values.db, (s) => s.meters());
  if (values.json) printJson(io, { meters });
  else if (!meters.length) io.err('no meters');
  else for (const m of meters) io.out(`${m.id.padEnd(12)} ${m.attested_at ? `attested ${m.attested_at}` : 'not attested'}${m.feeder ? `  feeder ${m.feeder}` : ''}`);
  return 0;
}

async function readingsCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...dbFlag, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('readings needs exactly one METER');
  const meter = positionals[0]!;
  const range = { from: values.from ? parseInteger(values.from, '--from') : undefined, to: values.to ? parseInteger(values.to, '--to') : undefined };
  const readings = await withStore(values.db, async (s) => {
    await s.requireMeter(meter);
    return s.readings(meter, range);
  });
  if (values.json) printJson(io, { meter, readings });
  else if (values.csv) io.out(['meter,timestamp,kwh', ...readings.map((r) => `${meter},${new Date(r.t * 1000).toISOString()},${(r.wh / 1000).toFixed(3)}`)].join('\n'));
  else for (const r of readings) io.out(`${new Date(r.t * 1000).toISOString()}  ${String(r.wh).padStart(7)} Wh  tariff ${r.tariff}${r.pseudonym ? `  pseudonym ${r.pseudonym.toString(16)}` : ''}`);
  return 0;
}

async function commandCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...dbFlag, arg: { type: 'string', multiple: true }, args: { type: 'string' }, wait: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length !== 2) throw new UsageError('command needs METER and KIND');
  const [meter, kind] = positionals as [string, string];
  let args: Record<string, unknown> = {};
  if (values.args) {
    try {
      args = JSON.parse(values.args) as Record<string, unknown>;
    } catch {
      throw new UsageError('--args is not valid JSON');
    }
  }
  for (const a of values.arg ?? []) {
    const i = a.indexOf('=');
    if (i <= 0) throw new UsageError(`--arg must be NAME=VALUE, got '${a}'`);
    args[a.slice(0, i)] = argValue(a.slice(i + 1));
  }
  const waitS = values.wait ? parseInteger(values.wait, '--wait') : 0;
  const c = await withStore(values.db, async (s) => {
    let row: CommandRow = await queueCommand(s, meter, kind, args);
    // Waiting polls the database: the service that holds the meter's link may be another process.
    for (let waited = 0; waitS > 0 && (row.status === 'queued' || row.status === 'sent') && waited < waitS * 1000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await s.command(row.id))!;
    }
    return row;
  });
  if (values.json) printJson(io, c);
  else io.out(`command ${c.id} ${c.kind} to ${c.meter_id}: ${c.status}${c.outcome ? ` — ${c.outcome}` : ''}`);
  if (waitS > 0 && c.status !== 'delivered') {
    if (c.status === 'queued' || c.status === 'sent') throw new OperationError(`command ${c.id}: no outcome within ${waitS} s (is \`hasm central serve\` running with meter ${meter}?)`, { command: c.id, status: c.status });
    return 1;
  }
  return 0;
}

const SUB: Record<string, (argv: string[], io: CommandIO) => Promise<number>> = { serve: serveCmd, meters: metersCmd, readings: readingsCmd, command: commandCmd };

export const centralCommand: Command = {
  summary: 'the central system (head end): serve the API, list meters, readings, send commands',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const f = sub ? SUB[sub] : undefined;
    if (!f) throw new UsageError(sub ? `unknown subcommand '${sub}' (serve, meters, readings, command)` : 'a subcommand is needed: serve, meters, readings, command');
    return f(rest, io);
  },
};
