// The meter's DLMS/COSEM server (firmware/lib/dlms, compiled by our compiler) behind a byte pipe: host/dlms's own
// client talks to it through host/dlms's WrapperChannel over a ByteStream whose far end feeds the received bytes
// into the emulated MSP430 (and V8 on the same wasm, harness.ts) and hands back the frames it answers.
import { DlmsClient, type ClientOptions } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { loadKeys, type DlmsKeys } from '../../host/dlms/keys.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import type { ByteStream } from '../../host/dlms/stream.ts';
import { WrapperChannel } from '../../host/dlms/wrapper.ts';
import { socketStream } from '../../host/dlms/stream.ts';
import type { ApduChannel } from '../../host/dlms/transport.ts';
import type { FirmwareNode } from '../../host/deploy/firmware-node.ts';
import { runMeter } from '../../host/meter/run.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { createConnection, type Socket } from 'node:net';
import { loadModule, type Module } from './harness.ts';
import { freePort } from '../free-port.ts';

export const demoKeys: DlmsKeys = loadKeys();
/** 2026-12-05T12:34:56Z */
export const CLOCK = Date.UTC(2026, 11, 5, 12, 34, 56) / 1000;
export const ENERGY = 123456;

/** A log entry as the logs module keeps it (firmware/lib/ring.ts): {time u32, kind u8, result u8, aux u16, value u32}. */
export interface LogEntry {
  time: number;
  kind: number;
  result: number;
  aux: number;
  value: number;
}

function entryBytes(e: LogEntry): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, e.time, true);
  b[4] = e.kind;
  b[5] = e.result;
  v.setUint16(6, e.aux, true);
  v.setUint32(8, e.value >>> 0, true);
  return b;
}

export class EmulatedMeter {
  /** The highest invocation-counter limit ever "persisted" (the hosting module's non-volatile storage). */
  persisted = 0;
  /** Cycles spent inside dlms_rx since the last reset of the meter's counter. */
  readonly frames: { cycles: number; bytes: number }[] = [];
  private listeners: ((b: Uint8Array) => void)[] = [];

  private constructor(readonly m: Module) {}

  /** false: the hosting module never manages to persist a reservation (the server must then encipher nothing). */
  grants = true;

  /** A server just started (the hosting module reset): its state as after a power-up. `logs`: the logs module's
   *  logs, kept across the restart (its state is its own), e.g. `restarted.logs` of a meter before. */
  static async start(profile: Profile, opts: { threshold?: number; persisted?: number; emulatorOnly?: boolean; keys?: DlmsKeys; grants?: boolean; logs?: LogEntry[][] } = {}): Promise<EmulatedMeter> {
    const m = await loadModule('dlms', opts.emulatorOnly ?? false);
    const meter = new EmulatedMeter(m);
    if (opts.logs) meter.logs.splice(0, 3, ...opts.logs);
    const k = opts.keys ?? demoKeys;
    const pw = new TextEncoder().encode(k.password);
    const cfg = new Uint8Array(65);
    cfg.set(k.guek, 0);
    cfg.set(k.gak, 16);
    cfg.set(k.serverSystemTitle, 32);
    cfg.set(k.clientSystemTitle, 40);
    cfg[48] = pw.length;
    cfg.set(pw, 49);
    const at = m.call('cfg');
    m.write(at, cfg);
    m.call('dlms_configure', at, profile === 'hardened' ? 1 : 0, opts.threshold ?? 1_000_000);
    meter.persisted = opts.persisted ?? 0;
    meter.grants = opts.grants ?? true;
    m.call('dlms_ic_boot', meter.persisted);
    meter.persist();
    m.call('dlms_set_energy', ENERGY);
    m.call('dlms_set_clock', CLOCK, 0);
    m.call('dlms_set_disconnect_state', 1, 1, 1);
    return meter;
  }

  /** What the hosting module does after each frame: persist the wanted reservation, then grant it. */
  persist(): void {
    const w = this.m.call('dlms_ic_wanted') >>> 0;
    if (w && this.grants) {
      this.persisted = w;
      this.m.call('dlms_ic_granted', w);
    }
  }

  /** The logs module's three logs as this harness plays it (firmware/logs: capacities 48, 32, 32; sequence
   *  numbers from 1): what the server's queries (dlms_fetch) are answered from. */
  readonly logs: LogEntry[][] = [[], [], []];
  /** Queries the server sent the logs module. */
  fetches = 0;
  /** … of which for the logs' sequence numbers (count 0). */
  seqQueries = 0;

  /** The logs module appends an entry: it keeps it and sends CS security its copy (copyOf). */
  append(log: number, e: LogEntry): void {
    this.logs[log]!.push(e);
    this.deliver(this.copyOf(log));
  }

  /** The logs module's copy of log `log`'s newest entry, [log][found][index 0][seq u32][entry 12 B] (firmware/logs
   *  index.ts: sent on each append, and for each log on a query of count 0, the last marked found | 2). */
  private copyOf(log: number, mark = 0): Uint8Array {
    const held = this.logs[log]!;
    const b = new Uint8Array(20);
    b[0] = log;
    b[1] = (held.length > 0 ? 1 : 0) | mark;
    new DataView(b.buffer).setUint32(4, held.length, true);
    if (held.length > 0) b.set(entryBytes(held.at(-1)!), 8);
    return b;
  }

  /** One event of the logs module's output `copy` to the server (dlms_log_entry): a frame length, or 0. */
  private deliver(b: Uint8Array): number {
    const at = this.m.call('cfg');
    this.m.write(at, b);
    return this.m.call('dlms_log_entry', at, b.length);
  }

  /** Answers the server's queries as the logs module does (firmware/logs input_query: four entries per event, the
   *  query's tag echoed, a sequence number no longer or not yet held gives zeros; count 0: the copy of each log's
   *  newest entry, off-switch to metrology, the last marked); the frames the answers complete are pushed. */
  private answerFetches(out: Uint8Array[], before: number): void {
    for (;;) {
      const f = this.m.call('dlms_fetch');
      if (f === 0) return;
      this.fetches++;
      const q = this.m.read(f, 8);
      const log = q[0]!;
      if (q[1] === 0) {
        this.seqQueries++;
        for (let l = 2; l >= 0; l--) {
          const r = this.deliver(this.copyOf(l, l === 0 ? 2 : 0));
          if (r > 0) this.sent(out, r, before);
        }
        continue;
      }
      let first = new DataView(q.buffer, q.byteOffset).getUint32(4, true);
      const cap = [48, 32, 32][log]!;
      const held = this.logs[log]!;
      for (let left = Math.min(q[1]!, 16); left > 0; ) {
        const n = Math.min(left, 4);
        const a = new Uint8Array(8 + 12 * n);
        a[0] = log;
        a[1] = 0x80 | n;
        a[2] = q[2]!; // the query's tag
        new DataView(a.buffer).setUint32(4, first, true);
        for (let j = 0; j < n; j++) {
          const s = first + j;
          if (s >= 1 && s <= held.length && held.length - s < cap) a.set(entryBytes(held[s - 1]!), 8 + 12 * j);
        }
        const r = this.deliver(a);
        if (r > 0) this.sent(out, r, before);
        first += n;
        left -= n;
      }
    }
  }

  private sent(out: Uint8Array[], r: number, before: number): void {
    out.push(this.m.read(this.m.call('dlms_tx_ptr'), r).slice());
    this.frames.push({ cycles: this.m.cycles - before, bytes: r });
    this.persist();
  }

  /** Feeds received bytes; returns the frames the server answered. Cycles of a frame: the server's calls from the
   *  request's dlms_rx to the answer, those that answer its queries for log rows included. */
  feed(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    for (;;) {
      const room = this.m.call('dlms_rx_room');
      const n = Math.min(room, bytes.length - off);
      if (n > 0) this.m.write(this.m.call('dlms_rx_ptr'), bytes.subarray(off, off + n));
      off += n;
      const before = this.m.cycles;
      let r = this.m.call('dlms_rx', n);
      for (;;) {
        if (r < 0) throw new Error('meter closed the connection (framing)');
        if (r === 0) {
          this.answerFetches(out, before);
          break;
        }
        this.sent(out, r, before);
        r = this.m.call('dlms_rx', 0);
      }
      if (off >= bytes.length) return out;
      if (n === 0) throw new Error('meter receive buffer full without a frame');
    }
  }

  /** The client end of a byte pipe to this meter (asynchronous like a link). */
  stream(): ByteStream {
    let closed = false;
    const onClose: (() => void)[] = [];
    return {
      write: (b) => {
        const copy = b.slice();
        setImmediate(() => {
          if (closed) return;
          for (const f of this.feed(copy)) for (const l of this.listeners) l(f);
        });
      },
      onData: (cb) => {
        this.listeners = [cb];
      },
      onClose: (cb) => {
        onClose.push(cb);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.m.call('dlms_link_reset');
        for (const cb of onClose) queueMicrotask(cb);
      },
    };
  }

  client(sap: number, o: Partial<ClientOptions> & Pick<ClientOptions, 'mechanism' | 'profile'>): DlmsClient {
    return new DlmsClient(new WrapperChannel(this.stream(), { clientSap: sap, serverSap: 1 }, 5000), { keys: demoKeys, counters: new MemoryCounterStore(), ...o });
  }

  event(kind: 'replay' | 'jump' | 'auth' | 'reflection' | 'decipher'): number {
    return this.m.call('dlms_event_count', ['replay', 'jump', 'auth', 'reflection', 'decipher'].indexOf(kind));
  }
}

/**
 * The whole meter deployed (firmware/meter-dlms.json: CS security hosting this server, `hasm meter run --uart
 * wan=tcp:PORT`), its DLMS/COSEM endpoint on a loopback TCP port: the target issue 19 item 4 names — the same client
 * tests as against the reference server, over the wire, through the WAN UART and the untrusted runtime. One per test
 * file (a deployment is seconds; the build is cached per process).
 */
export class DeployedMeter {
  private constructor(
    readonly port: number,
    private readonly stopper: AbortController,
    private readonly run: Promise<unknown>,
    private readonly failed: () => unknown,
    readonly node: () => FirmwareNode | undefined,
  ) {}

  /** On a loopback port the system hands out free (test files run in parallel). */
  static async start(profile: Profile, opts: { threshold?: number } = {}): Promise<DeployedMeter> {
    const port = await freePort();
    const stop = new AbortController();
    let node: FirmwareNode | undefined;
    let failed: unknown;
    // 2 kW from the start: the register moves; a day of simulated time is far more than any test file needs.
    const load: LoadProfile = { intervalSeconds: 60, mwh: Array.from({ length: 120 }, () => 33_333n) };
    const run = runMeter({
      descriptor: new URL('../../firmware/meter-dlms.json', import.meta.url).pathname, seconds: 86_400, speed: 'max', load,
      uarts: [{ name: 'wan', port }], stop: stop.signal, prepare: (n) => (node = n),
      dlms: { profile, threshold: opts.threshold ?? 1_000_000 },
    });
    run.catch((e) => (failed = e));
    const m = new DeployedMeter(port, stop, run, () => failed, () => node);
    (await m.socket()).destroy(); // deployed and listening
    return m;
  }

  /** A TCP connection to the meter's WAN line (retried until the meter listens; a failed run fails with its error). */
  async socket(): Promise<Socket> {
    for (let i = 0; ; i++) {
      try {
        return await new Promise<Socket>((res, rej) => {
          const s = createConnection({ host: '127.0.0.1', port: this.port }, () => res(s));
          s.once('error', rej);
        });
      } catch (e) {
        if (this.failed()) throw this.failed();
        if (i > 1200) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** A wrapper channel from client SAP `sap` over a fresh connection. */
  async channel(sap: number): Promise<ApduChannel> {
    return new WrapperChannel(socketStream(await this.socket()), { clientSap: sap, serverSap: 1 }, 60_000);
  }

  async client(sap: number, o: Partial<ClientOptions> & Pick<ClientOptions, 'mechanism' | 'profile'>): Promise<DlmsClient> {
    return new DlmsClient(await this.channel(sap), { keys: demoKeys, counters: new MemoryCounterStore(), ...o });
  }

  /** The last invocation counter the meter accepted from the head-end: its frame-counter object 0.0.43.1.0.255
   *  (readable by the public association; a new association replaces the current one). */
  async held(): Promise<number> {
    const c = await this.client(16, { mechanism: 'none', profile: 'hardened' });
    await c.associate();
    const v = await c.get(1, '0.0.43.1.0.255', 2);
    await c.release();
    return Number((v as { value: number }).value);
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.run;
  }
}

/** A loopback port free now (the system picks it; released at once for the meter to listen on). */
