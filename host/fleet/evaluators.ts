// The three market evaluators' inboxes (seed chapter 6; issue 21 item 5): evaluator k holds, for every meter, the
// key of that meter's connection `dc.share<k> → wan.mpc<k>` and nothing else, so it opens only its own share of
// each reading (firmware/dc: f(k) = Wh + a·k over p = 2^31 − 1). A settlement period's shares then go to host/mpc,
// whose evaluators settle without reconstructing any reading.
import { OperationError } from '../../toolchain/common/errors.ts';
import { openEvent } from '../deploy/protocol.ts';
import { timed } from './link.ts';
import type { EndInfo } from './protocol.ts';

/** firmware/dc SHARE_BOX: [91][k u8][0][0][t u32][share u32]. */
const SHARE_TAG = 0x91;
export type EvaluatorId = 1 | 2 | 3;

export class Evaluator {
  private readonly ends = new Map<string, EndInfo>();
  /** Shares received: t → meter → share. */
  private readonly shares = new Map<number, Map<string, number>>();
  rejected = 0;

  constructor(readonly id: EvaluatorId) {}

  /** The meter's connection end for this evaluator (wan.mpc<id>), from the deployment. */
  register(meter: string, ends: EndInfo[]): void {
    const e = ends.find((x) => x.direction === 'from-node' && x.name === `mpc${this.id}`);
    if (!e) throw new OperationError(`meter ${meter}: its deployment has no connection to wan.mpc${this.id} (evaluator ${this.id}'s shares)`, { meter });
    this.ends.set(meter, e);
  }

  /** An event from a meter: taken (true) when it is on this evaluator's connection. */
  take(meter: string, connection: number, sealed: Uint8Array): boolean {
    const e = this.ends.get(meter);
    if (!e || e.id !== connection) return false;
    const plain = timed(() => openEvent(e.key, e.counter, sealed));
    if (!plain || plain.length < 12 || plain[0] !== SHARE_TAG || plain[1] !== this.id) {
      this.rejected++;
      return true;
    }
    e.counter++;
    const d = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    const t = d.getUint32(4, true);
    if (!this.shares.has(t)) this.shares.set(t, new Map());
    this.shares.get(t)!.set(meter, d.getUint32(8, true));
    return true;
  }

  /** This evaluator's shares of period t, in the order of `meters`; an error names a meter whose share is missing. */
  period(t: number, meters: string[]): Uint32Array {
    const m = this.shares.get(t);
    return Uint32Array.from(meters, (id) => {
      const s = m?.get(id);
      if (s === undefined) throw new OperationError(`evaluator ${this.id}: no share from meter ${id} for the period at t=${t}`, { meter: id, t });
      return s;
    });
  }

  /** Periods for which this evaluator holds a share from every one of `meters`. */
  complete(meters: string[]): number[] {
    return [...this.shares.entries()].filter(([, m]) => meters.every((id) => m.has(id))).map(([t]) => t).sort((a, b) => a - b);
  }
}
