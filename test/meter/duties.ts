// The meter's three real-time duties (seed §4.6.4, "Availability and real-time guarantees", from the SMIP
// requirements) measured in simulated time on the emulated meter, with or without hostile code linked into the
// untrusted runtime (`hasm meter run --untrusted FILE.s`; the fixtures in ./attacks, armed 5 s after the runtime's
// timer starts). Issue 20 items 1, 2 and 4: test/meter/duties-*.test.ts and test/bench/meter-duties.ts use it.
//
// The deadlines stated here (seconds of simulated time):
//   han     — SMIP: the HAN gateway receives an update at least every 10 s: the longest gap between two status
//             frames on the HAN line (the window's start and end count as frame edges) ≤ 10 s;
//   prepaid — the supply is off within 5 s of the credit passing the disablement threshold (SMIP gives no figure;
//             the seed calls the constraints "in the order of tens of seconds");
//   tamper  — the hard deadline of §4.6.4: the supply is off (relay contacts open) within 0.5 s of the case opening.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeterDriver } from '../../host/meter/driver.ts';
import { describeViolation } from '../../toolchain/emulator/sancus/violations.ts';
import { mulberry32 } from '../seeded.ts';

export const DEADLINE_S = { han: 10, prepaid: 5, tamper: 0.5 } as const;
export type Duty = keyof typeof DEADLINE_S;

export const ATTACKS = ['spin', 'dint', 'vectors', 'wan-flood', 'timers', 'reenter', 'reenter-forever'] as const;
export type Attack = (typeof ATTACKS)[number];

/** The fixtures arm after 24 ticks of the runtime's 8 Hz timer (`atk_ticks` in ./attacks/*.s). */
export const ARM_S = 3;
const DESCRIPTOR = fileURLToPath(new URL('../../firmware/meter.json', import.meta.url));
const EMULATED = fileURLToPath(new URL('../../boards/emulated.json', import.meta.url));

/**
 * The meter as measured: `defended` is firmware/meter.json on boards/emulated.json as they are (the protected
 * scheduler module, its text ending with the vector table, secure_irq, `violation: irq`: a refused access is the
 * violation interrupt, vector 13 the scheduler's entry); `reset` the same on that board as a RESET_ON_VIOLATION build
 * (`violation: reset`: any refused access resets the node); `shipped` the deployment without the scheduler on the
 * board with `secure_irq` off and `violation: reset` — the node as sancus-core b6b53bb ships it, the runtime
 * calling and routing everything (issue 20's first pass measured this one).
 */
export type Config = 'defended' | 'reset' | 'shipped';
export const CONFIGS: readonly Config[] = ['shipped', 'defended', 'reset'];

const derived = new Map<Config, string>();
/** A variant's descriptor and board, derived from the two files above (written once per process). */
function derivedDescriptor(config: Exclude<Config, 'defended'>): string {
  const done = derived.get(config);
  if (done) return done;
  const dir = join(tmpdir(), `hasm-duties-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const board = JSON.parse(readFileSync(EMULATED, 'utf8')) as { sancus: Record<string, unknown>; $schema?: string };
  if (config === 'shipped') board.sancus.secure_irq = false;
  board.sancus.violation = 'reset';
  delete board.$schema;
  const boardFile = join(dir, `emulated-${config}.json`);
  writeFileSync(boardFile, JSON.stringify(board));
  const d = JSON.parse(readFileSync(DESCRIPTOR, 'utf8')) as { $schema?: string; nodes: { board?: string }[]; modules: { source: string; scheduler?: boolean }[] };
  const base = resolve(DESCRIPTOR, '..');
  delete d.$schema;
  d.modules = d.modules.filter((m) => config !== 'shipped' || !m.scheduler).map((m) => ({ ...m, source: resolve(base, m.source) }));
  for (const n of d.nodes) n.board = boardFile;
  const path = join(dir, `meter-${config}.json`);
  writeFileSync(path, JSON.stringify(d));
  derived.set(config, path);
  return path;
}

export function attackFile(a: Attack): string {
  return fileURLToPath(new URL(`./attacks/${a}.s`, import.meta.url));
}

/** A deployed meter, seeded (deterministic keys and nonces), with the attack linked in or none. */
export async function startMeter(attack?: Attack, config: Config = 'defended'): Promise<MeterDriver> {
  const rnd = mulberry32(20);
  const random = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const untrusted = attack === undefined ? undefined : { source: readFileSync(attackFile(attack), 'utf8'), file: `test/meter/attacks/${attack}.s` };
  return MeterDriver.start({ descriptor: config === 'defended' ? DESCRIPTOR : derivedDescriptor(config), random, untrusted });
}

/** One duty's measured latency: seconds, or Infinity when it never happened within the span watched. */
export interface Measured {
  duty: Duty;
  latency_s: number;
  /** The span of simulated time watched for it (s). */
  span_s: number;
  met: boolean;
  /** The relay opened because the node reset (a Sancus violation's PUC releases the coil), not by the duty. */
  by_reset?: boolean;
}

function measured(duty: Duty, latency_s: number, span_s: number, by_reset = false): Measured {
  return { duty, latency_s, span_s, met: !by_reset && latency_s <= DEADLINE_S[duty], ...(by_reset ? { by_reset } : {}) };
}

/** Did the node reset between `from` and the relay's first opening after it (cycles)? */
function resetFirst(d: MeterDriver, from: number): boolean {
  const c = d.controls!.relay.history.find((h) => h.cycle >= from && !h.closed);
  return c !== undefined && d.node!.machine.pucLog.some((p) => p.cycle >= from && p.cycle <= c.cycle);
}

/** Worst gap between HAN status frames in [from, to] (s of driver time), the window's edges included. */
export function hanWorstGap(times: readonly number[], from: number, to: number): number {
  const edges = [from, ...times.filter((t) => t > from && t < to), to];
  let worst = 0;
  for (let i = 1; i < edges.length; i++) worst = Math.max(worst, edges[i]! - edges[i - 1]!);
  return worst;
}

const cyclesToS = (d: MeterDriver, cycles: number) => cycles / d.node!.board.cpu.clock_hz;

/** Seconds from `cycle` until the relay contacts first open after it, or Infinity if they have not. */
function openedAfter(d: MeterDriver, cycle: number): number {
  const c = d.controls!.relay.history.find((h) => h.cycle >= cycle && !h.closed);
  return c ? cyclesToS(d, c.cycle - cycle) : Infinity;
}

/** Lets `seconds` of simulated time pass in slices, yielding to the event loop between them (vitest's RPC). */
async function pass(d: MeterDriver, seconds: number, until?: () => boolean): Promise<void> {
  const end = d.now() + seconds;
  while (d.now() < end - 1e-9 && !until?.()) {
    await d.advance(Math.min(0.01, end - d.now()));
    if (Math.round(d.now() * 100) % 25 === 0) await new Promise((r) => setImmediate(r));
  }
}

/** Run A: the case opened at ARM_S + 1 s + `phase` (the relay driver polls every 250 ms: the phase moves the
 *  opening across that period), watched for 1 s (twice the deadline). */
export async function measureTamper(d: MeterDriver, phase = 0): Promise<Measured> {
  await pass(d, ARM_S + 1 + phase);
  const open = d.node!.machine.cycle;
  d.controls!.openCase();
  const watch = 1;
  await pass(d, watch, () => openedAfter(d, open) < Infinity);
  return measured('tamper', openedAfter(d, open), watch, resetFirst(d, open));
}

/** Credit (mills) and load for run B: 60 mills per Wh at 3600 W is 60 mills a second, so 180 mills last 3 s. */
const PRICE = 60000;
const LOAD_W = 3600;
const CREDIT = 180;
/** Run B's end: 11 s after the arming, so a HAN gateway silenced by the attack shows a gap above 10 s. */
const HAN_END_S = ARM_S + 11;

/**
 * Run B: the HAN duty over [0, HAN_END_S], and prepaid mode with a credit that passes the disablement threshold
 * (0) 3 s after the top-up (the top-up lands before the attack arms, the crossing after it). The credit passes it
 * where the energy fed since the top-up reaches CREDIT / 60 Wh: a constant load, so at a known time. Relay contacts
 * opening before that crossing would be counted as a negative latency (a premature trip).
 */
export async function measureHanAndPrepaid(d: MeterDriver): Promise<{ han: Measured; prepaid: Measured }> {
  d.controls!.setLoad(LOAD_W);
  await d.command('tariff', { prices: [PRICE], switches: [{ minute: 0, tariff: 0 }] });
  await d.command('prepaid', { mode: 'on', threshold: 0 });
  await d.command('topup', { amount: CREDIT, token: 1 });
  if (d.now() >= ARM_S) throw new Error(`prepaid set-up took until ${d.now()} s: the attack armed before the top-up`);
  const m = d.node!.machine;
  const hz = d.node!.board.cpu.clock_hz;
  const topup = m.cycle;
  const crossingS = d.now() + CREDIT / (PRICE / 1000) / (LOAD_W / 3600);
  const crossing = topup + Math.round((CREDIT / (PRICE / 1000) / (LOAD_W / 3600)) * hz);
  await pass(d, HAN_END_S - d.now());
  const opened = openedAfter(d, topup);
  const watch = HAN_END_S - crossingS;
  const prepaid = measured('prepaid', opened === Infinity ? Infinity : opened - cyclesToS(d, crossing - topup), watch, resetFirst(d, topup));
  const times = d.han.map((h) => h.t);
  // Silent from the arming on: missed for good (not merely late). A frame the arming tick itself sends (the runtime
  // sends before it calls `attack`) does not count as kept: one a second after the arming does.
  const han = times.some((t) => t > ARM_S + 1) ? hanWorstGap(times, 0, HAN_END_S) : Infinity;
  return { han: measured('han', han, HAN_END_S), prepaid };
}

/** What a variant's tests expect of each duty: met within its deadline, missed within the span watched, or the
 *  supply cut by a node reset instead (the duty itself never ran). */
export type Expectation = Record<Duty, 'met' | 'missed' | 'reset'>;

/** What the runs of a variant saw besides the duties: node resets (a Sancus violation's PUC on a reset board), the
 *  violations (those of one kind, module and offending context once, with their count) and interrupts forced into a
 *  module mid-run (restrict_gie). */
class Incidents {
  private readonly resets: string[] = [];
  private readonly groups = new Map<string, { first: string; n: number }>();
  private midRun = 0;

  add(d: MeterDriver): void {
    const node = d.node!;
    this.resets.push(...node.machine.pucLog.map((p) => `reset at ${cyclesToS(d, p.cycle).toFixed(3)} s: ${p.reason}`));
    for (const v of node.sancus.violations) {
      const key = `${v.kind} ${v.module} ${v.from}`;
      const g = this.groups.get(key);
      if (g) g.n++;
      else this.groups.set(key, { first: describeViolation(v), n: 1 });
    }
    this.midRun += node.sancus.secureIrq?.midRun ?? 0;
  }

  list(): string[] {
    return [...new Set(this.resets), ...[...this.groups.values()].map((g) => (g.n > 1 ? `${g.first} (and ${g.n - 1} more like it)` : g.first)),
      ...(this.midRun ? [`${this.midRun} interrupts taken inside a module whose bound ran out (restrict_gie)`] : [])];
  }
}

export interface VariantResult {
  han: Measured;
  prepaid: Measured;
  tamper: Measured;
  /** Resets and violations seen in either run, grouped (Incidents). */
  incidents: string[];
}

/** Both runs of a variant (no attack, or one fixture): the three duties measured. */
export async function measureAll(attack?: Attack, phase = 0, config: Config = 'defended'): Promise<VariantResult> {
  let d = await startMeter(attack, config);
  try {
    const tamper = await measureTamper(d, phase);
    const seen = new Incidents();
    seen.add(d);
    await d.close();
    d = await startMeter(attack, config);
    const { han, prepaid } = await measureHanAndPrepaid(d);
    seen.add(d);
    return { han, prepaid, tamper, incidents: seen.list() };
  } finally {
    await d.close();
  }
}
