// The data concentrator (seed §4.3: the feeder's collection point between the meters and the central system; issue
// 21 item 2). It carries the central system's traffic both ways without being able to read it (CS security seals
// it end to end under keys the concentrator never holds), and it receives each meter's DC-security reading masked
// with the pairwise masks of Kursawe, Danezis and Kohlweiss (firmware/dc): one masked value alone is uniform, the
// masks cancel only in the sum over the whole feeder group, so all it learns is each feeder's total per half hour.
// Its one use of that total (seed §4.5: "the DC, which needs readings only for fraud detection"): compare it with
// the feeder's own meter at the transformer and flag energy theft when they differ beyond a threshold.
import { OperationError } from '../../toolchain/common/errors.ts';
import { openEvent } from '../deploy/protocol.ts';

/** The connection end the deployer gave the concentrator: `dc.masked → wan.dc` of one meter (key, next counter). */
export interface MaskedEnd {
  id: number;
  key: Uint8Array;
  counter: number;
}

export interface FeederTotal {
  feeder: string;
  /** The half hour's start in meter seconds (firmware/core). */
  t: number;
  /** Σ of the group's readings (Wh), learnt only once every member's masked value arrived. */
  wh: number;
  meters: number;
}

export interface TheftFlag {
  feeder: string;
  t: number;
  /** The transformer's meter (Wh): what the households really drew. */
  transformer_wh: number;
  /** Σ of the feeder's meters (Wh). */
  metered_wh: number;
  /** transformer − metered (Wh). */
  missing_wh: number;
}

export interface ConcentratorOptions {
  /** Unmetered energy tolerated per feeder and half hour, absolute (Wh): rounding of the meters' whole-Wh readings,
   *  line losses. Default 5 Wh per meter of the group. */
  thresholdWh?: number;
  /** …and relative to the transformer's reading (default 0.02: 2 % of losses). The larger of the two applies. */
  thresholdFraction?: number;
}

/** firmware/dc OUT_BOX: [90][index u8][group u8][0][t u32][masked Wh u32]. */
const MASKED_TAG = 0x90;

interface Member {
  feeder: string;
  index: number;
  end: MaskedEnd;
}

interface Slot {
  sum: number;
  seen: Set<number>;
  group: number;
}

export class DataConcentrator {
  private readonly members = new Map<string, Member>();
  private readonly groups = new Map<string, number>();
  /** Masked sums not yet complete, by feeder and t. */
  private readonly open = new Map<string, Slot>();
  readonly totals: FeederTotal[] = [];
  private readonly transformer = new Map<string, number>();
  readonly flags: TheftFlag[] = [];
  /** What crossed it without being readable here: the central system's commands and the meters' sealed uplinks. */
  readonly relayed = { down: 0, up: 0, bytes: 0 };
  /** Masked events that did not open under the meter's key and next counter (forged, replayed): dropped. */
  rejected = 0;
  /** Milliseconds spent opening masked events (the crypto share of the bench breakdown). */
  cryptoMs = 0;

  constructor(private readonly options: ConcentratorOptions = {}) {}

  /** A meter of a feeder group: its index in the group (as its DC security module was keyed) and its masked end. */
  register(meter: string, feeder: string, index: number, group: number, end: MaskedEnd): void {
    const g = this.groups.get(feeder);
    if (g !== undefined && g !== group) throw new OperationError(`feeder ${feeder}: meter ${meter} says a group of ${group}, the others ${g}`, { meter, feeder });
    this.groups.set(feeder, group);
    this.members.set(meter, { feeder, index, end });
  }

  /** A command from the central system to a meter: carried as it is (the concentrator has no key to read it). */
  down<T>(sealed: Uint8Array, carry: (sealed: Uint8Array) => T): T {
    this.relayed.down++;
    this.relayed.bytes += sealed.length;
    return carry(sealed);
  }

  /**
   * An event a meter sent on the WAN. The meter's masked reading (its `wan.dc` connection) is the concentrator's;
   * anything else goes on to the central system untouched (returned true: relay it).
   */
  up(meter: string, connection: number, sealed: Uint8Array): boolean {
    const m = this.members.get(meter);
    if (!m || connection !== m.end.id) {
      this.relayed.up++;
      this.relayed.bytes += sealed.length;
      return true;
    }
    const t0 = performance.now();
    const plain = openEvent(m.end.key, m.end.counter, sealed);
    this.cryptoMs += performance.now() - t0;
    if (!plain || plain.length < 12 || plain[0] !== MASKED_TAG) {
      this.rejected++;
      return false;
    }
    m.end.counter++;
    const d = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    this.masked(m, plain[1]!, plain[2]!, d.getUint32(4, true), d.getUint32(8, true));
    return false;
  }

  private masked(m: Member, index: number, group: number, t: number, value: number): void {
    // The module says where it stands in the group; it must be where the central system keyed it.
    if (index !== m.index || group !== this.groups.get(m.feeder)) {
      this.rejected++;
      return;
    }
    const key = `${m.feeder}\u0000${t}`;
    let s = this.open.get(key);
    if (!s) this.open.set(key, (s = { sum: 0, seen: new Set(), group }));
    if (s.seen.has(index)) return;
    s.seen.add(index);
    s.sum = (s.sum + value) >>> 0; // the masks cancel mod 2^32 (firmware/dc)
    if (s.seen.size === s.group) {
      this.open.delete(key);
      this.totals.push({ feeder: m.feeder, t, wh: s.sum, meters: s.group });
      this.check(m.feeder, t);
    }
  }

  /** The feeder's own meter at the transformer for the half hour starting at t (Wh). */
  transformerReading(feeder: string, t: number, wh: number): void {
    this.transformer.set(`${feeder}\u0000${t}`, wh);
    this.check(feeder, t);
  }

  private check(feeder: string, t: number): void {
    const tr = this.transformer.get(`${feeder}\u0000${t}`);
    const total = this.totals.find((x) => x.feeder === feeder && x.t === t);
    if (tr === undefined || !total || this.flags.some((f) => f.feeder === feeder && f.t === t)) return;
    const missing = tr - total.wh;
    const limit = Math.max(this.options.thresholdWh ?? 5 * total.meters, (this.options.thresholdFraction ?? 0.02) * tr);
    if (missing > limit) this.flags.push({ feeder, t, transformer_wh: tr, metered_wh: total.wh, missing_wh: missing });
  }

  /** The feeder's total for a half hour, or undefined while a member's masked value is missing. */
  total(feeder: string, t: number): FeederTotal | undefined {
    return this.totals.find((x) => x.feeder === feeder && x.t === t);
  }

  /** Half hours still waiting for some member (feeder, t, how many arrived). */
  pending(): { feeder: string; t: number; arrived: number; group: number }[] {
    return [...this.open.entries()].map(([k, s]) => {
      const [feeder, t] = k.split('\u0000');
      return { feeder: feeder!, t: Number(t), arrived: s.seen.size, group: s.group };
    });
  }
}
