// What the central system stored, as a de-pseudonymisation adversary would get it (issue 21 item 5; seed §5.3):
// the half-hourly readings without the meter they came from — each under its pseudonym as the meter sent it
// (firmware/cs: rotated by PRF(k, "pnym", epoch)), or under one static pseudonym per meter when the meter rotates
// none (pseudonym 0: the seed's static pseudonyms, which the central system issues here as a keyed hash the
// adversary cannot invert) — and each meter's bills under its real identity: the differences of consecutive
// register reads (CMD_READ, the attributable registers billing uses, §5.3.1), as the `read` commands' answers
// recorded them. The labels' true owners come back separately, for scoring only.
import { createHmac, randomBytes } from 'node:crypto';
import { OperationError } from '../../toolchain/common/errors.ts';
import { num } from './sql.ts';
import type { CentralStore } from './store.ts';

export interface StoredView {
  /** The adversary's half-hourly readings: a label (pseudonym), the half hour's start (Unix s) and Wh. */
  readings: { label: string; t: number; wh: number }[];
  /** Billed energy per meter between consecutive register reads (meter clock, Unix s; whole Wh). */
  bills: { meter: string; from: number; to: number; wh: number }[];
  /** label → meter: the truth the attack is scored against, never shown to it. */
  owners: Map<string, string>;
}

/**
 * Reads the readings and the register reads out of the central system's database. `staticKey`: the key of the
 * static pseudonyms (fresh randomness when absent: labels mean nothing outside one export).
 */
export async function storedView(store: CentralStore, options: { staticKey?: Uint8Array } = {}): Promise<StoredView> {
  const key = options.staticKey ?? randomBytes(16);
  const owners = new Map<string, string>();
  const staticLabel = (meter: string) => 's' + createHmac('sha256', key).update(meter).digest('hex').slice(0, 12);
  const readings: StoredView['readings'] = [];
  const rows = await store.db.all('SELECT meter_id, t, wh, pseudonym FROM readings ORDER BY t, meter_id');
  for (const r of rows) {
    const meter = String(r.meter_id);
    const p = num(r.pseudonym, 'pseudonym');
    const label = p === 0 ? staticLabel(meter) : 'p' + p.toString(16).padStart(8, '0');
    // Two meters drawing the same 32-bit PRF value in one epoch would merge under one label: say so, do not guess.
    const owner = owners.get(label);
    if (owner !== undefined && owner !== meter) throw new OperationError(`pseudonym ${label} reported by both ${owner} and ${meter}`, { label });
    owners.set(label, meter);
    readings.push({ label, t: num(r.t, 't'), wh: num(r.wh, 'wh') });
  }
  const bills: StoredView['bills'] = [];
  const last = new Map<string, { t: number; total: number }>();
  const reads = await store.db.all("SELECT meter_id, outcome FROM commands WHERE kind = 'read' AND status = 'delivered' ORDER BY id");
  for (const r of reads) {
    const meter = String(r.meter_id);
    // A read whose answer never came keeps the outcome text of its delivery, not a register reply: no bill.
    const text = String(r.outcome ?? '');
    if (!text.startsWith('{')) continue;
    const reply = JSON.parse(text) as { type?: string; t?: number; total_wh?: number };
    if (reply.type !== 'registers' || typeof reply.t !== 'number' || typeof reply.total_wh !== 'number') continue;
    const prev = last.get(meter);
    if (prev) bills.push({ meter, from: prev.t, to: reply.t, wh: reply.total_wh - prev.total });
    last.set(meter, { t: reply.t, total: reply.total_wh });
  }
  return { readings, bills, owners };
}
