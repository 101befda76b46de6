// One worker thread of the fleet (node:worker_threads): it deploys its share of the meters — each the whole
// firmware/meter.json on its own emulated node, built, loaded, attested and keyed by host/deploy — feeds each its
// household (the privacy generator's, host/meter/household.ts), and runs them in virtual time on request. It holds
// no key it hands out as its own: the deployer's WAN-end keys go to the main thread once (the central system, the
// concentrator and the evaluators each keep theirs there); afterwards only sealed bytes cross, both ways.
import { parentPort } from 'node:worker_threads';
import { meterControls, type MeterControls } from '../../toolchain/emulator/meter.ts';
import { deploySession, type DeploySession } from '../deploy/deploy.ts';
import { loadDescriptor } from '../deploy/descriptor.ts';
import type { FirmwareNode } from '../deploy/firmware-node.ts';
import { T, type WanClient } from '../deploy/wan.ts';
import { householdProfile } from '../meter/household.ts';
import type { Deployed, Frame, MeterSpec, Progress, Reply, ReplyBody, Request, Truth } from './protocol.ts';
import { seededRandom } from './random.ts';

interface Running {
  spec: MeterSpec;
  session: DeploySession;
  node: FirmwareNode;
  client: WanClient;
  controls: MeterControls;
  /** Cycle the household's profile started (the meter's half hours count from about here). */
  t0: number;
  /** Energy drawn (front end + bypass, Wh) at the start of the present half hour. */
  drawn: number;
  slot: number;
}

/** MSP430 status register: CPU off (the runtime's sleep). */
const CPUOFF = 0x10;
/** How far the emulation goes between two looks at the outputs (virtual seconds). */
const SLICE_S = 60;

const meters = new Map<string, Running>();
const port = parentPort!;

function frames(r: Running): Frame[] {
  const out: Frame[] = r.client.takeOutputs().map((e) => ({ meter: r.spec.id, connection: e.connection, sealed: e.sealed }));
  for (const f of r.node.takeFrames()) if (f.type === T.output && f.payload.length >= 10) out.push({ meter: r.spec.id, connection: f.payload[0]! | (f.payload[1]! << 8), sealed: f.payload.slice(2) });
  return out;
}

function drawn(c: MeterControls): number {
  const e = c.energy();
  return e.fedWh + e.bypassWh;
}

async function deploy(descriptor: string, specs: MeterSpec[], seed: number | undefined): Promise<Deployed[]> {
  const d = loadDescriptor(descriptor);
  const out: Deployed[] = [];
  for (const spec of specs) {
    const t = performance.now();
    // Keys and challenges from a seeded stream per meter when asked (tests: a run is reproducible), else fresh.
    const { report, session } = await deploySession(d, { random: seed === undefined ? undefined : seededRandom(`${seed}/${spec.id}`) });
    const handle = [...session.nodes.values()].find((n) => n.firmware && n.wan);
    if (!handle) throw new Error(`${descriptor}: no emulated node with the firmware runtime`);
    const node = handle.firmware!;
    const controls = meterControls(node.machine);
    controls.setProfile(householdProfile(spec.household, spec.seed), spec.bypass);
    meters.set(spec.id, { spec, session, node, client: handle.wan!, controls, t0: node.machine.cycle, drawn: drawn(controls), slot: 0 });
    const ends = [...session.wanEnds.values()].map((e) => ({ id: e.id, name: e.name, direction: e.direction, key: e.key, counter: e.counter }));
    out.push({ meter: spec.id, ends, attested: report.ok, deploy_ms: performance.now() - t });
    port.postMessage({ progress: true, simulated: 0, deployed: 1 } satisfies Progress);
  }
  return out;
}

/** Sends a sealed event into an idle slot of the runtime (host/meter/driver.ts: bytes arriving while a module call
 *  keeps interrupts off lose one to a receive overrun). */
async function send(r: Running, connection: number, sealed: Uint8Array): Promise<boolean> {
  const m = r.node.machine;
  const limit = m.cycle + r.node.board.cpu.clock_hz;
  while ((m.r[2]! & CPUOFF) === 0 && m.cycle < limit) r.node.advance(2000);
  return r.client.event(connection, sealed);
}

function run(seconds: number): { frames: Frame[]; truth: Truth[]; emulation_ms: number } {
  const out: Frame[] = [];
  const truth: Truth[] = [];
  const t = performance.now();
  for (const r of meters.values()) {
    const hz = r.node.board.cpu.clock_hz;
    const end = r.node.machine.cycle + Math.round(seconds * hz);
    while (r.node.machine.cycle < end) {
      // Stop at each half-hour boundary of the household's time: what it drew in that half hour is the truth.
      const boundary = r.t0 + (r.slot + 1) * 1800 * hz;
      const to = Math.min(end, boundary, r.node.machine.cycle + SLICE_S * hz);
      r.node.advance(to - r.node.machine.cycle);
      if (r.node.machine.cycle >= boundary) {
        const now = drawn(r.controls);
        truth.push({ meter: r.spec.id, slot: r.slot, wh: now - r.drawn });
        r.drawn = now;
        r.slot++;
      }
      out.push(...frames(r));
    }
    port.postMessage({ progress: true, simulated: seconds } satisfies Progress);
  }
  return { frames: out, truth, emulation_ms: performance.now() - t };
}

async function handle(q: Request): Promise<ReplyBody> {
  switch (q.op) {
    case 'deploy':
      return { op: 'deploy', meters: await deploy(q.descriptor, q.meters, q.seed) };
    case 'send': {
      const r = meter(q.meter);
      const accepted = await send(r, q.connection, q.sealed);
      return { op: 'send', accepted, frames: frames(r) };
    }
    case 'run': {
      const x = run(q.seconds);
      const han: { meter: string; bytes: Uint8Array }[] = [];
      for (const r of meters.values()) {
        if (r.spec.han) han.push({ meter: r.spec.id, bytes: Uint8Array.from(r.node.hanBytes) });
        // The byte logs of the node and of the controls grow with every frame (a frame every 5 s): a day of a
        // thousand meters would hold gigabytes. Nothing here reads them again once forwarded.
        r.node.hanBytes.length = 0;
        r.node.hanCycles.length = 0;
        r.controls.hanSent.length = 0;
        r.controls.wanSent.length = 0;
      }
      return { op: 'run', ...x, relay: [...meters.values()].map((r) => ({ meter: r.spec.id, closed: r.controls.relay.closed })), han };
    }
    case 'press-button':
      meter(q.meter).controls.pressButton();
      return { op: 'press-button' };
    case 'close':
      for (const r of meters.values()) await r.session.close();
      meters.clear();
      return { op: 'close' };
  }
}

function meter(id: string): Running {
  const r = meters.get(id);
  if (!r) throw new Error(`meter ${id} is not in this worker`);
  return r;
}

port.on('message', (q: Request) => {
  handle(q).then(
    (body) => port.postMessage({ id: q.id, ...body } satisfies Reply),
    (e: Error) => port.postMessage({ id: q.id, error: `${e.name}: ${e.message}` } satisfies Reply),
  );
});
