// The meter's event codes as the host reads them: the log-entry kinds (EV_*) and results of firmware/lib/events.ts,
// taken from that file itself (one table: a scenario's `kind: disconnect`, `hasm meter run`'s relay causes and the
// modules all mean the same number). The file is AssemblyScript, never imported by TypeScript, so it is read as
// text: every `export const NAME: u8 = N;` line; the results are the block under its `// Results` heading.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../../toolchain/common/errors.ts';

const EVENTS_FILE = fileURLToPath(new URL('../../firmware/lib/events.ts', import.meta.url));

export interface EventTable {
  /** Log-entry kinds by name: `EV_CREDIT_TRIP` → `credit_trip`. */
  kinds: Map<string, number>;
  /** Results by name: `BAD_FORMAT` → `bad_format`. */
  results: Map<string, number>;
}

let cached: EventTable | undefined;

export function parseEventTable(text: string, file = EVENTS_FILE): EventTable {
  const kinds = new Map<string, number>();
  const results = new Map<string, number>();
  let inResults = false;
  for (const line of text.split('\n')) {
    if (/^\/\/ Results\b/.test(line)) inResults = true;
    else if (line.trim() === '') inResults = false;
    const m = /^export const ([A-Z][A-Z0-9_]*): u8 = (0x[0-9a-fA-F]+|\d+);/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (m[1]!.startsWith('EV_')) kinds.set(m[1]!.slice(3).toLowerCase(), value);
    else if (inResults) results.set(m[1]!.toLowerCase(), value);
  }
  if (!kinds.size || !results.has('ok')) throw new OperationError(`${file}: no EV_* kinds or no OK result found (the meter's event table moved?)`, { file });
  return { kinds, results };
}

/** The table of firmware/lib/events.ts (read once). */
export function eventTable(): EventTable {
  cached ??= parseEventTable(readFileSync(EVENTS_FILE, 'utf8'));
  return cached;
}

/** The name of a code in one of the table's maps, or the number as text. */
export function nameOf(map: Map<string, number>, code: number): string {
  for (const [k, v] of map) if (v === code) return k;
  return String(code);
}
