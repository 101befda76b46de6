import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cerDay, monthLabel, SLOTS_PER_DAY } from './calendar.ts';
import { MISSING, UNITS_PER_KWH, type MonthData } from './month-data.ts';
import type { Format } from './readers.ts';

// Writes months as data files the readers take back: one file per month, CER lines or CSV rows.

function kwh(v: number): string {
  return (v / UNITS_PER_KWH).toFixed(4);
}

export async function writeMonth(dir: string, data: MonthData, format: Format): Promise<{ file: string; readings: number }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${monthLabel(data.month)}.${format === 'csv' ? 'csv' : 'txt'}`);
  const out = createWriteStream(file);
  const { slots, values, month } = data;
  const mm = String(month.month).padStart(2, '0');
  let readings = 0;
  let chunk: string[] = format === 'csv' ? ['meter,timestamp,kwh'] : [];
  const drain = async () => {
    if (chunk.length === 0) return;
    const ok = out.write(chunk.join('\n') + '\n');
    chunk = [];
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (let r = 0; r < data.meters.length; r++) {
    const id = data.meters[r]!;
    for (let s = 0; s < slots; s++) {
      const v = values[r * slots + s]!;
      if (v === MISSING) continue;
      const day = Math.floor(s / SLOTS_PER_DAY) + 1;
      const half = (s % SLOTS_PER_DAY) + 1;
      if (format === 'csv') {
        const hh = String(Math.floor((half - 1) / 2)).padStart(2, '0');
        chunk.push(`${id},${month.year}-${mm}-${String(day).padStart(2, '0')}T${hh}:${half % 2 ? '00' : '30'},${kwh(v)}`);
      } else {
        const code = cerDay(month.year, month.month, day) * 100 + half;
        chunk.push(`${id} ${code} ${kwh(v)}`);
      }
      readings++;
    }
    if (chunk.length > 50_000) await drain();
  }
  await drain();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { file, readings };
}
