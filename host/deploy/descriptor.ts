// The deployment descriptor: JSON checked against descriptor.schema.json, then cross-references (nodes, modules,
// io names, connection ends) checked with errors that name file:line:column and the JSON path. A descriptor may
// extend another (`"extends"`): the merged deployment is checked, each error at the file and line that wrote it.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { InputError, type SourceLocation } from '../../toolchain/common/errors.ts';
import { jsonProblemsError, parseJsonSource } from '../../toolchain/common/json-source.ts';
import { schemaProblems } from '../../toolchain/common/json-schema-problems.ts';
import { schemaValidator } from '../../toolchain/common/json-schema.ts';

export interface NodeDesc {
  name: string;
  board?: string;
  node_key?: string;
  loader?: 'direct' | 'debug-uart' | SerialLoaderDesc;
  /** minimal (default): the host calls module entries through the emulator; firmware: firmware/runtime over the WAN. */
  runtime?: 'minimal' | 'firmware';
  /** The node's Sancus module slots (the core's NB_MODULES), overriding the board's. */
  module_slots?: number;
  /** firmware runtime on a real board: its WAN UART's serial line. */
  wan?: { serial: string; baud: number };
}

/** A board's openMSP430 serial debug interface on a real serial line (serial-port.ts). */
export interface SerialLoaderDesc {
  serial: string;
  baud: number;
  sync?: boolean;
}

export interface ModuleDesc {
  name: string;
  node: string;
  vendor_id: number;
  source: string;
  /** Assembly modules: their entries; AssemblyScript modules: optional (their exports), checked when given. */
  entries?: { name: string; results?: number }[];
  outputs?: string[];
  /** Assembly modules name each input's handler; AssemblyScript ones have `input_NAME` exports (handler ''). */
  inputs?: { name: string; handler: string }[];
  /** Entries the firmware runtime calls periodically. */
  periodic?: { entry: string; every_ms: number }[];
  connection_slots?: number;
  stack?: number;
  confidential_nonce?: number;
  /** A driver's register window, owned through its exclusive MMIO module (toolchain/sancus/module/mmio.ts). */
  mmio?: { peripheral: string; ports?: number[] };
  /** The node's protected scheduler (host/deploy/scheduler.ts, firmware/sched/sched.s; issue 20). */
  scheduler?: boolean;
}

export interface ConnectionDesc {
  id: number;
  from: string;
  to: string;
}

export type ScriptStep = { call: string; args?: number[]; expect?: number } | { forge: number; payload: string } | { replay: number }
  | { send: number; payload: string; expect_accepted?: boolean };

/** The module name of an endpoint that is the host on the WAN (`wan.NAME`): it holds that end's connection key. */
export const WAN_ENDPOINT = 'wan';

/** An AssemblyScript module: a .ts file or a folder (its index.ts). */
export const isAssemblyScript = (m: ModuleDesc): boolean => !/\.s$/i.test(m.source);

/** The DLMS/COSEM server of a module hosting one (host/meter/dlms-port.ts provisions it); `keys` resolved. */
export interface DlmsDesc {
  keys?: string;
  profile?: 'hardened' | 'standard';
  counter_threshold?: number;
}

export interface Descriptor {
  file: string;
  /** Directory module sources are relative to. */
  dir: string;
  dlms?: DlmsDesc;
  nodes: NodeDesc[];
  modules: ModuleDesc[];
  connections: ConnectionDesc[];
  script: ScriptStep[];
}

const SCHEMA = new URL('./descriptor.schema.json', import.meta.url);

const u16 = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));

export function parseDescriptor(text: string, file: string): Descriptor {
  const { data, at } = readLayer(text, file, []);
  const d: Descriptor = {
    file,
    dir: dirname(resolve(file)),
    dlms: data.dlms === undefined ? undefined : { ...data.dlms, keys: data.dlms.keys === undefined ? undefined : resolve(dirname(resolve(file)), data.dlms.keys) },
    nodes: data.nodes,
    modules: data.modules.map((m: any) => ({
      ...m,
      vendor_id: u16(m.vendor_id),
      inputs: m.inputs === undefined ? undefined : m.inputs.map((x: any) => (typeof x === 'string' ? { name: x, handler: '' } : x)),
      confidential_nonce: m.confidential_nonce === undefined ? undefined : u16(m.confidential_nonce),
    })),
    connections: (data.connections ?? []).map((c: any) => ({ ...c, id: u16(c.id) })),
    script: (data.script ?? []).map((s: any) => {
      if ('call' in s) return { ...s, args: (s.args ?? []).map(u16), expect: s.expect === undefined ? undefined : u16(s.expect) };
      if ('forge' in s) return { ...s, forge: u16(s.forge) };
      if ('send' in s) return { ...s, send: u16(s.send) };
      return { replay: u16(s.replay) };
    }),
  };
  crossCheck(d, at);
  return d;
}

export function loadDescriptor(file: string): Descriptor {
  return parseDescriptor(readDescriptorText(file), file);
}

function readDescriptorText(file: string, from?: SourceLocation): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read descriptor: ${(e as Error).message}`, from ?? { file });
  }
}

/** A descriptor's JSON, schema-checked, with where each value was written (its own file or the one it extends). */
interface Layer {
  data: any;
  at: (pointer: string) => SourceLocation;
}

/** The arrays `extends` merges by name: nodes and modules (the extending file's entry replaces the base's whole, or
 *  is added); connections are appended, and the extending file's script, if any, replaces the base's. */
const BY_NAME = ['nodes', 'modules'] as const;

function readLayer(text: string, file: string, chain: string[]): Layer {
  const src = parseJsonSource(text, file);
  const validator = schemaValidator(SCHEMA);
  // Every schema violation at once, each at its file:line:column.
  if (!validator(src.value)) throw jsonProblemsError(src, schemaProblems(validator.errors!, 'descriptor'));
  const own: Layer = { data: src.value, at: src.at };
  if (own.data.extends === undefined) return own;
  // A variant of a deployment (firmware/meter-dlms.json of firmware/meter.json) names only what differs, so the
  // two cannot drift apart: no hand-kept copy of the base's modules and connections.
  const basePath = resolve(dirname(resolve(file)), own.data.extends);
  const here = [...chain, resolve(file)];
  if (here.includes(basePath)) throw new InputError(`descriptor /extends: ${[...here, basePath].join(' → ')} extends itself`, src.at('/extends'));
  return extend(readLayer(readDescriptorText(basePath, src.at('/extends')), basePath, here), own, dirname(basePath), dirname(resolve(file)));
}

function extend(base: Layer, own: Layer, baseDir: string, ownDir: string): Layer {
  type Item = { value: any; at: (rest: string) => SourceLocation };
  const items = (layer: Layer, key: string): Item[] => (layer.data[key] ?? []).map((value: any, i: number) => ({ value, at: (rest: string) => layer.at(`/${key}/${i}${rest}`) }));
  const merged: Record<string, Item[]> = {};
  for (const key of BY_NAME) {
    // The base's module sources are relative to the base's file; the merged descriptor's to the extending one's.
    const list = items(base, key).map((it) => (key === 'modules' ? { ...it, value: { ...it.value, source: relative(ownDir, resolve(baseDir, it.value.source)) } } : it));
    for (const it of items(own, key)) {
      const k = list.findIndex((x) => x.value.name === it.value.name);
      if (k >= 0) list[k] = it;
      else list.push(it);
    }
    merged[key] = list;
  }
  merged.connections = [...items(base, 'connections'), ...items(own, 'connections')];
  merged.script = own.data.script !== undefined ? items(own, 'script') : items(base, 'script');
  const { extends: _, ...rest } = own.data;
  const data: any = { ...base.data, ...rest };
  if (own.data.dlms === undefined && base.data.dlms?.keys !== undefined) data.dlms = { ...base.data.dlms, keys: relative(ownDir, resolve(baseDir, base.data.dlms.keys)) };
  for (const [key, list] of Object.entries(merged)) data[key] = list.map((x) => x.value);
  const at = (pointer: string): SourceLocation => {
    const m = /^\/(nodes|modules|connections|script)\/(\d+)(\/.*)?$/.exec(pointer);
    const it = m ? merged[m[1]!]![Number(m[2])] : undefined;
    return it ? it.at(m![3] ?? '') : own.at(pointer);
  };
  return { data, at };
}

function crossCheck(d: Descriptor, at: (pointer: string) => SourceLocation): void {
  const fail = (path: string, msg: string): never => {
    throw new InputError(`descriptor ${path}: ${msg}`, at(path));
  };
  const nodes = new Set<string>();
  d.nodes.forEach((n, i) => {
    if (nodes.has(n.name)) fail(`/nodes/${i}/name`, `node '${n.name}' is defined twice`);
    nodes.add(n.name);
  });
  const modules = new Map<string, ModuleDesc>();
  d.modules.forEach((m, i) => {
    if (modules.has(m.name)) fail(`/modules/${i}/name`, `module '${m.name}' is defined twice`);
    if (!nodes.has(m.node)) fail(`/modules/${i}/node`, `module '${m.name}' is on node '${m.node}', which is not in "nodes"`);
    const io = [...(m.outputs ?? []), ...(m.inputs ?? []).map((x) => x.name)];
    const dup = io.find((x, j) => io.indexOf(x) !== j);
    if (dup) fail(`/modules/${i}`, `module '${m.name}' names io '${dup}' twice`);
    if (m.name === WAN_ENDPOINT) fail(`/modules/${i}/name`, `'${WAN_ENDPOINT}' names the host on the WAN in connections; a module cannot have that name`);
    if (m.scheduler) {
      // host/deploy/scheduler.ts generates it: its entries, io and MMIO window are fixed.
      if (d.nodes.find((n) => n.name === m.node)?.runtime !== 'firmware') fail(`/modules/${i}/scheduler`, `scheduler '${m.name}' needs the firmware runtime on node '${m.node}'`);
      if (m.entries || m.inputs || m.outputs || m.periodic) fail(`/modules/${i}`, `scheduler '${m.name}' takes no entries, io or periodic work of its own (its policy is the node's other modules' periodic entries and local connections)`);
      if (d.modules.some((x, j) => j !== i && x.node === m.node && x.scheduler)) fail(`/modules/${i}/scheduler`, `node '${m.node}' has two schedulers`);
    } else if (!isAssemblyScript(m)) {
      if (!m.entries) fail(`/modules/${i}`, `assembly module '${m.name}' must list its "entries"`);
      (m.inputs ?? []).forEach((x, j) => x.handler || fail(`/modules/${i}/inputs/${j}`, `assembly module '${m.name}': input '${x.name}' needs a handler`));
    }
    if (m.periodic?.length && d.nodes.find((n) => n.name === m.node)?.runtime !== 'firmware') fail(`/modules/${i}/periodic`, `periodic entries need the firmware runtime on node '${m.node}' ("runtime": "firmware")`);
    if (m.mmio && !isAssemblyScript(m) && !m.scheduler) fail(`/modules/${i}/mmio`, `module '${m.name}': an MMIO window is for AssemblyScript drivers (their hasm.mmio_* accesses become calls into the MMIO module)`);
    if (m.confidential_nonce === 0) fail(`/modules/${i}/confidential_nonce`, 'the nonce of a confidential load must not be 0 (0 means a plain load)');
    modules.set(m.name, m);
  });
  const ids = new Set<number>();
  const endpoint = (path: string, ep: string, kind: 'output' | 'input') => {
    const [mod, io] = ep.split('.') as [string, string];
    if (mod === WAN_ENDPOINT) return;
    const m = modules.get(mod) ?? fail(path, `no module '${mod}'`);
    // An AssemblyScript module's io comes from its source: checked after it is compiled (deploy.ts).
    if (isAssemblyScript(m) && (kind === 'output' ? !m.outputs : !m.inputs)) return;
    const list = kind === 'output' ? (m.outputs ?? []) : (m.inputs ?? []).map((x) => x.name);
    if (!list.includes(io)) fail(path, `module '${mod}' has no ${kind} '${io}' (its ${kind}s: ${list.join(', ') || 'none'})`);
  };
  d.connections.forEach((c, i) => {
    if (ids.has(c.id)) fail(`/connections/${i}/id`, `connection id ${c.id} is used twice`);
    ids.add(c.id);
    endpoint(`/connections/${i}/from`, c.from, 'output');
    endpoint(`/connections/${i}/to`, c.to, 'input');
    if (c.from.startsWith(`${WAN_ENDPOINT}.`) && c.to.startsWith(`${WAN_ENDPOINT}.`)) fail(`/connections/${i}`, 'a connection needs a module at one end at least');
  });
  d.script.forEach((s, i) => {
    if ('call' in s) {
      const [mod, entry] = s.call.split('.') as [string, string];
      const m = modules.get(mod) ?? fail(`/script/${i}/call`, `no module '${mod}'`);
      if (m.entries && !m.entries.some((e) => e.name === entry)) fail(`/script/${i}/call`, `module '${mod}' has no entry '${entry}'`);
    } else {
      const id = 'forge' in s ? s.forge : 'send' in s ? s.send : s.replay;
      if (!ids.has(id)) fail(`/script/${i}`, `no connection ${id}`);
      if ('send' in s && !d.connections.find((c) => c.id === id)!.from.startsWith(`${WAN_ENDPOINT}.`)) fail(`/script/${i}/send`, `connection ${id} does not come from the WAN (wan.NAME): the host holds no key to seal its events`);
    }
  });
}
