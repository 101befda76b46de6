// The deployment descriptor: JSON checked against descriptor.schema.json, then cross-references (nodes, modules,
// io names, connection ends) checked with errors that name file:line:column and the JSON path.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { InputError } from '../../toolchain/common/errors.ts';
import { jsonProblemsError, parseJsonSource, type JsonSource } from '../../toolchain/common/json-source.ts';
import { schemaProblems } from '../../toolchain/common/json-schema-problems.ts';

export interface NodeDesc {
  name: string;
  board?: string;
  node_key?: string;
  loader?: 'direct' | 'debug-uart' | SerialLoaderDesc;
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
  entries: { name: string; results?: number }[];
  outputs?: string[];
  inputs?: { name: string; handler: string }[];
  connection_slots?: number;
  stack?: number;
  confidential_nonce?: number;
}

export interface ConnectionDesc {
  id: number;
  from: string;
  to: string;
}

export type ScriptStep = { call: string; args?: number[]; expect?: number } | { forge: number; payload: string } | { replay: number };

export interface Descriptor {
  file: string;
  /** Directory module sources are relative to. */
  dir: string;
  nodes: NodeDesc[];
  modules: ModuleDesc[];
  connections: ConnectionDesc[];
  script: ScriptStep[];
}

const SCHEMA = new URL('./descriptor.schema.json', import.meta.url);
let validator: ReturnType<Ajv2020['compile']> | undefined;

const u16 = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));

export function parseDescriptor(text: string, file: string): Descriptor {
  const src = parseJsonSource(text, file);
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
    delete schema.$schema;
    validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  }
  // Every schema violation at once, each at its file:line:column.
  if (!validator(src.value)) throw jsonProblemsError(src, schemaProblems(validator.errors!, 'descriptor'));
  const data = src.value as any;
  const d: Descriptor = {
    file,
    dir: dirname(resolve(file)),
    nodes: data.nodes,
    modules: data.modules.map((m: any) => ({
      ...m,
      vendor_id: u16(m.vendor_id),
      confidential_nonce: m.confidential_nonce === undefined ? undefined : u16(m.confidential_nonce),
    })),
    connections: (data.connections ?? []).map((c: any) => ({ ...c, id: u16(c.id) })),
    script: (data.script ?? []).map((s: any) => {
      if ('call' in s) return { ...s, args: (s.args ?? []).map(u16), expect: s.expect === undefined ? undefined : u16(s.expect) };
      if ('forge' in s) return { ...s, forge: u16(s.forge) };
      return { replay: u16(s.replay) };
    }),
  };
  crossCheck(d, src);
  return d;
}

export function loadDescriptor(file: string): Descriptor {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read descriptor: ${(e as Error).message}`, { file });
  }
  return parseDescriptor(text, file);
}

function crossCheck(d: Descriptor, src: JsonSource): void {
  const fail = (path: string, msg: string): never => {
    throw new InputError(`descriptor ${path}: ${msg}`, src.at(path));
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
    if (m.confidential_nonce === 0) fail(`/modules/${i}/confidential_nonce`, 'the nonce of a confidential load must not be 0 (0 means a plain load)');
    modules.set(m.name, m);
  });
  const ids = new Set<number>();
  const endpoint = (path: string, ep: string, kind: 'output' | 'input') => {
    const [mod, io] = ep.split('.') as [string, string];
    const m = modules.get(mod) ?? fail(path, `no module '${mod}'`);
    const list = kind === 'output' ? (m.outputs ?? []) : (m.inputs ?? []).map((x) => x.name);
    if (!list.includes(io)) fail(path, `module '${mod}' has no ${kind} '${io}' (its ${kind}s: ${list.join(', ') || 'none'})`);
  };
  d.connections.forEach((c, i) => {
    if (ids.has(c.id)) fail(`/connections/${i}/id`, `connection id ${c.id} is used twice`);
    ids.add(c.id);
    endpoint(`/connections/${i}/from`, c.from, 'output');
    endpoint(`/connections/${i}/to`, c.to, 'input');
  });
  d.script.forEach((s, i) => {
    if ('call' in s) {
      const [mod, entry] = s.call.split('.') as [string, string];
      const m = modules.get(mod) ?? fail(`/script/${i}/call`, `no module '${mod}'`);
      if (!m.entries.some((e) => e.name === entry)) fail(`/script/${i}/call`, `module '${mod}' has no entry '${entry}'`);
    } else {
      const id = 'forge' in s ? s.forge : s.replay;
      if (!ids.has(id)) fail(`/script/${i}`, `no connection ${id}`);
    }
  });
}
