// What the in-home display shows, from the HAN frames alone (one way: the display never asks the meter anything):
// power now, today's energy, tariff, credit, and the power of the last hours for the chart. "Today" is the meter
// clock's UTC day (the clock the tariff switches follow, firmware/lib/tariff.ts); when the display starts or
// reconnects in the middle of a day it counts from its first frame and says since when.
import { decodeStatus, type HanFrame, type HanStatus } from './han-frame.ts';

export interface DisplayState {
  status: HanStatus | null;
  /** Energy since the start of the meter's day (or since `todaySince`). */
  todayWh: number;
  /** Meter-clock second from which todayWh counts (midnight, or the first frame of the day seen). */
  todaySince: number | null;
  /** [meter-clock seconds, W] of the last `historySeconds`. */
  history: [number, number][];
  frames: number;
  /** Frames the sequence numbers say were lost. */
  missed: number;
  /** The last appliance command the meter passed on (load balancing, seed §4.3.4). */
  appliance: { appliance: number; on: boolean; t: number | null } | null;
}

const DAY = 86400;

export class Display {
  private baseline: { day: number; wh: number; since: number } | null = null;
  private lastSeq: number | null = null;
  readonly state: DisplayState = { status: null, todayWh: 0, todaySince: null, history: [], frames: 0, missed: 0, appliance: null };

  constructor(private readonly historySeconds = 6 * 3600) {}

  /** Takes one frame; returns true when what is shown changed. */
  take(f: HanFrame): boolean {
    const s = this.state;
    if (this.lastSeq !== null) s.missed += (f.seq - this.lastSeq - 1 + 256) % 256;
    this.lastSeq = f.seq;
    s.frames++;
    if (f.type === 2 && f.payload.length === 2) {
      s.appliance = { appliance: f.payload[0]!, on: f.payload[1] === 1, t: s.status?.t ?? null };
      return true;
    }
    if (f.type !== 1) return false;
    const st = decodeStatus(f.payload);
    if (!st) return false;
    const day = Math.floor(st.t / DAY);
    if (!this.baseline || this.baseline.day !== day || st.energyWh < this.baseline.wh) {
      // A new day: if the previous frame was yesterday's, the energy since midnight is what came after it (the
      // status comes every 5 s, so at most one frame's worth is attributed to the wrong side of midnight).
      const prev = s.status;
      const continuous = prev && this.baseline && Math.floor(prev.t / DAY) === day - 1 && st.energyWh >= prev.energyWh;
      this.baseline = continuous ? { day, wh: prev.energyWh, since: day * DAY } : { day, wh: st.energyWh, since: st.t };
    }
    s.status = st;
    s.todayWh = st.energyWh - this.baseline.wh;
    s.todaySince = this.baseline.since;
    s.history.push([st.t, st.powerW]);
    const from = st.t - this.historySeconds;
    let drop = 0;
    while (drop < s.history.length && s.history[drop]![0] < from) drop++;
    if (drop) s.history.splice(0, drop);
    return true;
  }
}
