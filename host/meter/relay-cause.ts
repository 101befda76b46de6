// What moved the relay (issue 18 item 7: every relay change is explained by an input — a central-system command,
// credit exhaustion, tamper, the button). The off-switch module logs every decision with the relay state it
// commanded after it (firmware/offswitch: value = relay on); the entries whose commanded state differs from the one
// before are the module's relay commands, in order. Each contact movement the relay shows is matched, in order, to
// the next such command to the same state; the first close after power-up is the relay driver's start (the
// off-switch module's initial state is "supply on", logged by nobody). A movement with no command behind it is
// reported as unexplained — what a compromised runtime or a bypassed driver would produce.
import type { LogEntry } from './driver.ts';
import { eventTable, nameOf } from './events.ts';

export interface ContactMove {
  /** Seconds since the run began. */
  t: number;
  state: 'on' | 'off';
}

/** The off-switch log's kinds that command the relay, in the words of the report. */
export const CAUSE: Readonly<Record<string, string>> = {
  disconnect: 'central system: remote disconnect',
  credit_trip: 'credit exhausted',
  tamper: 'tamper (case opened)',
  button: 'local button (reconnect)',
};

export interface RelayCause {
  /** The off-switch log kind behind the movement (`disconnect`, `credit_trip`, `tamper`, `button`), `power-up`, or
   *  null when nothing in the log explains it. */
  kind: string | null;
  /** In words, with the log entry's number. */
  text: string;
}

/**
 * `moves`: the relay's contact movements since the meter was deployed (oldest first); `entries`: the off-switch log's
 * entries over the same time (oldest first, `entries[0].seq` 1 when the log still holds its first entry);
 * `initialOn`: the state the off-switch module starts in.
 */
export function explainRelay(moves: ContactMove[], entries: LogEntry[], initialOn = true): RelayCause[] {
  const { kinds } = eventTable();
  const complete = entries.length === 0 || entries[0]!.seq === 1;
  // The module's relay commands: entries whose commanded state differs from the previous one's.
  const commands: LogEntry[] = [];
  let prev: number | undefined = complete ? (initialOn ? 1 : 0) : entries[0]?.value;
  for (const e of entries) {
    if (prev !== undefined && e.value !== prev) commands.push(e);
    prev = e.value;
  }
  let next = 0;
  return moves.map((m, i) => {
    const want = m.state === 'on' ? 1 : 0;
    if (i === 0 && m.state === 'on' && initialOn) return { kind: 'power-up', text: 'power-up (the relay driver closes the supply; the off-switch module starts with it on)' };
    const j = commands.findIndex((c, k) => k >= next && c.value === want);
    if (j < 0) {
      if (!complete) return { kind: null, text: `unknown (the off-switch log no longer holds entries before #${entries[0]!.seq})` };
      const contact = entries.find((e) => e.kind === kinds.get('contact'));
      return { kind: null, text: contact ? `unexplained: the contacts moved against the command (off-switch log #${contact.seq}: contact)` : 'unexplained: no off-switch command behind it' };
    }
    next = j + 1;
    const c = commands[j]!;
    const kind = nameOf(kinds, c.kind);
    return { kind, text: `${CAUSE[kind] ?? kind} (off-switch log #${c.seq})` };
  });
}
