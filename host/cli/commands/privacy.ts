import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';
import { MonthlyAttack } from '../../analysis/privacy/attack.ts';
import { dataFiles, readMonths } from '../../analysis/privacy/load.ts';
import { completeRows, type MonthData } from '../../analysis/privacy/month-data.ts';
import type { BadLine, Format } from '../../analysis/privacy/readers.ts';
import { writeReport } from '../../analysis/privacy/report.ts';
import { DEFAULT_CONFIG, runStudy } from '../../analysis/privacy/study.ts';
import { storedAttack } from '../../analysis/privacy/stored.ts';
import { SyntheticData } from '../../analysis/privacy/synthetic.ts';
import { CER_LIKE } from '../../analysis/privacy/synthetic-params.ts';
import { sampleWarning, table51, table52 } from '../../analysis/privacy/tables.ts';
import { writeMonth } from '../../analysis/privacy/write.ts';

// `hasm privacy generate|attack|study` (../shared/CLI.md "Privacy study", issue 11).

const help = `usage:
  hasm privacy generate [--households N] [--seed S] --out DIR [--format cer|csv] [--json]
      synthetic half-hourly data calibrated to the CER trial (seed §5.3.3), one file per month
  hasm privacy attack --data DIR|FILE [--skip-bad] [--json]
      month-by-month de-pseudonymisation without countermeasures (seed Table 5.1)
  hasm privacy attack --central DB [--tolerance WH] [--json]
      the same on what a central system stored (SQLite file or postgres://…): the readings under their pseudonyms,
      after the meters' countermeasures, against the bills between its register reads; one row per billing period
      ("month": its start), scored against the true meters; --tolerance: Wh a combination of rotated pseudonyms
      may miss a bill by (default 1: registers are read a moment after the half hour closes)
  hasm privacy study --data DIR|FILE | --synthetic [--seed S] [--households N] --out DIR [--skip-bad] [--json]
      the attack, the three countermeasures swept over their parameters, Table 5.2, SVG figures and report.md

Data files: *.txt/*.dat in the CER format ('METER DDDHH KWH'), *.csv as 'meter,timestamp,kwh'.
A bad line stops the run with its file:line (exit 2); --skip-bad reports bad lines and carries on.`;

function synthetic(households: string | undefined, seed: string | undefined): SyntheticData {
  const n = households === undefined ? CER_LIKE.households : parseInteger(households, '--households');
  if (n < 2) throw new UsageError('--households: at least 2');
  return new SyntheticData({ ...CER_LIKE, households: n, seed: seed === undefined ? CER_LIKE.seed : parseInteger(seed, '--seed') });
}

function badLineSink(io: CommandIO, skip: boolean | undefined): { onBad?: (b: BadLine) => void; bad: BadLine[] } {
  const bad: BadLine[] = [];
  if (!skip) return { bad };
  return {
    bad,
    onBad: (b) => {
      if (bad.length < 20) io.err(`${b.file}:${b.line}: skipped: ${b.reason}`);
      bad.push(b);
    },
  };
}

function progressBar(io: CommandIO, total: number | undefined) {
  return (done: number, label: string) => {
    if (total) {
      const w = 30;
      const f = Math.round((w * done) / total);
      io.err(`[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} ${label}`);
    } else io.err(`month ${done}: ${label}`);
  };
}

async function generate(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, {
    households: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    json: { type: 'boolean' },
  }, false);
  if (!values.out) throw new UsageError('generate: --out DIR is required');
  const format = (values.format ?? 'cer') as Format;
  if (format !== 'cer' && format !== 'csv') throw new UsageError(`--format: cer or csv, got '${values.format}'`);
  const gen = synthetic(values.households, values.seed);
  const months = gen.months();
  const files: string[] = [];
  let readings = 0;
  const bar = progressBar(io, months.length);
  for (const [i, m] of months.entries()) {
    const w = await writeMonth(values.out, gen.month(m), format);
    files.push(w.file);
    readings += w.readings;
    bar(i + 1, w.file);
  }
  const result = { households: gen.params.households, seed: gen.params.seed, months: months.length, readings, files };
  if (values.json) printJson(io, result);
  else io.out(`wrote ${readings} readings of ${result.households} households in ${files.length} files to ${values.out}`);
  return 0;
}

async function attack(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, {
    data: { type: 'string' }, central: { type: 'string' }, tolerance: { type: 'string' }, 'skip-bad': { type: 'boolean' }, json: { type: 'boolean' },
  }, false);
  if (!!values.data === !!values.central) throw new UsageError('attack: give exactly one of --data DIR|FILE and --central DB');
  if (values.central) return attackCentral(values.central, values.tolerance, !!values.json, io);
  if (values.tolerance) throw new UsageError('attack: --tolerance applies to --central only');
  const t0 = performance.now();
  const sink = badLineSink(io, values['skip-bad']);
  const a = new MonthlyAttack();
  for await (const month of readMonths(dataFiles(values.data!), { onBad: sink.onBad })) a.step(completeRows(month));
  const timing_s = (performance.now() - t0) / 1000;
  const warning = sampleWarning(a.rows);
  if (warning) io.err(warning);
  if (values.json) printJson(io, { table_5_1: a.rows, ...(values['skip-bad'] ? { bad_lines: sink.bad.length } : {}), timing_s });
  else io.out(table51(a.rows));
  return 0;
}

/** Issue 21 item 5: the attack on a central system's database (host/central/export.ts → stored.ts). */
async function attackCentral(db: string, tolerance: string | undefined, json: boolean, io: CommandIO): Promise<number> {
  const t0 = performance.now();
  const tol = tolerance === undefined ? 1 : parseInteger(tolerance, '--tolerance');
  if (tol < 0) throw new UsageError('--tolerance: 0 or more Wh');
  const { openDatabase } = await import('../../central/open.ts');
  const { CentralStore } = await import('../../central/store.ts');
  const { storedView } = await import('../../central/export.ts');
  const store = new CentralStore(await openDatabase(db));
  let view;
  try {
    view = await storedView(store);
  } finally {
    await store.db.close();
  }
  if (view.bills.length === 0) throw new InputError(`${db}: no billing period (the central system needs two register reads of a meter: hasm central command METER read)`);
  const { rows, periods } = storedAttack(view, (label) => view.owners.get(label), tol);
  const timing_s = (performance.now() - t0) / 1000;
  io.err(`${db}: ${view.readings.length} readings under ${view.owners.size} pseudonyms, ${view.bills.length} bills in ${periods.length} billing periods`);
  for (const p of periods) {
    io.err(`  ${p.period}: ${p.parts} pseudonym${p.parts > 1 ? 's' : ''} per household, ${p.missing} readings withheld` + (p.parts > 1 ? `, ${p.matches} combinations fit a bill, ${p.correct} of them right (seed metric ${p.seed_percent.toFixed(1)} %)` : ''));
  }
  const warning = sampleWarning(rows);
  if (warning) io.err(warning);
  if (json) printJson(io, { table_5_1: rows, timing_s });
  else io.out(table51(rows));
  return 0;
}

async function study(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, {
    data: { type: 'string' },
    synthetic: { type: 'boolean' },
    seed: { type: 'string' },
    households: { type: 'string' },
    out: { type: 'string' },
    'skip-bad': { type: 'boolean' },
    json: { type: 'boolean' },
  }, false);
  if (!values.out) throw new UsageError('study: --out DIR is required');
  if (!!values.data === !!values.synthetic) throw new UsageError('study: give exactly one of --data DIR|FILE and --synthetic');
  if (values.data && (values.households || values.seed)) throw new UsageError('study: --households and --seed apply to --synthetic only');
  const sink = badLineSink(io, values['skip-bad']);
  let months: Iterable<MonthData> | AsyncIterable<MonthData>;
  let total: number | undefined;
  let source: string;
  const config = { ...DEFAULT_CONFIG };
  if (values.synthetic) {
    const gen = synthetic(values.households, values.seed);
    months = gen.allMonths();
    total = gen.months().length;
    config.seed = gen.params.seed;
    source = `synthetic, CER-calibrated (seed ${gen.params.seed}, ${gen.params.households} households)`;
  } else {
    months = readMonths(dataFiles(values.data!), { onBad: sink.onBad });
    source = `files in ${values.data}`;
  }
  const result = await runStudy(months, config, progressBar(io, total));
  const command = `hasm privacy study ${argv.filter((a) => a !== '--json').join(' ')}`;
  const files = await writeReport(values.out, result, { source, command });
  io.err(`wrote ${files.length} files to ${values.out} (${files.join(', ')})`);
  const warning = sampleWarning(result.table_5_1);
  if (warning) io.err(warning);
  if (values.json) {
    // ../shared/CLI.md shape; bad_lines only when --skip-bad asked for them to be skipped.
    const bad = values['skip-bad'] ? { bad_lines: sink.bad.length } : {};
    printJson(io, { table_5_1: result.table_5_1, table_5_2: result.table_5_2, ...bad, timing_s: result.timing_s });
  } else {
    io.out(`Table 5.1\n${table51(result.table_5_1)}\n\nTable 5.2\n${table52(result.table_5_2)}`);
  }
  return 0;
}

export const privacyCommand: Command = {
  summary: 'de-pseudonymisation study of half-hourly meter data (seed ch. 5)',
  help,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'generate':
        return generate(rest, io);
      case 'attack':
        return attack(rest, io);
      case 'study':
        return study(rest, io);
      default:
        throw new UsageError(`privacy: expected generate, attack or study, got '${sub ?? ''}'`);
    }
  },
};
