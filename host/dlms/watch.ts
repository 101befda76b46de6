// `hasm dlms get … --watch SECONDS`: poll one attribute in one association and report the first value and every
// change (issue 16). Time is injected (sleep, now), so the loop is tested without waiting on a clock.

export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  /** Report: the value as text (compared for change) and whatever the caller wants printed with it. */
  onChange(value: string, at: Date): void;
  /** Stop after this many reports (undefined: until the signal). */
  maxChanges?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** Returns the number of reports made. A failed read ends the watch with its error. */
export async function watch(read: () => Promise<string>, o: WatchOptions): Promise<number> {
  const sleep = o.sleep ?? abortableSleep;
  const now = o.now ?? (() => new Date());
  let last: string | undefined;
  let changes = 0;
  while (!o.signal.aborted) {
    const v = await read();
    if (v !== last) {
      o.onChange(v, now());
      last = v;
      changes++;
      if (o.maxChanges !== undefined && changes >= o.maxChanges) break;
    }
    await sleep(o.intervalMs, o.signal);
  }
  return changes;
}
