// `hasm scenario run FILE.yaml [--json]` (../shared/CLI.md "Whole-system scenarios"; issue 21 item 6): the steps of
// a scenario file against the meter deployed on its emulated node, or on a real board over serial lines. The work is
// in host/scenario (parse.ts, run.ts) and host/meter/driver.ts.
import { InputError, OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { MeterDriver } from '../../meter/driver.ts';
import { checkCentral, loadScenario, type Scenario } from '../../scenario/parse.ts';
import { ScenarioCentral } from '../../scenario/central.ts';
import { boardRefusals, runScenario, type ScenarioReport } from '../../scenario/run.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

const HELP = `usage: hasm scenario run FILE.yaml [--json] [--keep-going] [--meter DESCRIPTOR] [--db SPEC]
                         [--port DEBUG_TTY --wan WAN_TTY [--baud N]]

Runs the steps of a scenario file (host/scenario/README.md; examples in firmware/scenarios/) against the meter:
built, deployed, attested and keyed on its emulated node (the file's 'meter', default firmware/meter.json), then
each step in simulated time — wait, set-load, set-bypass, press-button, set-pin, open-case, close-case,
send-command (genuine, forged or replayed) — and expectations, each with a timeout in simulated time:
expect-relay, expect-pin, expect-han, expect-uart, expect-uplink, expect-log (read back through CS security),
expect-billing, expect-row (a row in the central system's database, with 'central: true' or --db).

  --json          {"steps", "passed", "failed": [{"line", "step", "why"}], "simulated_s"}
  --keep-going    run the steps after a failed expectation too (default: stop at the first)
  --meter FILE    the deployment descriptor instead of the scenario's
  --port TTY      a real board: its openMSP430 debug interface's serial line (loading); with --wan TTY its WAN
                  UART's line. Time is then the wall clock, and steps that need the emulated board (switches,
                  load, pins, HAN, billing against the front end) are refused before anything is deployed.
  --baud N        both lines' baud rate (default 115200)
  --db SPEC       the central system in the loop, on this database (a SQLite file or postgres://…; the file's
                  'central: true' uses a temporary SQLite file): genuine commands are queued, sealed under counters
                  reserved in it and dispatched; what the meter sends is stored; expect-row looks there
Exit 0 when every expectation held, 1 naming the failing step as file:line, 2 for a malformed scenario.`;

function malformed(e: InputError, json: boolean, io: Parameters<Command['run']>[1]): number {
  io.err(`hasm scenario: ${e.message}`);
  if (json) printJson(io, { steps: 0, passed: 0, failed: [{ line: e.location?.line ?? 0, step: '', why: e.reason }], simulated_s: 0 } satisfies ScenarioReport);
  return 2;
}

export const scenarioCommand: Command = {
  summary: 'run a scenario file (steps and timed expectations) against the emulated meter or a board',
  help: HELP,
  async run(argv, io) {
    if (argv[0] !== 'run') throw new UsageError(`hasm scenario: expected 'run', got '${argv[0] ?? ''}'`);
    const { values, positionals } = parseFlags(argv.slice(1), {
      json: { type: 'boolean' },
      'keep-going': { type: 'boolean' },
      meter: { type: 'string' },
      port: { type: 'string' },
      wan: { type: 'string' },
      baud: { type: 'string' },
      db: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('hasm scenario run: expected one FILE.yaml');
    const file = positionals[0]!;
    const json = values.json === true;
    if ((values.port === undefined) !== (values.wan === undefined)) throw new UsageError('--port (the debug line) and --wan (the WAN line) go together');
    let s: Scenario;
    try {
      s = loadScenario(file);
      checkCentral(s, values.db !== undefined);
      if (values.port !== undefined) {
        const refused = boardRefusals(s);
        if (refused.length) {
          const more = refused.slice(1).map((r) => `\n${file}:${r.step.line}: ${r.why}`).join('');
          throw new InputError(`${refused[0]!.why}; this scenario cannot run on a board${more}`, { file, line: refused[0]!.step.line });
        }
      }
    } catch (e) {
      if (e instanceof InputError) return malformed(e, json, io);
      throw e;
    }
    const serial = values.port !== undefined ? { debug: values.port, wan: values.wan!, baud: values.baud === undefined ? 115200 : parseInteger(values.baud, '--baud') } : undefined;
    io.err(`scenario: ${s.name} (${s.file}, ${s.steps.length} steps) on ${serial ? `the board at ${serial.debug} / ${serial.wan}` : 'the emulated meter'}`);
    let driver: MeterDriver;
    try {
      driver = await MeterDriver.start({ descriptor: values.meter ?? s.meter, serial });
    } catch (e) {
      // The meter could not be built (bad firmware or descriptor: exit 2) or deployed, attested and keyed (exit 1):
      // no step ran; the JSON keeps its shape.
      if (!(e instanceof OperationError || e instanceof InputError)) throw e;
      io.err(`hasm scenario: ${s.file}: the meter could not be deployed: ${e.message}`);
      if (json) printJson(io, { steps: s.steps.length, passed: 0, failed: [{ line: 0, step: 'deploy the meter', why: e.message }], simulated_s: 0 } satisfies ScenarioReport);
      return e instanceof InputError ? 2 : 1;
    }
    let report: ScenarioReport;
    let central: ScenarioCentral | undefined;
    try {
      const db = values.db ?? s.central?.db;
      if (s.central || values.db !== undefined) {
        central = await ScenarioCentral.attach(driver, db);
        io.err(`  the central system in the loop: ${db ?? 'a temporary SQLite database'}`);
      }
      report = await runScenario(s, driver, { keepGoing: values['keep-going'], progress: (l) => io.err(l), central });
      // What moved the relay, from the off-switch log (issue 18 item 7); the emulated node shows its contacts.
      if (driver.emulated) for (const c of await driver.relayCauses()) io.err(`  relay ${c.state.padEnd(3)} at ${c.t.toFixed(2).padStart(8)} s: ${c.text}`);
    } finally {
      await central?.close();
      await driver.close();
    }
    for (const f of report.failed) io.err(`${file}:${f.line}: step '${f.step}' failed: ${f.why}`);
    io.err(`scenario: ${report.passed}/${report.steps} steps held, ${report.simulated_s.toFixed(1)} s simulated`);
    if (json) printJson(io, report);
    return report.failed.length ? 1 : 0;
  },
};
