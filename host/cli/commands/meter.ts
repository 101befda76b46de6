// `hasm meter run` (../shared/CLI.md "The meter"; issue 18 item 6): build, deploy and run the meter on its emulated
// node, fed a load profile, and report. The work is in host/meter/run.ts.
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseLoadCsv } from '../../../toolchain/emulator/load-profile.ts';
import { runMeter, type MeterReport } from '../../meter/run.ts';
import { householdProfile } from '../../meter/household.ts';
import { parseDuration, parseInteger } from '../../../toolchain/common/numbers.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

const HELP = `usage: hasm meter run [DESCRIPTOR] [--load FILE.csv | --household N --seed S] [--for DURATION] [--speed max|N]
                     [--uart wan|han=tcp:PORT …] [--dlms-profile hardened|standard] [--untrusted FILE.s] [--json]

Builds the meter (default descriptor firmware/meter.json), deploys, attests and keys it on its emulated node with
the untrusted firmware runtime, feeds the metrology front end the load profile in virtual time and runs it for the
simulated DURATION (90s, 30m, 24h, 1d; default 1h). The host holds the central system's and the data
concentrator's connection keys: readings count only when they open under them.

  --load FILE.csv    the privacy study's CSV (meter,timestamp,kwh), one meter's rows, half-hourly or finer
  --household N --seed S  household N of the synthetic CER-like data (hasm privacy generate), August 2009
  --for DURATION     simulated time (default 1h)
  --speed max|N      as fast as possible (default) or N × real time
  --uart NAME=tcp:PORT  that UART's bytes on a loopback TCP port (wan: the runtime's frames, both ways; han: the
                     HAN gateway's frames, transmit only); --speed defaults to 1 then. A descriptor whose CS
                     security hosts the DLMS/COSEM server (firmware/meter-dlms.json) answers head-ends on the WAN
                     port: keys from the descriptor's "dlms" (default host/dlms/demo-keys.json)
  --dlms-profile hardened|standard  that server's HLS profile (seed Table 3.2), over the descriptor's (default
                     hardened); standard for clients without the hardening (the Gurux example client's HLS-GMAC)
  --untrusted FILE.s code linked into the untrusted runtime; its global 'attack' is called every tick
  --json             {"simulated_s", "wall_s", "energy_wh_fed", "energy_wh_registered", "readings", "han_frames",
                      "han_max_gap_s", "relay": [{"t","state","cause"}], "violations": [{"t","pc","address","module"}],
                      "logs": {…}, "tcb_bytes", "startup_s"}
Ctrl-C (SIGINT) or SIGTERM ends the run early, with its report so far.
Exit 1 when a module could not be deployed or attested.`;

function human(io: CommandIO, r: MeterReport): void {
  io.err(`meter: ${r.simulated_s} s simulated in ${r.wall_s.toFixed(1)} s (start-up ${(r.startup_s * 1000).toFixed(0)} ms simulated)`);
  io.err(`  energy fed ${r.energy_wh_fed.toFixed(3)} Wh, registered in readings ${r.energy_wh_registered} Wh (${r.readings} half-hourly readings)`);
  // Issue 18 item 7: a reading counts whole Wh (the core's registers); the front end counts finer LSBs (1 mWh on
  // boards/emulated.json) and the metrology driver carries the part short of a Wh into the next poll, so nothing is
  // lost — the open half hour and that carry are simply in no reading yet.
  io.err('  (readings count whole Wh; the metrology driver carries the front end\'s LSBs short of a Wh into the next reading, and the open half hour is in none yet)');
  io.err(`  HAN: ${r.han_frames} frames, longest gap ${r.han_max_gap_s.toFixed(1)} s`);
  for (const x of r.relay) io.err(`  relay ${x.state} at ${x.t.toFixed(3)} s: ${x.cause}`);
  for (const v of r.violations) io.err(`  violation at ${v.t.toFixed(3)} s: pc 0x${v.pc.toString(16)} touched 0x${v.address.toString(16)} (module ${v.module ?? '-'})`);
  const log = (n: number | null) => (n === null ? 'not read' : `${n}`);
  io.err(`  logs (entries ever appended): metrology ${log(r.logs.metrology)}, security ${log(r.logs.security)}, off-switch ${log(r.logs.offswitch)}`);
  io.err(`  TCB: ${r.tcb_bytes} bytes of module text`);
}

export const meterCommand: Command = {
  summary: 'build, deploy and run the meter on its emulated node with a load profile',
  help: HELP,
  async run(argv, io) {
    if (argv[0] !== 'run') throw new UsageError(`hasm meter: expected 'run', got '${argv[0] ?? ''}'`);
    const { values, positionals } = parseFlags(argv.slice(1), {
      load: { type: 'string' },
      household: { type: 'string' },
      seed: { type: 'string' },
      for: { type: 'string' },
      speed: { type: 'string' },
      uart: { type: 'string', multiple: true },
      'dlms-profile': { type: 'string' },
      untrusted: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 1) throw new UsageError('hasm meter run: at most one DESCRIPTOR');
    let load;
    if (values.household !== undefined || values.seed !== undefined) {
      if (values.load !== undefined) throw new UsageError('--load and --household exclude each other');
      if (values.household === undefined || values.seed === undefined) throw new UsageError('--household N goes with --seed S');
      load = householdProfile(parseInteger(values.household, '--household'), parseInteger(values.seed, '--seed'));
    }
    if (values.load !== undefined) {
      let text: string;
      try {
        text = readFileSync(values.load, 'utf8');
      } catch (e) {
        throw new InputError(`cannot read: ${(e as Error).message}`, { file: values.load });
      }
      load = parseLoadCsv(text, { file: values.load });
    }
    const uarts = (values.uart ?? []).map((u) => {
      const m = /^(wan|han)=tcp:(\d{1,5})$/.exec(u);
      if (!m || Number(m[2]) > 65535) throw new UsageError(`--uart: expected wan=tcp:PORT or han=tcp:PORT, got '${u}'`);
      return { name: m[1] as 'wan' | 'han', port: Number(m[2]) };
    });
    const speedText = values.speed ?? (uarts.length ? '1' : 'max');
    const speed = speedText === 'max' ? 'max' : Number(speedText);
    if (speed !== 'max' && !(speed > 0)) throw new UsageError(`--speed: expected max or a positive number, got '${speedText}'`);
    const profile = values['dlms-profile'];
    if (profile !== undefined && profile !== 'hardened' && profile !== 'standard') throw new UsageError(`--dlms-profile: expected hardened or standard, got '${profile}'`);
    if (profile !== undefined && !uarts.some((u) => u.name === 'wan')) throw new UsageError('--dlms-profile sets the DLMS server a head-end reaches on the WAN port: it needs --uart wan=tcp:PORT');
    // An interrupted run (a head-end session on the WAN port ended by hand, a long run cut short) still reports.
    const stop = new AbortController();
    const interrupt = () => {
      io.err('meter: interrupted, stopping at the next simulated step');
      stop.abort();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    let report: MeterReport;
    try {
      report = await runMeter({
        descriptor: positionals[0] ?? 'firmware/meter.json',
        load,
        seconds: parseDuration(values.for ?? '1h', '--for'),
        speed,
        uarts,
        untrusted: values.untrusted,
        dlms: profile === undefined ? undefined : { profile },
        stop: stop.signal,
        progress: (l) => io.err(l),
      });
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    if (values.json) {
      const { deploy: _deploy, ...out } = report;
      printJson(io, out);
    } else human(io, report);
    return 0;
  },
};
