// The meter's DLMS/COSEM endpoint on its WAN line (issue 19 item 3): the module that hosts the server
// (firmware/cs-dlms, entry `dlms`) gets its keys and settings from the central system over the sealed command connection
// (CMD_DLMS, firmware/cs-dlms/dlms.ts), and the untrusted runtime is told where wrapper frames go (T_DLMS,
// firmware/runtime/README.md). On the TCP side, a client that speaks the wrapper gets the wrapper frames of the
// line only; every other client gets the line's bytes as they are (the runtime's event frames).
import type { Socket } from 'node:net';
import { OperationError } from '../../toolchain/common/errors.ts';
import { RUNTIME_ENTRIES } from '../../toolchain/sancus/module/runtime.ts';
import type { DeploySession, Placed, WanEnd } from '../deploy/deploy.ts';
import { sealEvent } from '../deploy/protocol.ts';
import { encodeFrame, FrameParser, REPLY, T, type WanClient } from '../deploy/wan.ts';
import type { DlmsKeys } from '../dlms/keys.ts';
import type { Profile } from '../dlms/security/hls.ts';

/** The runtime's message routing wrapper frames to a module entry (firmware/runtime/index.ts T_DLMS). */
export const T_DLMS = 0x0b;
/** The entry of the hosting module that takes one wrapper frame (firmware/cs-dlms/index.ts). */
export const DLMS_ENTRY = 'dlms';
/** firmware/lib/events.ts CMD_DLMS. */
const CMD_DLMS = 0x09;

export interface DlmsSettings {
  keys: DlmsKeys;
  profile: Profile;
  /** Hardened profile: the largest accepted jump of the head-end's invocation counter (seed §3.4.2). */
  threshold: number;
  /** The server's invocation counter starts here: above every counter the head-end has seen from this meter. */
  icFloor: number;
}

/** The module exporting the `dlms` entry, or undefined when the deployment hosts no DLMS server. */
export function dlmsHost(s: DeploySession): Placed | undefined {
  return [...s.modules.values()].find((p) => p.spec.entries.some((e) => (e.export ?? e.name) === DLMS_ENTRY));
}

/** The two CMD_DLMS plaintexts (firmware/cs-dlms/dlms.ts): keys, then titles, password, profile and counter floor. */
export function dlmsCommands(o: DlmsSettings): Uint8Array[] {
  const pw = new TextEncoder().encode(o.keys.password);
  if (pw.length > 16) throw new OperationError(`DLMS keys: the LLS password is ${pw.length} bytes; the meter keeps at most 16`);
  const keys = new Uint8Array(34);
  keys.set([CMD_DLMS, 0]);
  keys.set(o.keys.guek, 2);
  keys.set(o.keys.gak, 18);
  const rest = new Uint8Array(44);
  const dv = new DataView(rest.buffer);
  rest.set([CMD_DLMS, 1, o.profile === 'hardened' ? 1 : 0, pw.length]);
  dv.setUint32(4, o.threshold, true);
  rest.set(o.keys.serverSystemTitle, 8);
  rest.set(o.keys.clientSystemTitle, 16);
  rest.set(pw, 24);
  dv.setUint32(40, o.icFloor, true);
  return [keys, rest];
}

/**
 * Configures the hosting module through `central` (the host's end of the connection to its command input) and
 * routes wrapper frames to it. Returns the hosting module's name, or undefined when there is none.
 */
export async function provisionDlms(s: DeploySession, client: WanClient, central: WanEnd, o: DlmsSettings): Promise<string | undefined> {
  const host = dlmsHost(s);
  if (!host) return undefined;
  for (const plain of dlmsCommands(o)) {
    if (!(await client.event(central.id, sealEvent(central.key, central.counter, plain)))) {
      throw new OperationError(`module '${host.desc.name}' refused the DLMS configuration event on connection ${central.id}`);
    }
    central.counter++;
  }
  const index = RUNTIME_ENTRIES.length + host.spec.entries.findIndex((e) => (e.export ?? e.name) === DLMS_ENTRY);
  const frames = await client.link.exchange(encodeFrame(T_DLMS, Uint8Array.of(host.slot, index)), (f) => f.type === (T_DLMS | REPLY) || f.type === T.error);
  const answer = frames.pop()!;
  for (const f of frames) if (f.type === T.output && f.payload.length >= 10) client.outputs.push({ connection: f.payload[0]! | (f.payload[1]! << 8), sealed: f.payload.slice(2) });
  if (answer.type !== (T_DLMS | REPLY)) throw new OperationError(`the runtime refused to route DLMS wrapper frames to module '${host.desc.name}' (error ${answer.payload[0]})`);
  return host.desc.name;
}

/** The WAN line's TCP clients: one that sends a wrapper frame first (its first byte 0x00) gets wrapper frames only. */
export class WanLineClients {
  private readonly dlms = new Set<Socket>();
  private readonly raw = new Set<Socket>();
  private readonly seen = new Set<Socket>();
  /** The line's bytes split as the runtime splits them (wan.ts): its wrapper frames go to the DLMS clients. */
  private readonly split = new FrameParser((f) => {
    for (const s of this.dlms) s.write(f);
  });

  add(s: Socket): void {
    this.raw.add(s);
  }
  remove(s: Socket): void {
    this.raw.delete(s);
    this.dlms.delete(s);
    this.seen.delete(s);
  }
  /** Bytes from a client (they go to the line as they are); its first byte decides what it hears. */
  received(s: Socket, b: Buffer): void {
    if (this.seen.has(s) || b.length === 0) return;
    this.seen.add(s);
    if (b[0] === 0) {
      this.raw.delete(s);
      this.dlms.add(s);
    }
  }
  /** One byte the node sent on the line. */
  transmitted(b: number): void {
    for (const s of this.raw) s.write(Buffer.of(b));
    this.split.push([b]);
  }
}
