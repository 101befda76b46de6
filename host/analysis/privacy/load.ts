import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../toolchain/common/errors.ts';
import { addressOf, monthFromIndex, SLOTS_PER_DAY } from './calendar.ts';
import { emptyMonth, MISSING, type MonthData } from './month-data.ts';
import { readFile, type ReadOptions } from './readers.ts';

// Turns files in any order (the CER trial ships six files split by meter, not by time) into calendar months,
// with memory bounded by one month: pass 1 streams every file once and spills each reading as a 12-byte record
// (meter index, slot in month, value) into a per-month scratch file; pass 2 loads one month at a time.

/** The data files of a directory (*.txt, *.csv, *.dat), sorted, or the single file given. */
export function dataFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: path });
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => /\.(txt|csv|dat)$/i.test(f))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new InputError('no data files (*.txt CER format, *.csv) in directory', { file: path });
  return files;
}

const RECORD_INTS = 3;
const CHUNK = 8192; // records per write
const FOLD = 1 << 20; // marks a clock-change half hour folded into the day's last slot

class Spill {
  private readonly dir = mkdtempSync(join(tmpdir(), 'hasm-privacy-'));
  private readonly buffers = new Map<number, { fd: number; buf: Int32Array; n: number }>();

  add(month: number, meter: number, slot: number, value: number): void {
    let b = this.buffers.get(month);
    if (!b) {
      b = { fd: openSync(this.path(month), 'w'), buf: new Int32Array(CHUNK * RECORD_INTS), n: 0 };
      this.buffers.set(month, b);
    }
    b.buf[b.n++] = meter;
    b.buf[b.n++] = slot;
    b.buf[b.n++] = value;
    if (b.n === b.buf.length) this.flush(b);
  }

  private flush(b: { fd: number; buf: Int32Array; n: number }): void {
    writeSync(b.fd, new Uint8Array(b.buf.buffer, 0, b.n * 4));
    b.n = 0;
  }

  private path(month: number): string {
    return join(this.dir, `${month + 1000}.bin`);
  }

  /** Closes the writers; returns the months present, in order. */
  finish(): number[] {
    for (const b of this.buffers.values()) {
      this.flush(b);
      closeSync(b.fd);
    }
    return [...this.buffers.keys()].sort((a, b) => a - b);
  }

  load(month: number): Int32Array {
    const bytes = readFileSync(this.path(month));
    rmSync(this.path(month));
    return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads files (CER or CSV by extension) and yields the months in calendar order. */
export async function* readMonths(paths: string[], opts: ReadOptions = {}): AsyncGenerator<MonthData> {
  const spill = new Spill();
  try {
    const meterIndex = new Map<string, number>();
    for (const file of paths) {
      await readFile(
        file,
        (r) => {
          let m = meterIndex.get(r.meter);
          if (m === undefined) meterIndex.set(r.meter, (m = meterIndex.size));
          const folded = r.slotOfDay >= SLOTS_PER_DAY;
          const a = addressOf(r.day, folded ? SLOTS_PER_DAY - 1 : r.slotOfDay);
          spill.add(a.monthIndex, m, folded ? a.slot + FOLD : a.slot, r.value);
        },
        opts,
      );
    }
    const meters = [...meterIndex.keys()];
    for (const month of spill.finish()) {
      const data = emptyMonth(monthFromIndex(month), meters);
      const recs = spill.load(month);
      const { slots, values } = data;
      const extra: number[] = [];
      for (let i = 0; i < recs.length; i += RECORD_INTS) {
        const meter = recs[i]!;
        const slot = recs[i + 1]!;
        const v = recs[i + 2]!;
        if (slot >= FOLD) {
          extra.push(meter * slots + slot - FOLD, v);
          continue;
        }
        const at = meter * slots + slot;
        if (values[at] !== MISSING) {
          const day = Math.floor(slot / SLOTS_PER_DAY) + 1;
          throw new InputError(
            `meter ${meters[meter]} has two readings for ${data.month.year}-${String(data.month.month).padStart(2, '0')}-` +
              `${String(day).padStart(2, '0')} half hour ${(slot % SLOTS_PER_DAY) + 1}`,
            { file: paths.length === 1 ? paths[0]! : paths.join(', ') },
          );
        }
        values[at] = v;
      }
      // Clock-change half hours count only where the day's last regular reading exists.
      for (let i = 0; i < extra.length; i += 2) if (values[extra[i]!] !== MISSING) values[extra[i]!] += extra[i + 1]!;
      yield data;
    }
  } finally {
    spill.dispose();
  }
}
