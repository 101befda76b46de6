// The central system's plaintexts to the meter and the meter's plaintexts back, byte for byte as the meter's
// modules read and write them (firmware/lib/events.ts, firmware/cs, firmware/core, firmware/logs; MSP430 memory
// order, little-endian). Commands are the seed's §4.3.4 applications: disconnect/reconnect, tariffs, prepaid,
// top-up, load balancing, plus the chapter 5 privacy countermeasures; everything is checked here as the meter
// will check it, so a refusal is a typed error before anything is queued.
import { InputError } from '../../toolchain/common/errors.ts';

export const CMD = {
  tariff: 0x01, prepaid: 0x02, topup: 0x03, appliance: 0x04, privacy: 0x05, read: 0x06, 'log-read': 0x07, time: 0x08,
  disconnect: 0x10, reconnect: 0x11, unlock: 0x12, 'dc-key': 0x30,
} as const;

/** The dc-key peer that installs the DC security module's share key K_share (firmware/dc), not a pairwise key. */
export const SHARE_KEY_PEER = 0xff;

/** The meter's WAN outputs that are not the head end's (firmware/meter.json): the data concentrator's masked
 *  readings (seed §4.3) and the three market evaluators' reading shares (seed chapter 6). */
export const NOT_HEAD_END = ['dc', 'mpc1', 'mpc2', 'mpc3'];
export type CommandKind = keyof typeof CMD;
export const COMMAND_KINDS = Object.keys(CMD) as CommandKind[];

export const LOGS = ['metrology', 'security', 'offswitch'] as const;

/** A command's arguments as the CLI and the HTTP API take them (JSON). */
export type CommandArgs = Record<string, unknown>;

class Writer {
  private readonly b: number[] = [];
  u8(v: number) { this.b.push(v & 0xff); return this; }
  u16(v: number) { return this.u8(v).u8(v >> 8); }
  u32(v: number) { return this.u16(v & 0xffff).u16((v >>> 16) & 0xffff); }
  bytes(x: Uint8Array) { for (const v of x) this.b.push(v); return this; }
  done(): Uint8Array { return Uint8Array.from(this.b); }
}

function int(args: CommandArgs, name: string, kind: string, lo: number, hi: number, dflt?: number): number {
  const v = args[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new InputError(`command ${kind}: '${name}' must be an integer in ${lo}..${hi}${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`);
  }
  return v;
}

function keyArg(args: CommandArgs, kind: string): Uint8Array {
  const k = args.key;
  if (typeof k !== 'string' || !/^[0-9a-f]{32}$/.test(k)) throw new InputError(`command ${kind}: 'key' must be 16 bytes as 32 lowercase hex digits`);
  return Uint8Array.from(Buffer.from(k, 'hex'));
}

/** The plaintext of a command (what CS security unwraps); InputError when an argument is out of the meter's range. */
export function encodeCommand(kind: string, args: CommandArgs = {}): Uint8Array {
  if (!(kind in CMD)) throw new InputError(`unknown command '${kind}' (known: ${COMMAND_KINDS.join(', ')})`);
  const k = kind as CommandKind;
  const w = new Writer().u8(CMD[k]);
  switch (k) {
    case 'tariff': {
      // prices in mills per kWh (≤ 65.535 units, lib/tariff.ts), switches by minute of the UTC day, strictly rising
      const prices = args.prices;
      const switches = args.switches;
      if (!Array.isArray(prices) || prices.length < 1 || prices.length > 4) throw new InputError('command tariff: \'prices\' must be 1 to 4 prices (mills per kWh)');
      if (!Array.isArray(switches) || switches.length < 1 || switches.length > 8) throw new InputError('command tariff: \'switches\' must be 1 to 8 {minute, tariff}');
      w.u8(prices.length).u8(switches.length).u8(0);
      prices.forEach((p, i) => w.u32(int({ p }, 'p', `tariff (price ${i})`, 0, 0xffff)));
      let prev = -1;
      switches.forEach((s: { minute?: unknown; tariff?: unknown }, i) => {
        const minute = int(s as CommandArgs, 'minute', `tariff (switch ${i})`, prev + 1, 1439);
        const t = int(s as CommandArgs, 'tariff', `tariff (switch ${i})`, 0, prices.length - 1);
        prev = minute;
        w.u16(minute).u8(t).u8(0);
      });
      return w.done();
    }
    case 'prepaid':
      // threshold: the disablement threshold in mills, 0 down to −50,000 (firmware/core MAX_EMERGENCY)
      return w.u8(args.mode === 'on' || args.mode === 1 ? 1 : args.mode === 'off' || args.mode === 0 ? 0 : badMode()).u16(0).u32(int(args, 'threshold', kind, -50000, 0, 0)).done();
    case 'topup':
      // amount in mills (≤ 1,000 units), token strictly above the last one the meter accepted
      return w.u8(0).u16(0).u32(int(args, 'amount', kind, 1, 1_000_000)).u32(int(args, 'token', kind, 1, 0xffffffff)).done();
    case 'appliance':
      return w.u8(int(args, 'appliance', kind, 0, 3)).u8(args.on === true || args.on === 1 ? 1 : args.on === false || args.on === 0 ? 0 : int(args, 'on', kind, 0, 1)).u8(0).done();
    case 'privacy':
      // seed §5.3.7: rounding to round_wh, omit_per_1024 readings withheld (≤ half), a new pseudonym every
      // pseudonym_halfhours (0 = none); the PRF key the meter draws its choices from
      return w.u8(0).u16(int(args, 'round_wh', kind, 0, 0xffff, 0)).u16(int(args, 'omit_per_1024', kind, 0, 512, 0)).u16(int(args, 'pseudonym_halfhours', kind, 0, 0xffff, 0)).bytes(keyArg(args, kind)).done();
    case 'log-read': {
      const log = LOGS.indexOf(args.log as (typeof LOGS)[number]);
      if (log < 0) throw new InputError(`command log-read: 'log' must be one of ${LOGS.join(', ')}`);
      return w.u8(log).u16(int(args, 'index', kind, 0, 0xffff, 0)).done();
    }
    case 'time':
      return w.u8(0).u16(0).u32(int(args, 't', kind, 0, 0xffffffff)).done();
    case 'dc-key': {
      // firmware/dc: meter `index` of a feeder group of `group` (2…16) gets the key it shares with `peer`; peer
      // 255 installs the share key instead (index and group then only travel along)
      const group = int(args, 'group', kind, 2, 16);
      const index = int(args, 'index', kind, 0, group - 1);
      const peer = int(args, 'peer', kind, 0, SHARE_KEY_PEER);
      if (peer !== SHARE_KEY_PEER && (peer >= group || peer === index)) throw new InputError(`command dc-key: 'peer' must be another member of the group (0..${group - 1}, not ${index}) or ${SHARE_KEY_PEER} (the share key)`);
      return w.u8(index).u8(group).u8(peer).bytes(keyArg(args, kind)).done();
    }
    default:
      return w.u8(0).done();
  }
}

/** The settings a (checked) privacy command carries, as the central system records them. */
export function privacySettings(args: CommandArgs): { round_wh: number; omit_per_1024: number; pseudonym_halfhours: number; key_hex: string } {
  return { round_wh: Number(args.round_wh ?? 0), omit_per_1024: Number(args.omit_per_1024 ?? 0), pseudonym_halfhours: Number(args.pseudonym_halfhours ?? 0), key_hex: String(args.key) };
}

function badMode(): never {
  throw new InputError("command prepaid: 'mode' must be on or off");
}

// --- what comes back

export type Uplink =
  | { type: 'reading'; t: number; wh: number; tariff: number; pseudonym: number }
  | { type: 'registers'; t: number; total_wh: number; tariff_wh: number[]; credit_mills: number }
  | { type: 'log'; log: string; found: boolean; index: number; seq: number; time: number; kind: number; result: number; aux: number; value: number }
  | { type: 'event'; kind: number; result: number; aux: number; value: number }
  | { type: 'unknown'; bytes: string };

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Decodes a plaintext the meter sent the central system (CS uplink, logs entry, a module's 8-byte log event). */
export function decodeUplink(b: Uint8Array): Uplink {
  const d = dv(b);
  if (b.length === 16 && d.getUint16(0, true) === 0x80) {
    return { type: 'reading', tariff: d.getUint16(2, true), pseudonym: d.getUint32(4, true), t: d.getUint32(8, true), wh: d.getUint32(12, true) };
  }
  if (b.length === 32 && d.getUint32(0, true) === 0x86) {
    return { type: 'registers', t: d.getUint32(4, true), total_wh: d.getUint32(8, true), tariff_wh: [0, 1, 2, 3].map((i) => d.getUint32(12 + 4 * i, true)), credit_mills: d.getInt32(28, true) };
  }
  if (b.length === 20 && b[0]! < LOGS.length) {
    return { type: 'log', log: LOGS[b[0]!]!, found: b[1] === 1, index: d.getUint16(2, true), seq: d.getUint32(4, true), time: d.getUint32(8, true), kind: b[12]!, result: b[13]!, aux: d.getUint16(14, true), value: d.getUint32(16, true) };
  }
  if (b.length === 8) return { type: 'event', kind: b[0]!, result: b[1]!, aux: d.getUint16(2, true), value: d.getUint32(4, true) };
  return { type: 'unknown', bytes: Buffer.from(b).toString('hex') };
}
