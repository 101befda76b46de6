// Runs a parsed scenario against one meter (host/meter/driver.ts): actions happen at the current (simulated) time;
// an expectation waits, advancing time in small slices, until what it names is there or its timeout passes. Streams
// (HAN frames, uplinks, each log) are read with a cursor that a met expectation moves past what it matched, so
// two expectations of the same kind need two occurrences (Renode's `Wait For Line On Uart` consumes lines the same
// way). The first failed expectation ends the run (later steps depend on the state it checked) unless keepGoing.
import { OperationError } from '../../toolchain/common/errors.ts';
import type { MeterDriver } from '../meter/driver.ts';
import type { ScenarioCentral } from './central.ts';
import { eventTable, nameOf } from '../meter/events.ts';
import { EMULATOR_ONLY, HAN_FIELDS, type Match, type Scenario, type Step } from './parse.ts';

export interface ScenarioReport {
  steps: number;
  passed: number;
  failed: { line: number; step: string; why: string }[];
  simulated_s: number;
}

export interface RunOptions {
  keepGoing?: boolean;
  /** The central system in the loop (scenario `central:`): expect-row looks in its database. */
  central?: ScenarioCentral;
  /** One line per step as it completes (stderr). */
  progress?: (line: string) => void;
}

const fmt = (m: Match): string => ('eq' in m ? String(m.eq) : [m.min !== undefined ? `≥ ${m.min}` : '', m.max !== undefined ? `≤ ${m.max}` : ''].filter(Boolean).join(' and '));
const holds = (m: Match, v: number): boolean => ('eq' in m ? v === m.eq : (m.min === undefined || v >= m.min) && (m.max === undefined || v <= m.max));

/** Steps a real board cannot do, with why (the caller refuses the scenario, naming each by file:line, before it deploys). */
export function boardRefusals(s: Scenario): { step: Step; why: string }[] {
  return s.steps.filter((x) => EMULATOR_ONLY.has(x.op)).map((step) => ({
    step,
    why: `'${step.text}' needs the emulated board (${step.op === 'expect-han' || step.op === 'expect-han-appliance' ? "a board's HAN line is not read here" : step.op === 'expect-billing' ? "only the emulated front end knows the energy that passed it" : "a real board's switches, load and pins are not the host's to touch or see"})`,
  }));
}

/** Simulated seconds between two turns of the event loop while a wait step runs. */
const YIELD_EVERY_S = 0.5;
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** MeterDriver.until with a turn of the event loop before each look: the emulation runs synchronously, and a long
 *  expectation would otherwise keep timers, sockets and a test runner's messages waiting until it ends. */
function waitFor(m: MeterDriver, check: () => boolean | Promise<boolean>, timeout: number, slice?: number): Promise<boolean> {
  return m.until(async () => {
    await breathe();
    return check();
  }, timeout, slice);
}

class Cursors {
  uart = { wan: 0, han: 0 };
  han = 0;
  hanOther = 0;
  uplink = 0;
  log = new Map<string, number>();
}

/** Runs one step; returns why it failed, or undefined when it held (what it saw, for the report, in `saw.text`). */
async function runStep(st: Step, m: MeterDriver, c: Cursors, saw: { text?: string }, central: ScenarioCentral | undefined): Promise<string | undefined> {
  const ctl = () => {
    if (!m.controls) throw new OperationError(`${st.op} needs the emulated board`);
    return m.controls;
  };
  switch (st.op) {
    case 'wait':
      // In slices, giving the event loop a turn between them (a long wait must not starve the process's I/O).
      for (let left = st.seconds; left > 0; left -= YIELD_EVERY_S) {
        await m.advance(Math.min(left, YIELD_EVERY_S));
        await breathe();
      }
      return;
    case 'set-load':
      ctl().setLoad(st.watts);
      return;
    case 'set-bypass':
      ctl().setBypass(st.watts);
      return;
    case 'press-button':
      ctl().pressButton(st.ms);
      return;
    case 'set-pin':
      m.setPin(st.pin, st.level);
      return;
    case 'open-case':
      ctl().openCase();
      return;
    case 'close-case':
      ctl().closeCase();
      return;
    case 'send-command': {
      const accepted = await m.command(st.kind, st.args, st.how);
      saw.text = accepted ? 'accepted' : 'refused';
      if (accepted !== (st.expect === 'accepted')) return `the meter's CS security module ${accepted ? 'accepted' : 'refused'} the ${st.how} ${st.kind} command (expected ${st.expect})`;
      return;
    }
    case 'expect-relay': {
      const want = st.state === 'on';
      if (!(await waitFor(m, () => ctl().relay.closed === want, st.timeout))) return `relay still ${want ? 'off' : 'on'} after ${st.timeout} s`;
      if (st.cause === undefined) return;
      // What moved it, in the off-switch log (issue 18 item 7: every relay change explained by an input).
      const last = (await m.relayCauses()).at(-1);
      saw.text = last?.text;
      if (last?.kind === st.cause) return;
      return `relay ${st.state}, but ${last ? `its last movement is explained by: ${last.text}` : 'it never moved'} (expected ${st.cause})`;
    }
    case 'expect-pin': {
      if (await waitFor(m, () => m.pin(st.pin) === st.level, st.timeout)) return;
      return `pin ${st.pin} still ${st.level ? 'low' : 'high'} after ${st.timeout} s`;
    }
    case 'expect-han': {
      const key = HAN_FIELDS[st.field];
      let seen: number | undefined;
      const ok = await waitFor(m, () => {
        for (; c.han < m.han.length; c.han++) {
          seen = m.han[c.han]!.status[key];
          if (holds(st.match, seen)) {
            saw.text = `${st.field} ${seen} (HAN frame ${m.han[c.han]!.seq} at ${m.han[c.han]!.t.toFixed(2)} s)`;
            c.han++;
            return true;
          }
        }
        return false;
      }, st.timeout);
      if (ok) return;
      return `no HAN status frame with ${st.field} ${fmt(st.match)} within ${st.timeout} s (${seen === undefined ? 'no status frame at all' : `last: ${seen}`})`;
    }
    case 'expect-han-appliance': {
      const ok = await waitFor(m, () => {
        for (; c.hanOther < m.hanOther.length; c.hanOther++) {
          const f = m.hanOther[c.hanOther]!;
          if (f.type === 2 && f.payload[0] === st.appliance && (f.payload[1] !== 0) === st.on) {
            c.hanOther++;
            return true;
          }
        }
        return false;
      }, st.timeout);
      return ok ? undefined : `no HAN appliance frame (appliance ${st.appliance} ${st.on ? 'on' : 'off'}) within ${st.timeout} s`;
    }
    case 'expect-uart': {
      const key = st.uart;
      const want = st.bytes;
      const ok = await waitFor(m, () => {
        const sent = m.uartSent(key);
        const from = c.uart[key];
        for (let i = from; i + want.length <= sent.length; i++) {
          let j = 0;
          while (j < want.length && sent[i + j]!.byte === want[j]) j++;
          if (j === want.length) {
            c.uart[key] = i + want.length;
            saw.text = `at byte ${i} of the ${key} line`;
            return true;
          }
        }
        return false;
      }, st.timeout);
      return ok ? undefined : `${Buffer.from(want).toString('hex')} not sent on the ${key} UART within ${st.timeout} s`;
    }
    case 'expect-uplink': {
      const ok = await waitFor(m, () => {
        for (; c.uplink < m.uplinks.length; c.uplink++) {
          const u = m.uplinks[c.uplink]!.uplink as unknown as Record<string, unknown>;
          if (u.type === st.type && Object.entries(st.fields).every(([k, x]) => typeof u[k] === 'number' && holds(x, u[k] as number))) {
            saw.text = Object.entries(u).filter(([k]) => k !== 'type').map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
            c.uplink++;
            return true;
          }
        }
        return false;
      }, st.timeout);
      if (ok) return;
      const got = m.uplinks.filter((u) => u.uplink.type === st.type).length;
      return `no ${st.type} uplink with ${Object.entries(st.fields).map(([k, x]) => `${k} ${fmt(x)}`).join(', ') || 'any fields'} within ${st.timeout} s (${got} ${st.type} uplinks in all)`;
    }
    case 'expect-log': {
      const after = c.log.get(st.log) ?? 0;
      let newest = after;
      const { kinds, results } = eventTable();
      let last = '';
      // Each look is a log read through CS security (a few commands' worth of virtual time); every half second.
      const ok = await waitFor(m, async () => {
        const entries = await m.logSince(st.log, newest);
        for (const e of entries) {
          newest = e.seq;
          last = `${nameOf(kinds, e.kind)}/${nameOf(results, e.result)}`;
          const r = e as unknown as Record<string, number>;
          if (e.kind === st.kind && Object.entries(st.fields).every(([k, x]) => holds(x, r[k]!))) {
            saw.text = `#${e.seq} ${last}, aux ${e.aux}, value ${e.value}, at meter time ${e.time}`;
            c.log.set(st.log, e.seq);
            return true;
          }
        }
        return false;
      }, st.timeout, 0.5);
      if (ok) return;
      const want = `${nameOf(kinds, st.kind)}${Object.entries(st.fields).map(([k, x]) => ` ${k} ${k === 'result' && 'eq' in x ? nameOf(results, x.eq) : fmt(x)}`).join('')}`;
      return `no ${st.log} log entry ${want} within ${st.timeout} s (${newest === after ? 'no new entry' : `newest new entry: ${last}`})`;
    }
    case 'expect-row': {
      if (!central) throw new OperationError('expect-row: no central system in the loop');
      let n = 0;
      const ok = await waitFor(m, async () => {
        const rows = await central.rows(st.table);
        n = rows.length;
        const hit = rows.find((r) => Object.entries(st.fields).every(([k, x]) => ('text' in x ? r[k] === x.text : typeof r[k] === 'number' && holds(x, r[k] as number))));
        if (hit) saw.text = Object.entries(hit).filter(([k]) => !/_at$|^meter_id$|^payload_hex$|^args$/.test(k)).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
        return hit !== undefined;
      }, st.timeout, 0.5);
      if (ok) return;
      const want = Object.entries(st.fields).map(([k, x]) => `${k} ${'text' in x ? JSON.stringify(x.text) : fmt(x)}`).join(', ');
      return `no row in the central system's ${st.table} table with ${want || 'anything'} within ${st.timeout} s (${n} rows for this meter)`;
    }
    case 'expect-billing': {
      // The billing registers read as the central system reads them (CMD_READ → the core's register reply through
      // CS security), against the energy the front end measured since power-on: exact to the meter's 1 Wh.
      const before = m.uplinks.length;
      await m.command('read');
      let total: number | undefined;
      const ok = await waitFor(m, () => {
        const r = m.uplinks.slice(before).find((u) => u.uplink.type === 'registers');
        if (r && r.uplink.type === 'registers') total = r.uplink.total_wh;
        return total !== undefined;
      }, st.timeout);
      if (!ok || total === undefined) return `no register reply to a read within ${st.timeout} s`;
      const fed = ctl().energy().fedWh;
      saw.text = `registers ${total} Wh, front end ${fed.toFixed(3)} Wh`;
      if (Math.abs(total - fed) <= st.withinWh) return;
      return `billing registers hold ${total} Wh, the front end measured ${fed.toFixed(3)} Wh (allowed difference ${st.withinWh} Wh)`;
    }
  }
}

export async function runScenario(s: Scenario, m: MeterDriver, o: RunOptions = {}): Promise<ScenarioReport> {
  const report: ScenarioReport = { steps: s.steps.length, passed: 0, failed: [], simulated_s: 0 };
  const c = new Cursors();
  // UART bytes count from the scenario's start, not from the deployment's traffic.
  if (m.controls) c.uart = { wan: m.uartSent('wan').length, han: m.uartSent('han').length };
  const t0 = m.now();
  for (const st of s.steps) {
    if (st.note) o.progress?.(`  -- ${st.note}`);
    const saw: { text?: string } = {};
    let why: string | undefined;
    let broken = false;
    try {
      why = await runStep(st, m, c, saw, o.central);
    } catch (e) {
      // The meter or its line failed under this step (no answer from the runtime, a refused genuine command): the
      // step failed, and nothing after it can be trusted to run.
      if (!(e instanceof OperationError)) throw e;
      why = e.message;
      broken = true;
    }
    const at = m.now() - t0;
    if (why === undefined) {
      report.passed++;
      o.progress?.(`  ok    ${String(st.line).padStart(4)}  ${at.toFixed(2).padStart(8)} s  ${st.text}${saw.text ? `  → ${saw.text}` : ''}`);
    } else {
      report.failed.push({ line: st.line, step: st.text, why });
      o.progress?.(`  FAIL  ${String(st.line).padStart(4)}  ${at.toFixed(2).padStart(8)} s  ${st.text}\n        ${s.file}:${st.line}: ${why}`);
      if (!o.keepGoing || broken) break;
    }
  }
  report.simulated_s = m.now() - t0;
  return report;
}
