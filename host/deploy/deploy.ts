// The deployer (seed §4.6.1/§4.6.3, authentic execution): builds each node's image, loads it on an emulated node,
// protects every module (plain or confidential load), attests each with a fresh challenge under the module key it
// expects, installs per-connection keys wrapped under the module keys of both ends, routes events through the
// untrusted event manager and runs the descriptor's script. Module keys are derived here from the node key (the
// deployer plays the infrastructure provider, as in the authentic-execution work) and never leave this process.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBoard, type Board } from '../../boards/board.ts';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { describeViolation } from '../../toolchain/emulator/sancus/violations.ts';
import { sancusConfig } from '../../toolchain/emulator/sancus/config.ts';
import { deriveVendorKey } from '../../toolchain/sancus/index.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { compiledModuleSpec } from '../../toolchain/sancus/module/compiled.ts';
import { confidentialize, expectedModuleKey, type ModuleInfo, type ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { RUNTIME_ENTRIES } from '../../toolchain/sancus/module/runtime.ts';
import { buildNodeImage } from './build.ts';
import type { Descriptor, ModuleDesc } from './descriptor.ts';
import { EventManager, type SealedEvent } from './event-manager.ts';
import { EmulatedNode } from './node.ts';
import { loadOverSerial } from './serial-node.ts';
import { CHALLENGE_BYTES, attestationTag, setKeyRequest } from './protocol.ts';

export interface DeployOptions {
  /** Source of fresh challenges and connection keys (default: crypto.randomBytes). */
  random?: (n: number) => Uint8Array;
  /** Called after a node's image is loaded and before its modules are enabled (tests tamper with it here). */
  beforeEnable?: (node: EmulatedNode) => void;
}

const h4 = (v: number) => '0x' + v.toString(16).padStart(4, '0');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export interface ModuleReport {
  name: string;
  node: string;
  id: number;
  vendor_id: string;
  layout: { text_start: string; text_end: string; data_start: string; data_end: string };
  text_bytes: number;
  confidential: boolean;
  attestation: { challenge: string; tag: string; ok: boolean; cycles: number };
}

export interface StepReport {
  step: number;
  kind: 'call' | 'forge' | 'replay';
  what: string;
  result?: number;
  expected?: number;
  events: { connection: number; sealed: string; accepted: boolean }[];
  ok: boolean;
}

export interface DeployReport {
  descriptor: string;
  nodes: { name: string; board: string; loader: string; modules: string[] }[];
  modules: ModuleReport[];
  connections: { id: number; from: string; to: string; keys_installed: boolean }[];
  script: StepReport[];
  violations: string[];
  ok: boolean;
}

interface Placed {
  desc: ModuleDesc;
  node: EmulatedNode;
  info: ModuleInfo;
  key: Uint8Array;
  /** Connection keys installed so far: the next set_key nonce. */
  keys: number;
  spec: ModuleSpec;
}

/** A module's spec: its own assembly, or AssemblyScript (`.ts`) compiled by toolchain/compiler and packaged. */
async function moduleSpec(d: Descriptor, m: ModuleDesc, board: Board): Promise<ModuleSpec> {
  const path = resolve(d.dir, m.source);
  if (path.endsWith('.ts')) {
    if ((m.outputs ?? []).length || (m.inputs ?? []).length) {
      throw new InputError(`module '${m.name}': inputs/outputs are not implemented for compiled (AssemblyScript) modules yet; write the module in assembly`, { file: d.file });
    }
    const build = await buildSource(path, board);
    const spec = compiledModuleSpec(m.name, m.vendor_id, build.backend, { stackBytes: m.stack, file: path });
    const names = spec.entries.slice(1).map((e) => e.name);
    for (const e of m.entries) {
      if (!names.includes(e.name)) throw new InputError(`module '${m.name}': entry '${e.name}' is not an export of ${m.source} (exports: ${names.join(', ')})`, { file: d.file });
    }
    return spec;
  }
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`module '${m.name}': cannot read source: ${(e as Error).message}`, { file: d.file });
  }
  const outputs = (m.outputs ?? []).map((name) => ({ kind: 'output' as const, name }));
  const inputs = (m.inputs ?? []).map((x) => ({ kind: 'input' as const, name: x.name, handler: x.handler }));
  return {
    name: m.name,
    vendorId: m.vendor_id,
    source,
    file: path,
    entries: m.entries,
    stackBytes: m.stack,
    io: { io: [...outputs, ...inputs], slots: m.connection_slots ?? (outputs.length + inputs.length) },
  };
}

/** io id of a module's output/input: outputs first, then inputs (the order moduleSpec lays them out). */
function ioId(m: ModuleDesc, io: string): number {
  const list = [...(m.outputs ?? []), ...(m.inputs ?? []).map((x) => x.name)];
  return list.indexOf(io);
}

export async function deploy(d: Descriptor, options: DeployOptions = {}): Promise<DeployReport> {
  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const nodes = new Map<string, EmulatedNode>();
  const placed = new Map<string, Placed>();
  const report: DeployReport = { descriptor: d.file, nodes: [], modules: [], connections: [], script: [], violations: [], ok: true };

  // 1. Build and load each node; enable its modules.
  for (const n of d.nodes) {
    let board: Board = loadBoard(n.board ?? 'emulated');
    if (n.node_key) board = { ...board, sancus: { ...board.sancus, node_key: n.node_key } };
    const cfg = sancusConfig(board);
    if (!cfg) throw new InputError(`node '${n.name}': board '${board.name}' has no Sancus unit`, { file: d.file });
    const descs = d.modules.filter((m) => m.node === n.name);
    if (descs.length > cfg.modules) throw new InputError(`node '${n.name}': ${descs.length} modules but board '${board.name}' has ${cfg.modules} module slots`, { file: d.file });
    const specs: ModuleSpec[] = [];
    for (const m of descs) specs.push(await moduleSpec(d, m, board));
    const built = buildNodeImage(board, specs);
    if (typeof n.loader === 'object') {
      // A board on a serial line: load and enable through its debug interface, then stop before the steps that
      // still need the emulator (module calls for attestation, keys and events).
      const confidential = descs.find((m) => m.confidential_nonce !== undefined);
      if (confidential) throw new OperationError(`not implemented: confidential load of module '${confidential.name}' over a serial line (node '${n.name}')`);
      const ids = loadOverSerial(n.name, built.image, built.modules, n.loader);
      const list = built.modules.map((m, i) => `${m.name}=${ids[i]}`).join(', ');
      if (ids.includes(0)) throw new OperationError(`node '${n.name}' on ${n.loader.serial}: SM_ENABLE refused a module (IDs: ${list})`);
      throw new OperationError(`node '${n.name}': image flashed and modules enabled over ${n.loader.serial} (IDs: ${list}); not implemented: attestation, key installation and events on a board (module calls through the debug interface)`, { node: n.name, ids });
    }
    const node = new EmulatedNode(n.name, board, built.image, built.modules, { loader: n.loader });
    nodes.set(n.name, node);
    options.beforeEnable?.(node);
    report.nodes.push({ name: n.name, board: board.name, loader: n.loader ?? 'direct', modules: descs.map((m) => m.name) });
    for (const m of descs) {
      const info = built.modules.find((x) => x.name === m.name)!;
      const vendorKey = deriveVendorKey(cfg.nodeKey, m.vendor_id);
      const key = expectedModuleKey(info, vendorKey);
      let id: number;
      if (m.confidential_nonce !== undefined) {
        // The image travels encrypted: only the node's hardware (holding the node key) can decrypt it.
        const { cipher, tag } = confidentialize(info, vendorKey, m.confidential_nonce);
        cipher.forEach((b, i) => node.machine.bus.poke(info.layout.textStart + i, b));
        node.write(node.mailbox, tag);
        id = node.enable(m.name, { nonce: m.confidential_nonce, tagAddress: node.mailbox });
      } else id = node.enable(m.name);
      if (id === 0) throw new OperationError(`node '${n.name}': SM_ENABLE refused module '${m.name}'${m.confidential_nonce !== undefined ? ' (confidential load: tag mismatch)' : ''}`);
      placed.set(m.name, { desc: m, node, info, key, keys: 0, spec: specs[descs.indexOf(m)]! });
      // A compiled module runs its wasm start function (global initialisers) once, through entry 3.
      if (m.source.endsWith('.ts')) node.callEntry(m.name, RUNTIME_ENTRIES.length);
    }
  }

  // 2. Attest every module with a fresh challenge.
  for (const p of placed.values()) {
    const challenge = random(CHALLENGE_BYTES);
    const box = p.node.mailbox;
    p.node.write(box, challenge);
    const r = p.node.callEntry(p.desc.name, RUNTIME_ENTRIES.indexOf('attest'), [box, box + CHALLENGE_BYTES]);
    const tag = p.node.read(box + CHALLENGE_BYTES, 8);
    const ok = r.registers[12] === 1 && hex(tag) === hex(attestationTag(p.key, challenge));
    const l = p.info.layout;
    report.modules.push({
      name: p.desc.name,
      node: p.node.name,
      id: p.node.module(p.desc.name).id,
      vendor_id: h4(p.desc.vendor_id),
      layout: { text_start: h4(l.textStart), text_end: h4(l.textEnd), data_start: h4(l.dataStart), data_end: h4(l.dataEnd) },
      text_bytes: l.textEnd - l.textStart,
      confidential: p.desc.confidential_nonce !== undefined,
      attestation: { challenge: hex(challenge), tag: hex(tag), ok, cycles: r.cycles },
    });
    if (!ok) {
      throw new OperationError(`attestation of module '${p.desc.name}' on node '${p.node.name}' failed: it is not the module the descriptor describes (tampered image or wrong node key)`, { module: p.desc.name, tag: hex(tag) });
    }
  }

  // 3. Keyed connections: one fresh key per connection, wrapped under each end's module key.
  const em = new EventManager();
  for (const c of d.connections) {
    const connKey = random(8);
    const ends = [c.from, c.to].map((ep) => {
      const [mod, io] = ep.split('.') as [string, string];
      return { p: placed.get(mod)!, io };
    });
    for (const { p, io } of ends) {
      const req = setKeyRequest(p.key, c.id, ioId(p.desc, io), p.keys, connKey);
      p.node.write(p.node.mailbox, req);
      const r = p.node.callEntry(p.desc.name, RUNTIME_ENTRIES.indexOf('set_key'), [p.node.mailbox]);
      if (r.registers[12] !== 1) throw new OperationError(`connection ${c.id}: module '${p.desc.name}' refused its key (set_key)`);
      p.keys++;
    }
    em.routes.set(c.id, { node: ends[1]!.p.node, module: ends[1]!.p.desc.name });
    report.connections.push({ id: c.id, from: c.from, to: c.to, keys_installed: true });
  }

  // 4. The script: calls (their output events routed), forged and replayed events from the untrusted side.
  const last = new Map<number, SealedEvent>();
  d.script.forEach((s, step) => {
    if ('call' in s) {
      const [mod, entry] = s.call.split('.') as [string, string];
      const p = placed.get(mod)!;
      const index = RUNTIME_ENTRIES.length + p.spec.entries.findIndex((e) => e.name === entry);
      const r = p.node.callEntry(mod, index, s.args ?? []);
      const events: StepReport['events'] = [];
      const e = em.collect(p.node);
      if (e) {
        const accepted = em.deliver(e);
        last.set(e.connection, e);
        events.push({ connection: e.connection, sealed: hex(e.sealed), accepted });
      }
      const result = r.registers[12]!;
      const ok = (s.expect === undefined || s.expect === result) && events.every((x) => x.accepted);
      report.script.push({ step, kind: 'call', what: `${s.call}(${(s.args ?? []).join(', ')})`, result, expected: s.expect, events, ok });
    } else if ('forge' in s) {
      // The event manager has no connection key: the best it can do is a payload with a made-up tag.
      const payload = Uint8Array.from(Buffer.from(s.payload, 'hex'));
      const sealed = Uint8Array.from([...payload, ...random(8)]);
      const accepted = em.deliver({ connection: s.forge, sealed });
      report.script.push({ step, kind: 'forge', what: `forged event on connection ${s.forge}`, events: [{ connection: s.forge, sealed: hex(sealed), accepted }], ok: !accepted });
    } else {
      const e = last.get(s.replay);
      if (!e) throw new InputError(`script step ${step}: nothing to replay on connection ${s.replay} yet`, { file: d.file });
      const accepted = em.deliver(e);
      report.script.push({ step, kind: 'replay', what: `replayed event on connection ${s.replay}`, events: [{ connection: s.replay, sealed: hex(e.sealed), accepted }], ok: !accepted });
    }
  });

  for (const n of nodes.values()) report.violations.push(...n.sancus.violations.map((v) => `${n.name}: ${describeViolation(v)}`));
  report.ok = report.script.every((s) => s.ok) && report.violations.length === 0;
  return report;
}
