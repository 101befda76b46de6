// The deployer (seed §4.6.1/§4.6.3, authentic execution): builds each node's image, loads it, protects every module
// (plain or confidential load), attests each with a fresh challenge under the module key it expects, installs
// per-connection keys wrapped under the module keys of both ends, sets up the routes and periodic work, and runs the
// descriptor's script. Module keys are derived here from the node key (the deployer plays the infrastructure
// provider, as in the authentic-execution work) and never leave this process; so do the keys of connections whose
// other end is the host on the WAN (`wan.NAME`, e.g. the central system), which `session.wanKeys` hands to the
// host-side party in this process.
//
// Two kinds of node (descriptor `runtime`): `minimal` — a start-up, a loader routine and an outbox; the host calls
// module entries through the emulator and plays the event manager itself (the assembly examples); `firmware` —
// the untrusted runtime of firmware/runtime, reached only through frames on the node's WAN UART (wan.ts), emulated
// or on a real board over a serial line: it enables, attests, keys, routes and schedules on the deployer's messages.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBoard, type Board } from '../../boards/board.ts';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { describeViolation } from '../../toolchain/emulator/sancus/violations.ts';
import { sancusConfig } from '../../toolchain/emulator/sancus/config.ts';
import { deriveVendorKey } from '../../toolchain/sancus/index.ts';
import { compiledModuleSpec } from '../../toolchain/sancus/module/compiled.ts';
import { confidentialize, expectedModuleKey, moduleTcb, type ModuleInfo, type ModuleSpec, type ModuleTcb } from '../../toolchain/sancus/module/package.ts';
import { RUNTIME_ENTRIES } from '../../toolchain/sancus/module/runtime.ts';
import { mmioModuleSpec } from '../../toolchain/sancus/module/mmio.ts';
import { registerWindow } from '../../boards/register-window.ts';
import { buildNodeImage } from './build.ts';
import { compileAs } from './compile-as.ts';
import { isAssemblyScript, WAN_ENDPOINT, type Descriptor, type ModuleDesc, type NodeDesc } from './descriptor.ts';
import { isScheduler, SCHED_START, schedulerSpec } from './scheduler.ts';
import { EventManager, type SealedEvent } from './event-manager.ts';
import { FirmwareNode } from './firmware-node.ts';
import { EmulatedNode } from './node.ts';
import { buildRuntimeNodeImage, TICK_HZ, type UntrustedCode } from './runtime-image.ts';
import { loadOverSerial, loadRuntimeOverSerial } from './serial-node.ts';
import { openSerialWan } from './serial-wan.ts';
import { CHALLENGE_BYTES, attestationTag, openEvent, sealEvent, setKeyRequest } from './protocol.ts';
import { ROUTE, SETKEYS_PER_FRAME, WanClient } from './wan.ts';

export interface DeployOptions {
  /** Source of fresh challenges and connection keys (default: crypto.randomBytes). */
  random?: (n: number) => Uint8Array;
  /** Called after a node's image is loaded and before its modules are enabled (tests tamper with it here). */
  beforeEnable?: (node: EmulatedNode) => void;
  /** The same for an emulated node with the firmware runtime. */
  beforeEnableFirmware?: (node: FirmwareNode) => void;
  /** Untrusted code linked into every firmware runtime (the compromised-node hook of `hasm meter run`). */
  untrusted?: UntrustedCode;
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
  data_bytes: number;
  /** TCB bytes as the seed's Table 4.1 counts them: entry stub, module runtime, the module's code; its data. */
  tcb: ModuleTcb;
  confidential: boolean;
  attestation: { challenge: string; tag: string; ok: boolean; cycles: number };
}

export interface StepReport {
  step: number;
  kind: 'call' | 'forge' | 'replay' | 'send';
  what: string;
  result?: number;
  expected?: number;
  events: { connection: number; sealed: string; accepted: boolean; plaintext?: string }[];
  ok: boolean;
}

/** Start-up in CPU cycles of each emulated node (seed §4.6.4: "may prolong start-up by a few seconds"). */
export interface StartupReport {
  node: string;
  clock_hz: number;
  load_cycles: number;
  protect_cycles: number;
  attest_cycles: number;
  key_cycles: number;
  total_cycles: number;
  total_s: number;
}

export interface DeployReport {
  descriptor: string;
  nodes: { name: string; board: string; loader: string; runtime: string; modules: string[] }[];
  modules: ModuleReport[];
  connections: { id: number; from: string; to: string; keys_installed: boolean }[];
  startup: StartupReport[];
  script: StepReport[];
  violations: string[];
  ok: boolean;
}

/** One node as the deployer reaches it. */
export interface NodeHandle {
  desc: NodeDesc;
  board: Board;
  /** minimal runtime: the emulator's entry calls. */
  emulated?: EmulatedNode;
  /** firmware runtime, emulated. */
  firmware?: FirmwareNode;
  /** firmware runtime (emulated or on a board): its WAN protocol. */
  wan?: WanClient;
}

export interface Placed {
  desc: ModuleDesc;
  node: NodeHandle;
  info: ModuleInfo;
  key: Uint8Array;
  /** Runtime slot (firmware nodes): the module's index among its node's modules. */
  slot: number;
  /** Connection keys installed so far: the next set_key nonce. */
  keys: number;
  spec: ModuleSpec;
  /** The ID SM_ENABLE gave it. */
  id: number;
}

/** The host's end of a connection from or to the WAN (`wan.NAME`): its key and its next counter. */
export interface WanEnd {
  id: number;
  name: string;
  direction: 'to-node' | 'from-node';
  key: Uint8Array;
  counter: number;
}

/** What a deployment leaves running, for the host-side programs in this process (`hasm meter run`). */
export interface DeploySession {
  nodes: Map<string, NodeHandle>;
  modules: Map<string, Placed>;
  /** The drivers' exclusive MMIO modules (never attested or keyed): name → the ID SM_ENABLE gave it. */
  mmio: Map<string, number>;
  wanEnds: Map<number, WanEnd>;
  close(): Promise<void>;
}

/** A module's spec: its own assembly, or AssemblyScript (a .ts file or a folder) compiled and packaged. */
async function moduleSpec(d: Descriptor, m: ModuleDesc, board: Board): Promise<ModuleSpec> {
  const path = resolve(d.dir, m.source);
  if (isAssemblyScript(m)) {
    if (!existsSync(path) && !existsSync(path.replace(/\.ts$/, '.as'))) throw new InputError(`module '${m.name}': no source ${m.source}`, { file: d.file });
    const mmio = m.mmio && registerWindow(board, m.mmio.peripheral, m.mmio.ports);
    const c = await compileAs(path, board, undefined, mmio ? [mmio] : undefined);
    const spec = compiledModuleSpec(m.name, m.vendor_id, c.backend, { stackBytes: m.stack, file: c.file, memoryBase: Number(c.config.options.memoryBase ?? 0), mmio });
    const names = spec.entries.slice(1).map((e) => e.export ?? e.name);
    for (const e of m.entries ?? []) {
      if (!names.includes(e.name)) throw new InputError(`module '${m.name}': entry '${e.name}' is not an export of ${m.source} (exports: ${names.join(', ')})`, { file: d.file });
    }
    const io = spec.io!.io;
    for (const [kind, list] of [['output', m.outputs ?? []], ['input', (m.inputs ?? []).map((x) => x.name)]] as const) {
      for (const n of list) {
        if (!io.some((x) => x.kind === kind && x.name === n)) throw new InputError(`module '${m.name}': ${m.source} declares no ${kind} '${n}' (its ${kind}s: ${io.filter((x) => x.kind === kind).map((x) => x.name).join(', ') || 'none'})`, { file: d.file });
      }
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
    entries: m.entries ?? [],
    stackBytes: m.stack,
    io: { io: [...outputs, ...inputs], slots: m.connection_slots ?? (outputs.length + inputs.length) },
  };
}

/** io id of a module's output/input in its packaged spec. */
function ioId(p: Placed, io: string, kind: 'input' | 'output', path: string, file: string): number {
  const list = p.spec.io?.io ?? [];
  const id = list.findIndex((x) => x.kind === kind && x.name === io);
  if (id < 0) throw new InputError(`descriptor ${path}: module '${p.desc.name}' has no ${kind} '${io}' (its ${kind}s: ${list.filter((x) => x.kind === kind).map((x) => x.name).join(', ') || 'none'})`, { file });
  return id;
}

function entryIndex(p: Placed, entry: string): number {
  const i = p.spec.entries.findIndex((e) => (e.export ?? e.name) === entry);
  if (i < 0) throw new InputError(`module '${p.desc.name}' has no entry '${entry}' (entries: ${p.spec.entries.map((e) => e.export ?? e.name).join(', ')})`);
  return RUNTIME_ENTRIES.length + i;
}

/** A node's clock for start-up measurement: cycles the host waited on a firmware node, machine cycles otherwise. */
const cyclesOf = (n: NodeHandle): number => (n.firmware ? n.firmware.busyCycles : n.emulated?.machine.cycle ?? NaN);

export async function deploy(d: Descriptor, options: DeployOptions = {}): Promise<DeployReport> {
  const { report, session } = await deploySession(d, options);
  await session.close();
  return report;
}

export async function deploySession(d: Descriptor, options: DeployOptions = {}): Promise<{ report: DeployReport; session: DeploySession }> {
  const random = options.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const nodes = new Map<string, NodeHandle>();
  const placed = new Map<string, Placed>();
  const wanEnds = new Map<number, WanEnd>();
  const mmioIds = new Map<string, number>();
  const session: DeploySession = {
    nodes, modules: placed, mmio: mmioIds, wanEnds,
    close: async () => {
      for (const n of nodes.values()) await n.wan?.link.close();
    },
  };
  const report: DeployReport = { descriptor: d.file, nodes: [], modules: [], connections: [], startup: [], script: [], violations: [], ok: true };
  const startup = new Map<string, StartupReport>();
  const phase = async <T>(n: NodeHandle, key: 'protect_cycles' | 'attest_cycles' | 'key_cycles', f: () => Promise<T>): Promise<T> => {
    const c0 = cyclesOf(n);
    const r = await f();
    const s = startup.get(n.desc.name);
    if (s) s[key] += cyclesOf(n) - c0;
    return r;
  };

  try {
    // 1. Build and load each node; enable its modules.
    for (const n of d.nodes) {
      let board: Board = loadBoard(n.board ?? 'emulated');
      if (n.node_key) board = { ...board, sancus: { ...board.sancus, node_key: n.node_key } };
      if (n.module_slots) board = { ...board, sancus: { ...board.sancus, modules: n.module_slots } };
      const cfg = sancusConfig(board);
      if (!cfg) throw new InputError(`node '${n.name}': board '${board.name}' has no Sancus unit`, { file: d.file });
      const descs = d.modules.filter((m) => m.node === n.name);
      // Each driver's exclusive MMIO module takes a slot of its own, after the descriptor's modules.
      const drivers = descs.filter((m) => m.mmio);
      if (descs.length + drivers.length > cfg.modules) throw new InputError(`node '${n.name}': ${descs.length} modules and ${drivers.length} MMIO modules but board '${board.name}' has ${cfg.modules} module slots`, { file: d.file });
      const specs: ModuleSpec[] = [];
      for (const m of descs) if (!isScheduler(m)) specs.push(await moduleSpec(d, m, board));
      // The protected scheduler's policy names the other modules' entries: its spec comes last, in its slot.
      const sched = descs.findIndex(isScheduler);
      if (sched >= 0) {
        if (n.runtime !== 'firmware') throw new InputError(`node '${n.name}': a scheduler module needs the firmware runtime`, { file: d.file });
        specs.splice(sched, 0, schedulerSpec(d, descs[sched]!, board, new Map(specs.map((s) => [s.name, s]))));
      }
      const mmioSpecs = drivers.map((m) => mmioModuleSpec(m.name, m.vendor_id, registerWindow(board, m.mmio!.peripheral, m.mmio!.ports)));
      specs.push(...mmioSpecs);
      const firmware = n.runtime === 'firmware';
      const built = firmware ? await buildRuntimeNodeImage(board, specs, options.untrusted, sched >= 0 ? descs[sched]!.name : undefined) : buildNodeImage(board, specs);
      const handle: NodeHandle = { desc: n, board };
      if (typeof n.loader === 'object') {
        const confidential = descs.find((m) => m.confidential_nonce !== undefined);
        if (confidential) throw new OperationError(`not implemented: confidential load of module '${confidential.name}' over a serial line (node '${n.name}')`);
        if (!firmware) {
          // The minimal runtime has no way to reach module entries on a board: enable, report and stop.
          const ids = loadOverSerial(n.name, built.image, built.modules, n.loader);
          const list = built.modules.map((m, i) => `${m.name}=${ids[i]}`).join(', ');
          if (ids.includes(0)) throw new OperationError(`node '${n.name}' on ${n.loader.serial}: SM_ENABLE refused a module (IDs: ${list})`);
          throw new OperationError(`node '${n.name}': image flashed and modules enabled over ${n.loader.serial} (IDs: ${list}); a board's modules are reached through the firmware runtime: set "runtime": "firmware" and "wan": {serial, baud}`, { node: n.name, ids });
        }
        if (!n.wan) throw new InputError(`node '${n.name}': a board with the firmware runtime needs "wan": {serial, baud} (its WAN UART's line)`, { file: d.file });
        loadRuntimeOverSerial(n.name, built.image, n.loader);
        handle.wan = new WanClient(n.name, await openSerialWan(n.wan));
      } else if (firmware) {
        if (n.loader === 'debug-uart') throw new OperationError(`not implemented: loader 'debug-uart' with the firmware runtime (node '${n.name}'); use 'direct' or a serial line`);
        handle.firmware = new FirmwareNode(n.name, board, built.image);
        handle.wan = new WanClient(n.name, handle.firmware.link);
        startup.set(n.name, { node: n.name, clock_hz: board.cpu.clock_hz, load_cycles: handle.firmware.machine.cycle, protect_cycles: 0, attest_cycles: 0, key_cycles: 0, total_cycles: 0, total_s: 0 });
        options.beforeEnableFirmware?.(handle.firmware);
      } else {
        handle.emulated = new EmulatedNode(n.name, board, built.image, built.modules, { loader: n.loader as 'direct' | 'debug-uart' | undefined });
        startup.set(n.name, { node: n.name, clock_hz: board.cpu.clock_hz, load_cycles: handle.emulated.machine.cycle, protect_cycles: 0, attest_cycles: 0, key_cycles: 0, total_cycles: 0, total_s: 0 });
        options.beforeEnable?.(handle.emulated);
      }
      nodes.set(n.name, handle);
      report.nodes.push({ name: n.name, board: board.name, loader: typeof n.loader === 'object' ? `serial ${n.loader.serial}` : n.loader ?? 'direct', runtime: n.runtime ?? 'minimal', modules: descs.map((m) => m.name) });
      for (const [slot, m] of descs.entries()) {
        const info = built.modules.find((x) => x.name === m.name)!;
        const vendorKey = deriveVendorKey(cfg.nodeKey, m.vendor_id);
        const key = expectedModuleKey(info, vendorKey);
        const id = await phase(handle, 'protect_cycles', async () => {
          const em = handle.emulated;
          if (m.confidential_nonce !== undefined) {
            if (!em) throw new OperationError(`not implemented: confidential load of module '${m.name}' with the firmware runtime (the wrapped text is written into program memory by the host)`);
            // The image travels encrypted: only the node's hardware (holding the node key) can decrypt it.
            const { cipher, tag } = confidentialize(info, vendorKey, m.confidential_nonce);
            cipher.forEach((b, i) => em.machine.bus.poke(info.layout.textStart + i, b));
            em.write(em.mailbox, tag);
            return em.enable(m.name, { nonce: m.confidential_nonce, tagAddress: em.mailbox });
          }
          // A compiled module's start function (entry 3) runs right after enabling, in the same request.
          return em ? em.enable(m.name) : handle.wan!.enable(slot, info.vendorId, info.layout, isAssemblyScript(m) ? RUNTIME_ENTRIES.length : undefined);
        });
        if (id === 0) throw new OperationError(`node '${n.name}': SM_ENABLE refused module '${m.name}'${m.confidential_nonce !== undefined ? ' (confidential load: tag mismatch)' : ''}`);
        const p: Placed = { desc: m, node: handle, info, key, slot, keys: 0, spec: specs[slot]!, id };
        placed.set(m.name, p);
        // A compiled module runs its wasm start function (global initialisers, initial memory) once, through entry 3.
        if (isAssemblyScript(m) && handle.emulated) await phase(handle, 'protect_cycles', () => callModule(p, RUNTIME_ENTRIES.length, []));
      }
      // The MMIO modules: enabled, never attested or keyed by the deployer (naked: no key use) — each driver checks
      // its MMIO module's identity itself (SM_VERIFY_ADDR against the MAC in its attested text, mmio.ts).
      for (const [k, spec] of mmioSpecs.entries()) {
        const info = built.modules.find((x) => x.name === spec.name)!;
        const id = await phase(handle, 'protect_cycles', async () => (handle.emulated ? handle.emulated.enable(spec.name) : handle.wan!.enable(descs.length + k, info.vendorId, info.layout)));
        if (id === 0) throw new OperationError(`node '${n.name}': SM_ENABLE refused MMIO module '${spec.name}'`);
        mmioIds.set(spec.name, id);
      }
    }

    // 2. Attest every module with a fresh challenge.
    for (const p of placed.values()) {
      const challenge = random(CHALLENGE_BYTES);
      const c0 = cyclesOf(p.node);
      const { result, tag } = await phase(p.node, 'attest_cycles', () => attest(p, challenge));
      const ok = result === 1 && hex(tag) === hex(attestationTag(p.key, challenge));
      const l = p.info.layout;
      report.modules.push({
        name: p.desc.name,
        node: p.node.desc.name,
        id: p.id,
        vendor_id: h4(p.desc.vendor_id),
        layout: { text_start: h4(l.textStart), text_end: h4(l.textEnd), data_start: h4(l.dataStart), data_end: h4(l.dataEnd) },
        text_bytes: l.textEnd - l.textStart,
        data_bytes: l.dataEnd - l.dataStart,
        tcb: moduleTcb(p.info),
        confidential: p.desc.confidential_nonce !== undefined,
        attestation: { challenge: hex(challenge), tag: hex(tag), ok, cycles: cyclesOf(p.node) - c0 || 0 },
      });
      if (!ok) {
        throw new OperationError(`attestation of module '${p.desc.name}' on node '${p.node.desc.name}' failed: it is not the module the descriptor describes (tampered image or wrong node key)`, { module: p.desc.name, tag: hex(tag) });
      }
    }

    // 3. Keyed connections: one fresh key per connection, wrapped under each module end's key; routes.
    const em = new EventManager();
    const keyQueue = new Map<NodeHandle, { p: Placed; conn: number; slot: number; route: number; request: Uint8Array }[]>();
    const flushKeys = async (n: NodeHandle) => {
      const q = keyQueue.get(n) ?? [];
      if (!q.length) return;
      keyQueue.set(n, []);
      const rs = await phase(n, 'key_cycles', () => n.wan!.setKeys(q));
      rs.forEach((r, i) => {
        if (r !== 1) throw new OperationError(`connection ${q[i]!.conn}: module '${q[i]!.p.desc.name}' refused its key (set_key)`);
      });
    };
    for (const [i, c] of d.connections.entries()) {
      const connKey = random(8);
      const ends = ([[c.from, 'output'], [c.to, 'input']] as const).map(([ep, kind], k) => {
        const [mod, io] = ep.split('.') as [string, string];
        if (mod === WAN_ENDPOINT) return { p: undefined, io, kind };
        const p = placed.get(mod)!;
        return { p, io, kind, id: ioId(p, io, kind, `/connections/${i}/${k ? 'to' : 'from'}`, d.file) };
      });
      const [from, to] = ends as [typeof ends[0], typeof ends[0]];
      // Routes (firmware nodes, set with the key): the receiving node's runtime delivers locally; a sender on
      // another node (or with a WAN receiver) has its runtime send the event out on the WAN, where the host carries it.
      const routeOf = (e: typeof from): number => {
        if (!e.p?.node.wan) return 0;
        if (e === to) return ROUTE.local;
        return !to.p || to.p.node !== e.p.node ? ROUTE.wan : 0;
      };
      for (const e of ends) {
        if (!e.p) continue;
        const p = e.p;
        const req = setKeyRequest(p.key, c.id, e.id!, p.keys, connKey);
        p.keys++;
        if (p.node.wan) {
          // Firmware nodes: batched, several requests a frame (the WAN line's bytes are most of the start-up).
          const q = keyQueue.get(p.node) ?? [];
          keyQueue.set(p.node, q);
          q.push({ p, conn: c.id, slot: p.slot, route: routeOf(e), request: req });
          if (q.length === SETKEYS_PER_FRAME) await flushKeys(p.node);
          continue;
        }
        const r = await phase(p.node, 'key_cycles', () => setKey(p, req, 0));
        if (r !== 1) throw new OperationError(`connection ${c.id}: module '${p.desc.name}' refused its key (set_key)`);
      }
      if (!from.p) wanEnds.set(c.id, { id: c.id, name: from.io, direction: 'to-node', key: connKey, counter: 0 });
      if (!to.p) wanEnds.set(c.id, { id: c.id, name: to.io, direction: 'from-node', key: connKey, counter: 0 });
      if (to.p?.node.emulated) em.routes.set(c.id, { node: to.p.node.emulated, module: to.p.desc.name });
      report.connections.push({ id: c.id, from: c.from, to: c.to, keys_installed: true });
    }

    for (const n of keyQueue.keys()) await flushKeys(n);

    // 4. Periodic work on firmware nodes; then their schedulers start.
    const scheduled = new Set([...placed.values()].filter((p) => isScheduler(p.desc)).map((p) => p.node));
    for (const p of placed.values()) {
      if (scheduled.has(p.node)) continue; // the node's scheduler calls them (its attested policy)
      for (const w of p.desc.periodic ?? []) {
        await p.node.wan!.periodic(p.slot, entryIndex(p, w.entry), Math.max(1, Math.round((w.every_ms * TICK_HZ) / 1000)));
      }
    }
    for (const n of nodes.values()) if (n.wan && !scheduled.has(n) && d.modules.some((m) => m.node === n.desc.name && m.periodic?.length)) await n.wan.start();
    for (const p of placed.values()) {
      if (!isScheduler(p.desc)) continue;
      const [r] = await p.node.wan!.call(p.slot, SCHED_START);
      if (r !== 1) throw new OperationError(`node '${p.node.desc.name}': scheduler '${p.desc.name}' did not start (its Timer_A MMIO module is not the genuine one)`);
    }
    for (const s of startup.values()) {
      s.total_cycles = s.load_cycles + s.protect_cycles + s.attest_cycles + s.key_cycles;
      s.total_s = s.total_cycles / s.clock_hz;
      report.startup.push(s);
    }

    // 5. The script.
    const last = new Map<number, SealedEvent>();
    /** Carries events that left a node on its WAN: to another node's runtime, or to the host end that holds the key. */
    const carry = async (events: SealedEvent[], out: StepReport['events']) => {
      for (const e of events) {
        last.set(e.connection, e);
        const end = wanEnds.get(e.connection);
        if (end?.direction === 'from-node') {
          const plain = openEvent(end.key, end.counter, e.sealed);
          if (plain) end.counter++;
          out.push({ connection: e.connection, sealed: hex(e.sealed), accepted: plain !== null, plaintext: plain ? hex(plain) : undefined });
          continue;
        }
        out.push({ connection: e.connection, sealed: hex(e.sealed), accepted: await deliver(e) });
      }
    };
    const deliver = async (e: SealedEvent): Promise<boolean> => {
      const c = d.connections.find((x) => x.id === e.connection);
      const to = c && placed.get(c.to.split('.')[0]!);
      if (!to) throw new OperationError(`event manager: no route for connection ${e.connection}`);
      if (to.node.wan) {
        const ok = await to.node.wan.event(e.connection, e.sealed);
        return ok;
      }
      return em.deliver(e);
    };
    for (const [step, s] of d.script.entries()) {
      if ('call' in s) {
        const [mod, entry] = s.call.split('.') as [string, string];
        const p = placed.get(mod)!;
        const r = await callModule(p, entryIndex(p, entry), s.args ?? []);
        const events: StepReport['events'] = [];
        await carry(r.events, events);
        const result = r.registers[0]!;
        const ok = (s.expect === undefined || s.expect === result) && events.every((x) => x.accepted);
        report.script.push({ step, kind: 'call', what: `${s.call}(${(s.args ?? []).join(', ')})`, result, expected: s.expect, events, ok });
      } else if ('forge' in s) {
        // The event manager has no connection key: the best it can do is a payload with a made-up tag.
        const payload = Uint8Array.from(Buffer.from(s.payload, 'hex'));
        const sealed = Uint8Array.from([...payload, ...random(8)]);
        const accepted = await deliver({ connection: s.forge, sealed });
        report.script.push({ step, kind: 'forge', what: `forged event on connection ${s.forge}`, events: [{ connection: s.forge, sealed: hex(sealed), accepted }], ok: !accepted });
      } else if ('send' in s) {
        const end = wanEnds.get(s.send)!;
        const sealed = sealEvent(end.key, end.counter, Uint8Array.from(Buffer.from(s.payload, 'hex')));
        const e = { connection: s.send, sealed };
        last.set(s.send, e);
        const accepted = await deliver(e);
        if (accepted) end.counter++;
        const events: StepReport['events'] = [{ connection: s.send, sealed: hex(sealed), accepted }];
        const to = placed.get(d.connections.find((x) => x.id === s.send)!.to.split('.')[0]!)!;
        if (to.node.wan) await carry(to.node.wan.takeOutputs(), events);
        const want = s.expect_accepted ?? true;
        report.script.push({ step, kind: 'send', what: `host sends ${s.payload} on connection ${s.send}`, events, ok: accepted === want && events.slice(1).every((x) => x.accepted) });
      } else {
        const e = last.get(s.replay);
        if (!e) throw new InputError(`script step ${step}: nothing to replay on connection ${s.replay} yet`, { file: d.file });
        const accepted = await deliver(e);
        report.script.push({ step, kind: 'replay', what: `replayed event on connection ${s.replay}`, events: [{ connection: s.replay, sealed: hex(e.sealed), accepted }], ok: !accepted });
      }
    }
  } catch (e) {
    await session.close();
    throw e;
  }

  for (const n of nodes.values()) {
    const u = n.emulated?.sancus ?? n.firmware?.sancus;
    if (u) report.violations.push(...u.violations.map((v) => `${n.desc.name}: ${describeViolation(v)}`));
  }
  report.ok = report.script.every((s) => s.ok) && report.violations.length === 0;
  return { report, session };
}

/** Calls a module entry; returns r12–r15 and the events that left the node for the host to carry. */
export async function callModule(p: Placed, index: number, args: number[]): Promise<{ registers: number[]; events: SealedEvent[]; cycles: number }> {
  const n = p.node;
  if (n.emulated) {
    const r = n.emulated.callEntry(p.desc.name, index, args);
    return { registers: r.registers.slice(12, 16), events: new EventManager().collect(n.emulated), cycles: r.cycles };
  }
  const c0 = cyclesOf(n);
  const registers = await n.wan!.call(p.slot, index, args);
  return { registers, events: n.wan!.takeOutputs(), cycles: cyclesOf(n) - c0 };
}

async function attest(p: Placed, challenge: Uint8Array): Promise<{ result: number; tag: Uint8Array }> {
  const em = p.node.emulated;
  if (em) {
    const box = em.mailbox;
    em.write(box, challenge);
    const r = em.callEntry(p.desc.name, RUNTIME_ENTRIES.indexOf('attest'), [box, box + CHALLENGE_BYTES]);
    return { result: r.registers[12]!, tag: em.read(box + CHALLENGE_BYTES, 8) };
  }
  return p.node.wan!.attest(p.slot, challenge);
}

async function setKey(p: Placed, req: Uint8Array, route: number): Promise<number> {
  const em = p.node.emulated;
  if (em) {
    em.write(em.mailbox, req);
    return em.callEntry(p.desc.name, RUNTIME_ENTRIES.indexOf('set_key'), [em.mailbox]).registers[12]!;
  }
  return p.node.wan!.setKey(p.slot, req, route);
}
