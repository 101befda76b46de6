// `hasm meter run` (../shared/CLI.md "The meter"; issue 18 item 6): the meter built, deployed, attested and keyed on
// its emulated node (host/deploy with the firmware runtime), its metrology front end fed a load profile in virtual
// time, run for a simulated duration; the host plays the central system's and the data concentrator's ends of
// their connections (it holds those keys: readings and log entries open only under them) and the in-home display
// (the HAN line's frames). Optionally its UARTs on loopback TCP ports, and untrusted code linked into the runtime.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import type { Ade7953 } from '../../toolchain/emulator/peripherals/ade7953.ts';
import type { Relay } from '../../toolchain/emulator/peripherals/relay.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { deploySession, type DeployReport, type DeploySession } from '../deploy/deploy.ts';
import { loadDescriptor } from '../deploy/descriptor.ts';
import type { FirmwareNode } from '../deploy/firmware-node.ts';
import { openEvent, sealEvent } from '../deploy/protocol.ts';
import { NoAnswerError, T } from '../deploy/wan.ts';
import { HanParser } from './han.ts';
import { decodeUplink } from '../central/messages.ts';
import type { LogEntry } from './driver.ts';
import { explainRelay } from './relay-cause.ts';
import { provisionDlms, WanLineClients, type DlmsSettings } from './dlms-port.ts';
import { loadKeys } from '../dlms/keys.ts';

export interface MeterRunOptions {
  descriptor: string;
  load?: LoadProfile;
  /** Simulated seconds. */
  seconds: number;
  /** 'max' or a multiple of real time; read at every simulated second, so a caller may change it during the run
   *  (tests: real time slowed once their clients start reading, so a loaded machine cannot end the run under them). */
  speed: 'max' | number;
  /** UARTs exposed on loopback TCP ports. */
  uarts?: { name: 'wan' | 'han'; port: number }[];
  untrusted?: string;
  random?: (n: number) => Uint8Array;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** The DLMS server's settings when the WAN line is exposed (default: demo keys, hardened profile, threshold 10^6). */
  dlms?: Partial<DlmsSettings>;
  /** Ends the run early (tests: once their clients on the exposed UARTs are done). */
  stop?: AbortSignal;
  /** Called with the node after its image is loaded, before its modules are enabled (tests: the non-volatile chips
   *  of a previous boot, a reset kept across runs). */
  prepare?: (node: FirmwareNode) => void;
}

export interface MeterReport {
  simulated_s: number;
  wall_s: number;
  energy_wh_fed: number;
  energy_wh_registered: number;
  readings: number;
  han_frames: number;
  han_max_gap_s: number;
  relay: { t: number; state: 'on' | 'off'; cause: string }[];
  violations: { t: number; pc: number; address: number; module: string | null }[];
  logs: { metrology: number | null; security: number | null; offswitch: number | null };
  tcb_bytes: number;
  startup_s: number;
  deploy: DeployReport;
}

/** The central system's connection ends, by the `wan.NAME` names of firmware/meter.json. */
const UPLINK = 'central_up';
const CENTRAL = 'central';
const LOGS = 'logs';
/** firmware/lib/events.ts CMD_LOG_READ and firmware/logs/logs.ts's log numbers. */
const CMD_LOG_READ = 0x07;
const LOG = { metrology: 0, security: 1, offswitch: 2 } as const;
const READING_TAG = 0x80;

export async function runMeter(o: MeterRunOptions): Promise<MeterReport> {
  const d = loadDescriptor(o.descriptor);
  const untrusted = o.untrusted === undefined ? undefined : { source: readSource(o.untrusted), file: o.untrusted };
  const started = Date.now();
  const { report: deployReport, session } = await deploySession(d, { random: o.random, untrusted, beforeEnableFirmware: o.prepare });
  const servers: Server[] = [];
  try {
    const node = meterNode(session);
    const m = node.machine;
    const hz = node.board.cpu.clock_hz;
    const front = m.deviceByName.get('metrology') as Ade7953 | undefined;
    const relay = m.deviceByName.get('relay') as Relay | undefined;
    if (!front) throw new OperationError(`node '${node.name}': its board has no metrology front end ('metrology')`);
    const t0 = m.cycle;
    const fed0 = front.fed().wh;
    if (o.load) front.setProfile(o.load, t0);
    const relay0 = relay?.history.length ?? 0;

    // The host's connection ends: readings and log entries open only under the keys the deployer kept.
    const ends = new Map([...session.wanEnds.values()].filter((e) => e.direction === 'from-node').map((e) => [e.id, e]));
    let readings = 0;
    let registered = 0;
    const han = new HanParser();
    let hanFrames = 0;
    let lastHan = t0;
    let maxGap = 0;
    let hanSent = 0;
    const sockets = await exposeUarts(node, o.uarts ?? [], servers);
    // The WAN line exposed: the meter's DLMS/COSEM endpoint (CS security) gets its keys and its wrapper frames.
    const centralEnd = [...session.wanEnds.values()].find((e) => e.direction === 'to-node' && e.name === CENTRAL);
    const wanClient = [...session.nodes.values()].find((x) => x.firmware === node)!.wan!;
    if (centralEnd && o.uarts?.some((u) => u.name === 'wan')) {
      // The descriptor's settings (its "dlms": keys file, profile, threshold), then the caller's (--dlms-profile).
      const dd = d.dlms ?? {};
      const host = await provisionDlms(session, wanClient, centralEnd, { keys: loadKeys(dd.keys), profile: dd.profile ?? 'hardened', threshold: dd.counter_threshold ?? 1_000_000, icFloor: 0, ...o.dlms });
      if (host) o.progress?.(`meter: DLMS/COSEM served by module '${host}' on the WAN line`);
    }
    /** Log sequence numbers (entries ever appended) the logs module reported, by log. */
    const logSeq = new Map<number, number>();
    /** The last log entry read back (CMD_LOG_READ's answer), decoded. */
    let lastEntry: LogEntry | null = null;
    /** An event that left the meter on the WAN: believed only when it opens under its key with the next counter. */
    const received = (conn: number, sealed: Uint8Array) => {
      const end = ends.get(conn);
      if (!end) return;
      const plain = openEvent(end.key, end.counter, sealed);
      if (!plain) return;
      end.counter++;
      const dv = new DataView(plain.buffer, plain.byteOffset, plain.length);
      if (end.name === UPLINK && plain.length >= 16 && dv.getUint16(0, true) === READING_TAG) {
        readings++;
        registered += dv.getUint32(12, true);
      } else if (end.name === LOGS && plain.length >= 8) {
        logSeq.set(plain[0]!, dv.getUint32(4, true));
        const u = decodeUplink(plain);
        if (u.type === 'log' && u.found) lastEntry = { log: u.log as LogEntry['log'], seq: u.seq - u.index, time: u.time, kind: u.kind, result: u.result, aux: u.aux, value: u.value };
      }
    };

    const total = Math.round(o.seconds * hz);
    // One simulated second per step; 20 ms while a client is on the WAN line of a paced run: the sockets are served
    // between steps, and a head-end's request waited up to a second of real time for its answer at --speed 1.
    const step = () => (pace.speed !== 'max' && sockets.wan.length ? Math.round(hz / 50) : hz);
    // The pace's anchor: wall time and simulated cycles when the current speed took effect.
    let pace = { speed: o.speed, wall: Date.now(), done: 0 };
    for (let done = 0; done < total && !o.stop?.aborted; ) {
      if (o.speed !== pace.speed) pace = { speed: o.speed, wall: Date.now(), done };
      const n = Math.min(step(), total - done);
      node.advance(n);
      done += n;
      for (const f of node.takeFrames()) {
        if (f.type === T.output && f.payload.length >= 10) received(f.payload[0]! | (f.payload[1]! << 8), f.payload.slice(2));
      }
      for (const h of han.push(node.hanBytes, node.hanCycles)) {
        hanFrames++;
        maxGap = Math.max(maxGap, (h.cycle - lastHan) / hz);
        lastHan = h.cycle;
      }
      if (sockets.han.length && hanSent < node.hanBytes.length) {
        const chunk = Buffer.from(node.hanBytes.slice(hanSent));
        for (const s of sockets.han) s.write(chunk);
      }
      hanSent = node.hanBytes.length;
      if (pace.speed !== 'max') {
        const due = pace.wall + (((done - pace.done) / hz) * 1000) / pace.speed;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // Behind the pace (a loaded machine) the loop catches up, but still lets the clients on the exposed UARTs
        // in between simulated seconds: without this a run behind its pace never served a socket, and the meter's
        // time ran to the end while a client's request sat unread (test/firmware/dlms-backed failed under load).
        else if (sockets.any || o.stop) await new Promise((r) => setImmediate(r));
        // As fast as it goes: clients on the exposed UARTs are heard between simulated steps, a stop (SIGINT) every
        // 16 (not every one: a simulated day is 86,400 steps, each a turn of the event loop).
      } else if (sockets.any || (o.stop && (done / hz) % 16 === 0)) await new Promise((r) => setImmediate(r));
      if (Math.floor(done / (600 * hz)) > Math.floor((done - n) / (600 * hz))) o.progress?.(`meter: ${Math.floor(done / (600 * hz)) * 600} s simulated, ${readings} readings, ${hanFrames} HAN frames`);
    }
    maxGap = Math.max(maxGap, (m.cycle - lastHan) / hz);
    // The run's TCP clients leave the WAN line before the closing reads below share it: nothing of theirs arrives
    // after this, and a frame of theirs left unfinished is dropped by the runtime after two ticks of silence.
    const tEnd = m.cycle;
    if (servers.length) {
      detach(servers);
      node.advance(Math.round(hz / 2));
    } // the run's end; the closing log reads below take a little more virtual time
    // The logs' sizes, as the central system learns them: a log read (CMD_LOG_READ) of each log's newest entry
    // through CS security, answered sealed on the logs' connection with the log's sequence number. (Each read is
    // itself a security-log entry; the security log is read last.)
    const central = [...session.wanEnds.values()].find((e) => e.direction === 'to-node' && e.name === CENTRAL);
    const client = [...session.nodes.values()].find((x) => x.firmware === node)!.wan!;
    const readLog = async (which: number, index: number): Promise<LogEntry | null> => {
      lastEntry = null;
      const sealed = sealEvent(central!.key, central!.counter, Uint8Array.of(CMD_LOG_READ, which, index & 0xff, index >> 8));
      if (await client.event(central!.id, sealed)) central!.counter++;
      for (const e of client.takeOutputs()) received(e.connection, e.sealed);
      for (const f of node.takeFrames()) if (f.type === T.output && f.payload.length >= 10) received(f.payload[0]! | (f.payload[1]! << 8), f.payload.slice(2));
      return lastEntry;
    };
    // The off-switch log's entries since deployment (oldest first): what explains each relay movement.
    const offswitch: LogEntry[] = [];
    /** Why the closing reads got no answer: a runtime under attack (--untrusted) may withhold service. */
    let withheld: string | null = null;
    if (central && [...ends.values()].some((e) => e.name === LOGS)) {
      // A log read is answered within milliseconds (the DLMS object list, the longest a module keeps interrupts off,
      // takes 144 ms): a runtime silent for a whole simulated second is withholding it.
      node.answerBudget = hz;
      try {
        for (const which of [LOG.metrology, LOG.offswitch, LOG.security]) {
          const e = await readLog(which, 0);
          if (which === LOG.offswitch && e) {
            offswitch.push(e);
            for (let i = 1; i < e.seq; i++) {
              const older = await readLog(which, i);
              if (!older) break; // overwritten: the log is bounded
              offswitch.unshift(older);
            }
          }
        }
      } catch (e) {
        // Issue 18 item 6: a compromised runtime can only withhold service. The run still reports what the host saw
        // itself (HAN frames, relay, readings already received); a log it could not read stays null.
        if (!(e instanceof NoAnswerError)) throw e;
        withheld = e.message;
        o.progress?.(`meter: the closing log reads got no answer (${e.message}): the runtime withholds service; logs reported as unknown`);
      }
    }
    const seq = (w: number) => logSeq.get(w) ?? null;
    const history = relay ? relay.history.slice(relay0) : [];
    const moves = history.map((c) => ({ t: (c.cycle - t0) / hz, state: (c.closed ? 'on' : 'off') as 'on' | 'off' }));
    const causes =
      relay0 !== 0 ? moves.map(() => 'unknown (the relay moved before this run)')
      : explainRelay(moves, offswitch).map((c) => (withheld !== null && c.kind !== 'power-up' ? 'unknown (the runtime withheld the off-switch log)' : c.text));
    const unit = node.sancus;
    return {
      simulated_s: (tEnd - t0) / hz,
      wall_s: (Date.now() - started) / 1000,
      energy_wh_fed: front.fed().wh - fed0,
      energy_wh_registered: registered,
      readings,
      han_frames: hanFrames,
      han_max_gap_s: maxGap,
      relay: moves.map((m, i) => ({ ...m, cause: causes[i]! })),
      violations: unit.violations.map((v) => ({ t: (v.cycle - t0) / hz, pc: v.pc, address: v.address, module: v.module ? moduleName(session, v.module) : null })),
      logs: { metrology: seq(LOG.metrology), security: seq(LOG.security), offswitch: seq(LOG.offswitch) },
      tcb_bytes: deployReport.modules.reduce((s, x) => s + x.tcb.text, 0),
      startup_s: deployReport.startup.reduce((s, x) => s + x.total_s, 0),
      deploy: deployReport,
    };
  } finally {
    detach(servers);
    await session.close();
  }
}

/** Closes the `--uart` servers and their clients' connections. */
function detach(servers: Server[]): void {
  for (const s of servers) {
    if (s.listening) s.close();
    for (const sock of (s as Server & { sockets?: Set<Socket> }).sockets ?? []) sock.destroy();
  }
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
}

function meterNode(s: DeploySession): FirmwareNode {
  const n = [...s.nodes.values()].find((x) => x.firmware);
  if (!n) throw new InputError('the descriptor has no emulated node with the firmware runtime ("runtime": "firmware"): nothing to run the meter on');
  return n.firmware!;
}

function moduleName(s: DeploySession, id: number): string | null {
  for (const p of s.modules.values()) if (p.id === id) return p.desc.name;
  for (const [name, mid] of s.mmio) if (mid === id) return name;
  return null;
}

/** `--uart wan=tcp:PORT`, `--uart han=tcp:PORT`: the UART's bytes as on the wire, to every client; WAN bytes from clients go to the node. */
async function exposeUarts(node: FirmwareNode, uarts: { name: 'wan' | 'han'; port: number }[], servers: Server[]): Promise<{ han: Socket[]; wan: Socket[]; any: boolean }> {
  const han: Socket[] = [];
  const wan: Socket[] = [];
  const line = new WanLineClients(); // who hears what of the WAN line (dlms-port.ts)
  if (uarts.some((u) => u.name === 'wan')) node.wanTaps.push((b) => line.transmitted(b));
  for (const u of uarts) {
    if (u.name === 'han' && !node.han) throw new InputError(`--uart han: the board of node '${node.name}' has no HAN UART`);
    const list = u.name === 'wan' ? wan : han;
    const open = new Set<Socket>();
    const server = createServer((sock) => {
      list.push(sock);
      open.add(sock);
      if (u.name === 'wan') line.add(sock);
      sock.on('close', () => {
        list.splice(list.indexOf(sock), 1);
        open.delete(sock);
        line.remove(sock);
      });
      // A client that vanishes (ECONNRESET) is a client gone: 'close' follows and forgets it; the run goes on.
      sock.on('error', () => {});
      // WAN: bytes from the client are the UART's receive line (the runtime's frames; the host's own requests share
      // the line). HAN: the line has no receive wire, bytes from the display go nowhere.
      sock.on('data', (b: Buffer) => {
        if (u.name === 'wan') {
          line.received(sock, b);
          node.wan.receive(b);
        }
      });
    });
    await new Promise<void>((res, rej) => {
      server.once('error', (e) => rej(new OperationError(`--uart ${u.name}=tcp:${u.port}: ${e.message}`)));
      server.listen(u.port, '127.0.0.1', () => res());
    });
    (server as Server & { sockets?: Set<Socket> }).sockets = open;
    servers.push(server);
  }
  return { han, wan, any: uarts.length > 0 };
}
