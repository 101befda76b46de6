// A scenario file (../shared/CLI.md "Whole-system scenarios"; issue 21 item 6): YAML read with the `yaml` package,
// every step kept with its line (the parser's LineCounter), every step checked before anything runs, so a
// malformed file stops at once (exit 2) naming file:line and what was expected there. The step names follow Wokwi
// CI's automation scenarios (kebab-case `delay`, `expect-pin`, one key per step) and Renode's test keywords
// (an expectation waits, up to its timeout, for what it names to appear — and consumes it, as `Wait For Line On
// Uart` does: the next expectation of the same stream looks only after it).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { InputError } from '../../toolchain/common/errors.ts';
import { COMMAND_KINDS, encodeCommand, LOGS, type CommandArgs } from '../central/messages.ts';
import { eventTable } from '../meter/events.ts';
import { CAUSE } from '../meter/relay-cause.ts';
import type { Delivery, LogName } from '../meter/driver.ts';

/** A number to equal, or a range. */
export type Match = { eq: number } | { min?: number; max?: number };

/** HAN status fields (host/ihd/han-frame.ts HanStatus) by their scenario names. */
export const HAN_FIELDS = { t: 't', energy_wh: 'energyWh', power_w: 'powerW', tariff: 'tariff', credit_mills: 'creditMills' } as const;
export type HanField = keyof typeof HAN_FIELDS;

export type StepAction =
  | { op: 'wait'; seconds: number }
  | { op: 'set-load'; watts: number }
  | { op: 'set-bypass'; watts: number }
  | { op: 'press-button'; ms: number }
  | { op: 'set-pin'; pin: string; level: boolean }
  | { op: 'expect-uart'; uart: 'wan' | 'han'; bytes: Uint8Array; timeout: number }
  | { op: 'open-case' }
  | { op: 'close-case' }
  | { op: 'send-command'; kind: string; args: CommandArgs; how: Delivery; expect: 'accepted' | 'refused' }
  | { op: 'expect-relay'; state: 'on' | 'off'; cause?: string; timeout: number }
  | { op: 'expect-pin'; pin: string; level: boolean; timeout: number }
  | { op: 'expect-han'; field: HanField; match: Match; timeout: number }
  | { op: 'expect-han-appliance'; appliance: number; on: boolean; timeout: number }
  | { op: 'expect-uplink'; type: string; fields: Record<string, Match>; timeout: number }
  | { op: 'expect-log'; log: LogName; kind: number; fields: Record<string, Match>; timeout: number }
  | { op: 'expect-billing'; withinWh: number; timeout: number }
  | { op: 'expect-row'; table: RowTable; fields: Record<string, Match | { text: string }>; timeout: number };

export type Step = StepAction & {
  line: number;
  /** The step as written (one line, for reports). */
  text: string;
  /** The comment written above the step, if any (shown as the run reaches it). */
  note?: string;
};

export interface Scenario {
  file: string;
  name: string;
  /** The meter's deployment descriptor (relative paths resolved against the scenario file). */
  meter: string;
  /** The central system in the loop: undefined = no; `{}` = a temporary SQLite database; `{db}` = that database. */
  central?: { db?: string };
  timeout: number;
  steps: Step[];
}

/** Steps only the emulated board can do: a real board's switches, load and pins are not the host's to touch. */
export const EMULATOR_ONLY: ReadonlySet<StepAction['op']> = new Set(['set-load', 'set-bypass', 'press-button', 'set-pin', 'open-case', 'close-case', 'expect-relay', 'expect-pin', 'expect-han', 'expect-han-appliance', 'expect-uart', 'expect-billing']);

const DEFAULT_TIMEOUT_S = 10;
const DEFAULT_METER = 'firmware/meter.json';

class Where {
  constructor(
    readonly file: string,
    private readonly lc: LineCounter,
  ) {}
  line(n: Node | null | undefined): number | undefined {
    return n?.range ? this.lc.linePos(n.range[0]).line : undefined;
  }
  fail(n: Node | null | undefined, msg: string, fallbackLine?: number): never {
    throw new InputError(msg, { file: this.file, line: this.line(n) ?? fallbackLine });
  }
}

/** Seconds from `500ms`, `30s`, `5m`, `1h` or a plain number of seconds. */
function duration(w: Where, n: Node | null | undefined, what: string): number {
  const v = isScalar(n) ? n.value : undefined;
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(v.trim()) : null;
  if (!m) return w.fail(n, `${what}: expected a duration such as 500ms, 30s, 5m or 1h, got ${JSON.stringify(v ?? null)}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

function number(w: Where, n: Node | null | undefined, what: string): number {
  const v = isScalar(n) ? n.value : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return w.fail(n, `${what}: expected a number, got ${JSON.stringify(v ?? null)}`);
  return v;
}

function text(w: Where, n: Node | null | undefined, what: string, choices?: readonly string[]): string {
  const v = isScalar(n) ? n.value : undefined;
  if (typeof v !== 'string' || (choices && !choices.includes(v))) return w.fail(n, `${what}: expected ${choices ? `one of ${choices.join(', ')}` : 'a string'}, got ${JSON.stringify(v ?? null)}`);
  return v;
}

/** A number, or `{min, max}` (either bound may be left out). */
function match(w: Where, n: Node | null | undefined, what: string): Match {
  if (isMap(n)) {
    const f = fields(w, n, what, ['min', 'max']);
    if (!f.has('min') && !f.has('max')) w.fail(n, `${what}: a range needs min, max or both`);
    return { min: f.has('min') ? number(w, f.get('min'), `${what}.min`) : undefined, max: f.has('max') ? number(w, f.get('max'), `${what}.max`) : undefined };
  }
  const v = isScalar(n) ? n.value : undefined;
  if (typeof v === 'boolean') return { eq: v ? 1 : 0 };
  return { eq: number(w, n, what) };
}

/** The map's keys, each known (`allowed`; any key when omitted), as nodes. */
function fields(w: Where, map: YAMLMap, what: string, allowed?: readonly string[]): Map<string, Node | null> {
  const out = new Map<string, Node | null>();
  for (const p of map.items) {
    const key = isScalar(p.key) ? String(p.key.value) : w.fail(p.key as Node, `${what}: keys must be plain names`);
    if (allowed && !allowed.includes(key)) w.fail(p.key as Node, `${what}: unknown key '${key}' (expected ${allowed.join(', ')})`);
    if (out.has(key)) w.fail(p.key as Node, `${what}: '${key}' given twice`);
    out.set(key, (p.value as Node | null) ?? null);
  }
  return out;
}

function levelOf(w: Where, n: Node | null | undefined, what: string): boolean {
  const v = isScalar(n) ? n.value : undefined;
  if (v === 1 || v === true || v === 'high' || v === 'on') return true;
  if (v === 0 || v === false || v === 'low' || v === 'off') return false;
  return w.fail(n, `${what}: expected 0/1, low/high or on/off, got ${JSON.stringify(v ?? null)}`);
}

/** The central system's tables `expect-row` looks in (host/central/store.ts). */
export const ROW_TABLES = ['readings', 'logs', 'commands'] as const;
export type RowTable = (typeof ROW_TABLES)[number];

/** Columns `expect-row` may name, per table (host/central/store.ts's rows). */
const ROW_COLUMNS: Record<RowTable, readonly string[]> = {
  readings: ['t', 'wh', 'tariff', 'pseudonym'],
  logs: ['log', 'kind', 'result', 'aux', 'value', 't'],
  commands: ['kind', 'status', 'counter', 'outcome'],
};

const STEP_NAMES = ['wait', 'delay', 'set-load', 'set-bypass', 'press-button', 'set-pin', 'open-case', 'close-case', 'send-command', 'expect-relay', 'expect-pin', 'expect-han', 'expect-uart', 'expect-uplink', 'expect-log', 'expect-billing', 'expect-row'] as const;
const UPLINK_FIELDS: Record<string, readonly string[]> = {
  reading: ['t', 'wh', 'tariff', 'pseudonym'],
  registers: ['t', 'total_wh', 'credit_mills'],
  event: ['kind', 'result', 'aux', 'value'],
};

/** One step: `- NAME`, `- NAME: VALUE` or `- NAME: {…}`, with `timeout` in an expectation's map. */
function step(w: Where, node: Node, dflt: number, source: string): Step {
  const line = w.line(node)!;
  const raw = node.range ? source.slice(node.range[0], node.range[1]) : '';
  const shown = raw.replace(/\s+/g, ' ').trim().slice(0, 120);
  let name: string;
  let arg: Node | null = null;
  if (isScalar(node) && typeof node.value === 'string') name = node.value;
  else if (isMap(node) && node.items.length === 1 && isScalar(node.items[0]!.key)) {
    name = String((node.items[0]!.key as { value: unknown }).value);
    arg = (node.items[0]!.value as Node | null) ?? null;
  } else return w.fail(node, `a step is one of ${STEP_NAMES.join(', ')}, written '- NAME' or '- NAME: VALUE' (one key per step)`);
  if (!(STEP_NAMES as readonly string[]).includes(name)) w.fail(node, `unknown step '${name}' (expected one of ${STEP_NAMES.join(', ')})`);
  const what = name;
  const map = isMap(arg) ? arg : undefined;
  const timeoutOf = (f: Map<string, Node | null>) => (f.has('timeout') ? duration(w, f.get('timeout'), `${what}.timeout`) : dflt);
  const none = () => {
    if (arg !== null && !(isScalar(arg) && arg.value === null) && !(map && map.items.length === 0)) w.fail(arg, `${what} takes no value`);
  };
  const note = node.commentBefore?.replace(/\s*\n\s*/g, ' ').trim() || undefined;
  const done = (a: StepAction): Step => ({ ...a, line, text: shown, note });
  switch (name) {
    case 'wait':
    case 'delay':
      return done({ op: 'wait', seconds: duration(w, arg, what) });
    case 'set-load':
    case 'set-bypass': {
      const watts = map ? number(w, fields(w, map, what, ['watts']).get('watts'), `${what}.watts`) : number(w, arg, `${what} (watts)`);
      if (watts < 0) w.fail(arg, `${what}: watts must not be negative`);
      return done({ op: name, watts });
    }
    case 'press-button':
      return done({ op: 'press-button', ms: arg === null || (isScalar(arg) && arg.value === null) ? 200 : duration(w, arg, what) * 1000 });
    case 'set-pin': {
      if (!map) return w.fail(arg ?? node, 'set-pin: expected {pin: NAME or P2.0, value: 0|1}');
      const f = fields(w, map, what, ['pin', 'value']);
      return done({ op: 'set-pin', pin: text(w, f.get('pin'), 'set-pin.pin'), level: levelOf(w, f.get('value'), 'set-pin.value') });
    }
    case 'expect-uart': {
      // Wokwi's wait-serial: bytes on a UART's transmit line — text, or hex for a binary line like the meter's.
      if (!map) return w.fail(arg ?? node, 'expect-uart: expected {uart: wan|han, text: "…" | hex: "7e01…", timeout}');
      const f = fields(w, map, what, ['uart', 'text', 'hex', 'timeout']);
      const uart = text(w, f.get('uart'), 'expect-uart.uart', ['wan', 'han']) as 'wan' | 'han';
      if (f.has('text') === f.has('hex')) w.fail(map, 'expect-uart: give exactly one of text and hex');
      let bytes: Uint8Array;
      if (f.has('text')) bytes = new TextEncoder().encode(text(w, f.get('text'), 'expect-uart.text'));
      else {
        const h = text(w, f.get('hex'), 'expect-uart.hex');
        if (!/^([0-9a-f]{2})+$/.test(h)) w.fail(f.get('hex'), 'expect-uart.hex: expected lowercase hex digits, two per byte');
        bytes = Uint8Array.from(Buffer.from(h, 'hex'));
      }
      if (bytes.length === 0) w.fail(map, 'expect-uart: nothing to wait for');
      return done({ op: 'expect-uart', uart, bytes, timeout: timeoutOf(f) });
    }
    case 'open-case':
    case 'close-case':
      none();
      return done({ op: name });
    case 'send-command': {
      if (!map) return w.fail(arg ?? node, `send-command: expected a map {kind: …, as: genuine|forged|replayed, expect: accepted|refused, …the command's arguments}`);
      const f = fields(w, map, what);
      const kind = text(w, f.get('kind'), 'send-command.kind', COMMAND_KINDS);
      const how = (f.has('as') ? text(w, f.get('as'), 'send-command.as', ['genuine', 'forged', 'replayed', 'reordered']) : 'genuine') as Delivery;
      const expect = (f.has('expect') ? text(w, f.get('expect'), 'send-command.expect', ['accepted', 'refused']) : how === 'genuine' ? 'accepted' : 'refused') as 'accepted' | 'refused';
      const args: CommandArgs = {};
      for (const [k, v] of f) if (k !== 'kind' && k !== 'as' && k !== 'expect') args[k] = v === null ? null : (v as Node).toJSON();
      try {
        encodeCommand(kind, args); // the central system's own checks: a bad argument is a malformed scenario
      } catch (e) {
        if (e instanceof InputError) w.fail(map, `send-command: ${e.reason}`);
        throw e;
      }
      return done({ op: 'send-command', kind, args, how, expect });
    }
    case 'expect-relay': {
      if (map) {
        const f = fields(w, map, what, ['state', 'cause', 'timeout']);
        const cause = f.has('cause') ? text(w, f.get('cause'), 'expect-relay.cause', ['power-up', ...Object.keys(CAUSE)]) : undefined;
        return done({ op: 'expect-relay', state: text(w, f.get('state'), 'expect-relay.state', ['on', 'off']) as 'on' | 'off', cause, timeout: timeoutOf(f) });
      }
      return done({ op: 'expect-relay', state: text(w, arg, 'expect-relay', ['on', 'off']) as 'on' | 'off', timeout: dflt });
    }
    case 'expect-pin': {
      if (!map) return w.fail(arg ?? node, 'expect-pin: expected {pin: NAME or P1.0, value: 0|1, timeout}');
      const f = fields(w, map, what, ['pin', 'value', 'timeout']);
      return done({ op: 'expect-pin', pin: text(w, f.get('pin'), 'expect-pin.pin'), level: levelOf(w, f.get('value'), 'expect-pin.value'), timeout: timeoutOf(f) });
    }
    case 'expect-han': {
      if (!map) return w.fail(arg ?? node, `expect-han: expected {field: ${Object.keys(HAN_FIELDS).join('|')}, value: N | {min, max}, timeout} or {appliance: N, on: true|false, timeout}`);
      const f = fields(w, map, what, ['field', 'value', 'appliance', 'on', 'timeout']);
      if (f.has('appliance')) {
        return done({ op: 'expect-han-appliance', appliance: number(w, f.get('appliance'), 'expect-han.appliance'), on: levelOf(w, f.get('on'), 'expect-han.on'), timeout: timeoutOf(f) });
      }
      const field = text(w, f.get('field'), 'expect-han.field', Object.keys(HAN_FIELDS)) as HanField;
      if (!f.has('value')) w.fail(map, 'expect-han: needs value (a number or {min, max})');
      return done({ op: 'expect-han', field, match: match(w, f.get('value'), 'expect-han.value'), timeout: timeoutOf(f) });
    }
    case 'expect-uplink': {
      if (!map) return w.fail(arg ?? node, `expect-uplink: expected {type: ${Object.keys(UPLINK_FIELDS).join('|')}, FIELD: N | {min, max}…, timeout}`);
      const f = fields(w, map, what);
      const type = text(w, f.get('type'), 'expect-uplink.type', Object.keys(UPLINK_FIELDS));
      const out: Record<string, Match> = {};
      for (const [k, v] of f) {
        if (k === 'type' || k === 'timeout') continue;
        if (!UPLINK_FIELDS[type]!.includes(k)) w.fail(v ?? map, `expect-uplink: a ${type} has no field '${k}' (fields: ${UPLINK_FIELDS[type]!.join(', ')})`);
        out[k] = match(w, v, `expect-uplink.${k}`);
      }
      return done({ op: 'expect-uplink', type, fields: out, timeout: timeoutOf(f) });
    }
    case 'expect-log': {
      if (!map) return w.fail(arg ?? node, `expect-log: expected {log: ${LOGS.join('|')}, kind: NAME, result: NAME, aux, value, timeout}`);
      const f = fields(w, map, what, ['log', 'kind', 'result', 'aux', 'value', 'timeout']);
      const { kinds, results } = eventTable();
      const log = text(w, f.get('log'), 'expect-log.log', LOGS) as LogName;
      const code = (n: Node | null | undefined, table: Map<string, number>, what2: string): number => {
        if (isScalar(n) && typeof n.value === 'number') return n.value;
        return table.get(text(w, n, what2, [...table.keys()]))!;
      };
      const kind = code(f.get('kind'), kinds, 'expect-log.kind');
      const out: Record<string, Match> = {};
      if (f.has('result')) out.result = { eq: code(f.get('result'), results, 'expect-log.result') };
      for (const k of ['aux', 'value']) if (f.has(k)) out[k] = match(w, f.get(k), `expect-log.${k}`);
      return done({ op: 'expect-log', log, kind, fields: out, timeout: timeoutOf(f) });
    }
    case 'expect-billing': {
      const f = map ? fields(w, map, what, ['within_wh', 'timeout']) : new Map<string, Node | null>();
      if (!map) none();
      return done({ op: 'expect-billing', withinWh: f.has('within_wh') ? number(w, f.get('within_wh'), 'expect-billing.within_wh') : 1, timeout: timeoutOf(f) });
    }
    case 'expect-row': {
      if (!map) return w.fail(arg ?? node, `expect-row: expected {table: ${ROW_TABLES.join('|')}, COLUMN: value…, timeout}`);
      const f = fields(w, map, what);
      const table = text(w, f.get('table'), 'expect-row.table', ROW_TABLES) as RowTable;
      const { kinds, results } = eventTable();
      const out: Record<string, Match | { text: string }> = {};
      for (const [k, v] of f) {
        if (k === 'table' || k === 'timeout') continue;
        if (!ROW_COLUMNS[table].includes(k)) w.fail(v ?? map, `expect-row: the ${table} table has no column '${k}' here (columns: ${ROW_COLUMNS[table].join(', ')})`);
        const sv = isScalar(v) && typeof v.value === 'string' ? v.value : undefined;
        // A log's kind and result by their firmware/lib/events.ts names, as in expect-log.
        if (table === 'logs' && (k === 'kind' || k === 'result') && sv !== undefined) out[k] = { eq: (k === 'kind' ? kinds : results).get(text(w, v, `expect-row.${k}`, [...(k === 'kind' ? kinds : results).keys()]))! };
        else out[k] = sv !== undefined ? { text: sv } : match(w, v, `expect-row.${k}`);
      }
      return done({ op: 'expect-row', table, fields: out, timeout: timeoutOf(f) });
    }
  }
  return w.fail(node, `unknown step '${name}'`);
}

export function parseScenario(source: string, file: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false });
  const w = new Where(file, lc);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new InputError(`YAML: ${e.message.split('\n')[0]}`, { file, line: lc.linePos(e.pos[0]).line });
  }
  const root = doc.contents;
  if (!isMap(root)) return w.fail(root, 'a scenario is a map: name, meter (optional), timeout (optional), steps', 1);
  const top = fields(w, root, 'scenario', ['name', 'meter', 'central', 'timeout', 'steps', 'description']);
  const timeout = top.has('timeout') ? duration(w, top.get('timeout'), 'timeout') : DEFAULT_TIMEOUT_S;
  const stepsNode = top.get('steps');
  if (!isSeq(stepsNode) || stepsNode.items.length === 0) return w.fail(stepsNode ?? root, 'steps: expected a list of at least one step', 1);
  const meter = top.has('meter') ? resolve(dirname(file), text(w, top.get('meter'), 'meter')) : DEFAULT_METER;
  const central = centralOf(w, top.get('central'));
  const steps = stepsNode.items.map((n) => step(w, n as Node, timeout, source));
  return {
    file,
    name: top.has('name') ? text(w, top.get('name'), 'name') : file,
    meter,
    central,
    timeout,
    steps,
  };
}

/** `central: true`, `central: false`, `central: {db: SPEC}` (a SQLite path, relative to the cwd, or postgres://…). */
function centralOf(w: Where, n: Node | null | undefined): Scenario['central'] {
  if (n === undefined || n === null) return undefined;
  if (isScalar(n) && typeof n.value === 'boolean') return n.value ? {} : undefined;
  if (isMap(n)) return { db: text(w, fields(w, n, 'central', ['db']).get('db'), 'central.db') };
  return w.fail(n, 'central: expected true, false or {db: SQLITE_FILE | postgres://…}');
}

/** A scenario with expect-row and no central system in the loop (neither `central:` nor `--db`) is malformed. */
export function checkCentral(s: Scenario, dbGiven: boolean): void {
  const row = s.steps.find((x) => x.op === 'expect-row');
  if (row && !s.central && !dbGiven) throw new InputError("expect-row needs the central system in the loop: 'central: true' (or central: {db: …}) at the top, or --db", { file: s.file, line: row.line });
}

export function loadScenario(file: string): Scenario {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read scenario: ${(e as Error).message}`, { file });
  }
  return parseScenario(source, file);
}
