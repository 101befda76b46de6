import { homedir } from 'node:os';
import { join } from 'node:path';
import { OperationError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { dataFromTypedJson, dataToJson, type CosemData } from '../../dlms/axdr.ts';
import type { DlmsClient } from '../../dlms/client.ts';
import { connect } from '../../dlms/connect.ts';
import { FileCounterStore } from '../../dlms/counter-store.ts';
import { decodeDateTime } from '../../dlms/datetime.ts';
import { DlmsDecodeError, DlmsRejectedError } from '../../dlms/errors.ts';
import { bufferRows, captureColumns, className, columnName, csv, renderValue, rightsText, scalerUnit, table } from '../../dlms/present.ts';
import { unitName } from '../../dlms/units.ts';
import { watch } from '../../dlms/watch.ts';
import { checkKeysForSuite, loadKeys } from '../../dlms/keys.ts';
import { listen } from '../../dlms/listen.ts';
import { formatObis, parseObis } from '../../dlms/obis.ts';
import type { Mechanism, Profile } from '../../dlms/security/hls.ts';
import type { SuiteId } from '../../dlms/security/suites.ts';
import { defaultServerConfig, DEFAULT_CLIENT_SAP } from '../../dlms/server/config.ts';
import { DlmsServer } from '../../dlms/server/server.ts';
import { ServerState } from '../../dlms/server/state.ts';
import { claimState, legacyReservationFloor, stateFileFor, stateIdentity } from '../../dlms/server/state-identity.ts';
import { openChannel, parseDlmsUrl } from '../../dlms/url.ts';
import { printJson, parseFlags, type Command, type CommandIO } from '../command.ts';

// `hasm dlms serve|get|set|action|associate|scan` (../shared/CLI.md, issue 12).

const HELP = `usage:
  hasm dlms serve [--port P] [--host H] [--keys FILE] [--profile hardened|standard] [--suite 0|1|2] [--state FILE]
       [--share-state] [--legacy] [--counter-threshold N] [--quiet] [--json]
  hasm dlms get|set|action|associate|scan URL [OBIS] [--attr N] [--method N] [--class N] [--value JSON]
       [--keys FILE] [--auth none|lls|hls-gmac|hls-sha256|hls-ecdsa] [--suite 0|1|2] [--profile hardened|standard]
       [--client-sap N] [--server-sap N] [--physical N] [--frame-counter OBIS] [--association OBIS]
       [--state FILE] [--timeout MS] [--counter-threshold N] [--sign] [--legacy] [--json] [--csv] [--watch SECONDS]

URL: tcp://HOST:PORT (wrapper), hdlc+tcp://HOST:PORT, serial:/dev/ttyX[@BAUD]. --physical N gives HDLC a 2-byte
(4-byte above 127) server address. --frame-counter / --association: where this meter keeps its frame counter
(default 0.0.43.1.0.255, read as the public client to recover a lost counter) and its Association LN.
--value is typed JSON: {"type": "long-unsigned", "value": 5}, arrays/structures nest, octet strings as hex.
--counter-threshold N (hardened): the largest accepted jump of a peer's invocation counter (default 1000000),
the seed's guard against a forged counter pushing a meter towards a key change.
--sign (suites 1/2): wrap requests in general-signing and require signed responses.
Without --json, get and scan print tables: values scaled with unit names (Wh, V, A), dates decoded, OBIS dotted.
get --csv prints a profile generic buffer (attribute 2) as CSV, one column per capture object.
get --watch SECONDS polls in one association and prints the first value and every change (with --json, one object
per change with its "time"), until interrupted.
Keys: ../shared/CLI.md keys file; host/dlms/demo-keys.json when --keys is absent.
serve --quiet: no line per connection (refusals and errors are still logged).
Client counters persist in --state (default ~/.hasm/dlms-client.json). The server's persist per identity — the
server system title and key its GCM nonces are made of — in --state (default
~/.hasm/dlms-server-TITLE-FINGERPRINT.json, whatever the port), so no invocation counter is ever used twice; a
second server of the same identity is refused while the first runs, unless both are started with --share-state
(they then draw counter blocks from the one state).
Exit: 0 ok, 1 association/authentication/ciphering/access failure, 2 bad usage or input.`;

const AUTHS = ['none', 'lls', 'hls-gmac', 'hls-sha256', 'hls-ecdsa'];
const LEGACY = ['hls-md5', 'hls-sha1'];

const stateDir = () => process.env.HASM_STATE_DIR ?? join(homedir(), '.hasm');

function profileOf(v: string | undefined): Profile {
  if (v === undefined) return 'hardened';
  if (v !== 'hardened' && v !== 'standard') throw new UsageError(`--profile must be hardened or standard, got '${v}'`);
  return v;
}

function suiteOf(v: string | undefined): SuiteId {
  if (v === undefined) return 0;
  const n = parseInteger(v, '--suite');
  if (n !== 0 && n !== 1 && n !== 2) throw new UsageError('--suite must be 0, 1 or 2');
  return n;
}

async function serve(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    keys: { type: 'string' },
    profile: { type: 'string' },
    suite: { type: 'string' },
    state: { type: 'string' },
    legacy: { type: 'boolean' },
    'counter-threshold': { type: 'string' },
    'share-state': { type: 'boolean' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
  }, false);
  const port = values.port ? parseInteger(values.port, '--port') : 4059;
  const profile = profileOf(values.profile);
  const keys = loadKeys(values.keys);
  const cfg = defaultServerConfig(keys, profile, suiteOf(values.suite), !!values.legacy);
  if (values.legacy) io.err('warning: --legacy offers HLS-MD5 (client SAP 5) and HLS-SHA1 (SAP 6): broken hash functions, read-only access');
  checkKeysForSuite(keys, cfg.suite, values.keys ?? 'demo keys');
  if (values['counter-threshold']) cfg.counterJumpThreshold = parseInteger(values['counter-threshold'], '--counter-threshold');
  // Counters belong to the identity the GCM nonce is made of (server system title and key), not to the port.
  const stateFile = values.state ?? stateFileFor(stateDir(), keys);
  const state = new ServerState(stateFile, { identity: stateIdentity(keys), floor: values.state ? 0 : legacyReservationFloor(stateDir()) });
  const server = new DlmsServer(cfg, state);
  server.onRefusal = (r) => io.err(`dlms serve: ${r}`);
  const tcp = await listen(server, {
    port,
    host: values.host,
    onError: (e, remote) => io.err(`dlms serve: ${remote}: ${e.message}`),
    onConnection: values.quiet ? undefined : (remote, framing) => io.err(`dlms serve: ${remote} connected (${framing})`),
  }).catch((e: Error) => {
    throw new OperationError(`cannot listen on port ${port}: ${e.message}`);
  });
  const addr = tcp.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  // Claimed once the port is known, so a refusal can name it. Nonces are safe even in between: every counter block
  // is taken above the highest reservation in the file, under its lock (state.ts).
  let releaseState: () => void;
  try {
    releaseState = claimState(stateFile, { shared: !!values['share-state'], port: actual });
  } catch (e) {
    tcp.close();
    throw e;
  }
  io.err(`dlms serve: listening on ${values.host ?? '127.0.0.1'}:${actual} (profile ${profile}, suite ${cfg.suite}, state ${stateFile})`);
  if (values.json) printJson(io, { port: actual, profile, suite: cfg.suite, state: stateFile });
  await new Promise<void>((resolve) => {
    const stop = () => {
      tcp.close();
      state.flush();
      releaseState();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

interface ClientFlags {
  url: string;
  obis?: string;
  values: Record<string, string | boolean | undefined>;
}

async function withClient<T>(f: ClientFlags, io: CommandIO, body: (c: DlmsClient) => Promise<T>): Promise<T> {
  const v = f.values;
  const auth = (v.auth as string | undefined) ?? 'none';
  if (LEGACY.includes(auth)) {
    if (!v.legacy) throw new UsageError(`--auth ${auth} is a legacy mechanism (MD5/SHA-1): add --legacy to use it anyway`);
    io.err(`warning: ${auth} relies on a broken hash function; use hls-sha256 or hls-ecdsa`);
  } else if (!AUTHS.includes(auth)) throw new UsageError(`--auth must be one of ${AUTHS.join('|')}`);
  const mechanism = auth as Mechanism;
  const keys = loadKeys(v.keys as string | undefined);
  checkKeysForSuite(keys, suiteOf(v.suite as string | undefined), (v.keys as string | undefined) ?? 'demo keys');
  const url = parseDlmsUrl(f.url);
  const clientSap = v['client-sap'] ? parseInteger(v['client-sap'] as string, '--client-sap') : DEFAULT_CLIENT_SAP[mechanism];
  const serverSap = v['server-sap'] ? parseInteger(v['server-sap'] as string, '--server-sap') : 1;
  const timeoutMs = v.timeout ? parseInteger(v.timeout as string, '--timeout') : 5000;
  const physical = v.physical ? parseInteger(v.physical as string, '--physical') : undefined;
  const obisFlag = (name: string) => {
    const t = v[name] as string | undefined;
    if (t === undefined) return undefined;
    try {
      parseObis(t);
    } catch (e) {
      throw new UsageError(`--${name}: ${(e as Error).message}`);
    }
    return t;
  };
  const frameCounterObis = obisFlag('frame-counter');
  const association = obisFlag('association');
  const counters = new FileCounterStore((v.state as string | undefined) ?? join(stateDir(), 'dlms-client.json'));
  const client = await connect((sap) => openChannel(url, sap, { serverSap, timeoutMs, physical }), {
    frameCounterObis,
    associationLn: association ? parseObis(association) : undefined,
    mechanism,
    profile: profileOf(v.profile as string | undefined),
    keys,
    suite: suiteOf(v.suite as string | undefined),
    counters,
    clientSap,
    legacy: !!v.legacy,
    sign: !!v.sign,
    counterJumpThreshold: v['counter-threshold'] ? parseInteger(v['counter-threshold'] as string, '--counter-threshold') : undefined,
  });
  try {
    const r = await body(client);
    await client.release().catch((e: Error) => io.err(`warning: release failed: ${e.message}`));
    return r;
  } finally {
    await client.channel.close();
  }
}

async function classOf(c: DlmsClient, ln: Uint8Array, given: string | undefined): Promise<number> {
  if (given) return parseInteger(given, '--class');
  // Like mainstream clients, learn the class from the association's object list.
  const list = await c.get(15, '0.0.40.0.0.255', 2);
  if (list.type === 'array') {
    for (const e of list.value) {
      if (e.type !== 'structure') continue;
      const [cls, , name] = e.value;
      if (name?.type === 'octet-string' && Buffer.from(name.value).equals(Buffer.from(ln)) && cls?.type === 'long-unsigned') return cls.value;
    }
  }
  throw new OperationError(`${formatObis(ln)} is not in this association's object list`, { obis: formatObis(ln) });
}

function parseValue(text: string | undefined): CosemData {
  if (text === undefined) throw new UsageError('--value JSON is required');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--value is not JSON: ${(e as Error).message}`);
  }
  try {
    return dataFromTypedJson(j);
  } catch (e) {
    if (e instanceof DlmsDecodeError) throw new UsageError(`--value: ${e.message}`);
    throw e;
  }
}

const CLIENT_FLAGS = {
  attr: { type: 'string' },
  method: { type: 'string' },
  class: { type: 'string' },
  value: { type: 'string' },
  keys: { type: 'string' },
  auth: { type: 'string' },
  suite: { type: 'string' },
  profile: { type: 'string' },
  'client-sap': { type: 'string' },
  'server-sap': { type: 'string' },
  state: { type: 'string' },
  timeout: { type: 'string' },
  physical: { type: 'string' },
  'frame-counter': { type: 'string' },
  'counter-threshold': { type: 'string' },
  association: { type: 'string' },
  legacy: { type: 'boolean' },
  sign: { type: 'boolean' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  watch: { type: 'string' },
} as const;

const OBIS_LIKE = /^\d{1,3}([.:\-*]\d{1,3}){5}$/;

async function clientCommand(sub: string, argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, CLIENT_FLAGS);
  const [url, obisText, ...extra] = positionals;
  if (!url) throw new UsageError(`hasm dlms ${sub}: URL is required (tcp://HOST:PORT, hdlc+tcp://HOST:PORT or serial:/dev/ttyX)`);
  const needsObis = sub === 'get' || sub === 'set' || sub === 'action';
  if (needsObis && !obisText && OBIS_LIKE.test(url)) {
    throw new UsageError(`hasm dlms ${sub}: the URL is missing before ${url} (tcp://HOST:PORT, hdlc+tcp://HOST:PORT or serial:/dev/ttyX)`);
  }
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (needsObis && !obisText) throw new UsageError(`hasm dlms ${sub}: OBIS is required after the URL`);
  if (values.csv && sub !== 'get') throw new UsageError('--csv is for `get` of a profile generic buffer');
  if (values.csv && values.json) throw new UsageError('--csv and --json exclude each other');
  if (values.watch !== undefined && sub !== 'get') throw new UsageError('--watch is for `get`');
  const watchMs = values.watch !== undefined ? parsePositiveSeconds(values.watch) : undefined;
  let ln: Uint8Array | undefined;
  try {
    ln = obisText ? parseObis(obisText) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const attr = values.attr ? parseInteger(values.attr, '--attr') : 2;
  const value = sub === 'set' || (sub === 'action' && values.value !== undefined) ? parseValue(values.value) : undefined;
  const flags: ClientFlags = { url, obis: obisText, values };
  const out = await withClient(flags, io, async (c): Promise<{ json: unknown; text: string }> => {
    const info = c.association!;
    if (sub === 'associate') {
      const json = {
        associated: true,
        mechanism: c.opts.mechanism,
        profile: c.opts.profile,
        ciphered: info.ciphered,
        conformance: info.conformance,
        server_max_pdu: info.serverMaxPdu,
        server_system_title: info.serverTitle ? Buffer.from(info.serverTitle).toString('hex') : null,
      };
      return { json, text: table(['field', 'value'], Object.entries(json).map(([k, v]) => [k, String(v)])) };
    }
    if (sub === 'scan') {
      const list = await c.get(15, '0.0.40.0.0.255', 2);
      const objects = list.type === 'array' ? list.value.map(describeEntry) : [];
      return { json: { objects }, text: scanTable(objects) };
    }
    const cls = await classOf(c, ln!, values.class);
    const obis = formatObis(ln!);
    if (sub === 'get') {
      if (watchMs !== undefined) return { json: undefined, text: await watchGet(c, cls, ln!, attr, watchMs, !!values.json, io) };
      return readForDisplay(c, cls, ln!, attr, !!values.csv);
    }
    if (sub === 'set') {
      await c.set(cls, ln!, attr, value!);
      const json = { obis, attr, class: cls, ok: true };
      return { json, text: `${obis}:${attr} (${className(cls)}) set` };
    }
    const method = values.method ? parseInteger(values.method, '--method') : values.attr ? attr : 1;
    const r = await c.action(cls, ln!, method, value);
    const json = { obis, method, class: cls, ok: true, value: r ? dataToJson(r) : null };
    return { json, text: `${obis} method ${method} (${className(cls)}) done${r ? `: ${renderValue(r)}` : ''}` };
  });
  if (watchMs !== undefined) return 0; // the watch printed as it went
  if (values.json) printJson(io, out.json);
  else io.out(out.text);
  return 0;
}

function parsePositiveSeconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--watch takes a number of seconds above 0, got '${text}'`);
  return Math.round(n * 1000);
}

/** `get` of one attribute: the ../shared/CLI.md JSON shape, and the integrator's table (or CSV of a profile buffer). */
async function readForDisplay(c: DlmsClient, cls: number, ln: Uint8Array, attr: number, asCsv: boolean): Promise<{ json: unknown; text: string }> {
  const obis = formatObis(ln);
  const v = await c.get(cls, ln, attr);
  if (asCsv && !(cls === 7 && attr === 2)) throw new UsageError(`--csv is for profile generic buffers (class 7 attribute 2), not ${className(cls)} attribute ${attr}`);
  if ((cls === 3 || cls === 4) && attr === 2) {
    // Exactly the shape of ../shared/CLI.md for a register.
    const suData = await c.get(cls, ln, 3);
    const su = scalerUnit(suData);
    if (suData.type !== 'structure' || suData.value.length !== 2 || !su) throw new OperationError(`${obis}: scaler_unit is not {scaler, unit}`);
    const json = { obis, attr, value: dataToJson(v), scaler: dataToJson(suData.value[0]!), unit: dataToJson(suData.value[1]!) };
    const shown = renderValue(v, { ...su, unit: 255 });
    return { json, text: table(['OBIS', 'attr', 'class', 'value', 'unit', 'raw'], [[obis, String(attr), className(cls), shown, unitName(su.unit), `${String(dataToJson(v))} × 10^${su.scaler}`]]) };
  }
  const json: Record<string, unknown> = { obis, attr, class: cls, value: dataToJson(v) };
  if (cls === 8 && attr === 2 && v.type === 'octet-string') {
    const t = decodeDateTime(v.value);
    if (t) json.time = t.toISOString();
  }
  if (cls === 7 && attr === 2) {
    const cols = captureColumns(await c.get(7, ln, 3));
    for (const col of cols) {
      if (col.classId !== 3 && col.classId !== 4) continue;
      // The column's scaler and unit, when this association may read them.
      col.su = scalerUnit(await c.get(col.classId, col.ln, 3).catch((e: Error) => {
        if (e instanceof DlmsRejectedError) return undefined;
        throw e;
      }));
    }
    const headers = cols.length ? cols.map(columnName) : ['value'];
    const rows = bufferRows(v, cols);
    return { json, text: asCsv ? csv(headers, rows) : `${obis}:2 (${className(cls)}), ${rows.length} rows\n${table(headers, rows)}` };
  }
  return { json, text: table(['OBIS', 'attr', 'class', 'value'], [[obis, String(attr), className(cls), renderValue(v)]]) };
}

/** `get --watch`: the first value and every change, one line (or one JSON object) each, until interrupted. */
async function watchGet(c: DlmsClient, cls: number, ln: Uint8Array, attr: number, intervalMs: number, json: boolean, io: CommandIO): Promise<string> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let current: { json: unknown; text: string } | undefined;
  try {
    await watch(
      async () => {
        current = await readForDisplay(c, cls, ln, attr, false);
        return JSON.stringify(current.json);
      },
      {
        intervalMs,
        signal: stop.signal,
        onChange: (_v, at) => {
          if (json) printJson(io, { time: at.toISOString(), ...(current!.json as object) });
          else io.out(`${at.toISOString()}  ${current!.text.split('\n').slice(2).join('\n')}`);
        },
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return '';
}

function scanTable(objects: unknown[]): string {
  const rows = objects.map((o) => {
    const e = o as { class: number; version: number; obis: string; attributes: [number, number][]; methods: [number, number][] };
    const modes = (l: [number, number][]) => l.map(([, m]) => m);
    return [e.obis, className(e.class), String(e.version), rightsText(modes(e.attributes), 'attributes'), rightsText(modes(e.methods), 'methods')];
  });
  return table(['OBIS', 'class', 'version', 'attributes (r read, w write)', 'methods (x may invoke)'], rows);
}

function describeEntry(e: CosemData): unknown {
  if (e.type !== 'structure') return dataToJson(e);
  const [cls, ver, ln, rights] = e.value;
  const modes = (x: CosemData | undefined) =>
    x?.type === 'array' ? x.value.map((s) => (s.type === 'structure' ? [dataToJson(s.value[0]!), dataToJson(s.value[1]!)] : null)) : [];
  return {
    class: dataToJson(cls!),
    version: dataToJson(ver!),
    obis: ln?.type === 'octet-string' && ln.value.length === 6 ? formatObis(ln.value) : dataToJson(ln!),
    attributes: rights?.type === 'structure' ? modes(rights.value[0]) : [],
    methods: rights?.type === 'structure' ? modes(rights.value[1]) : [],
  };
}

export const dlmsCommand: Command = {
  summary: 'DLMS/COSEM reference server and client (serve, get, set, action, associate, scan)',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'serve') return serve(rest, io);
    if (sub === 'get' || sub === 'set' || sub === 'action' || sub === 'associate' || sub === 'scan') return clientCommand(sub, rest, io);
    throw new UsageError(`hasm dlms: unknown subcommand '${sub ?? ''}' (serve|get|set|action|associate|scan)`);
  },
};
