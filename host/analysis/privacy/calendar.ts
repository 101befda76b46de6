// The study's time axis. Readings are half-hourly; a day has 48 slots (slot 0 = 00:00–00:30).
// CER day codes count days from 1 January 2009 = day 1 (seed §5.3.3 data set; issue 11 describes the code).

export const SLOTS_PER_DAY = 48;
const MS_PER_DAY = 86_400_000;
const CER_EPOCH = Date.UTC(2009, 0, 1); // day 1

/** A calendar month, e.g. { year: 2009, month: 8 } (month 1–12). */
export interface Month {
  year: number;
  month: number;
}

export function monthLabel(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

/** Months since January 2009 (can be negative); a dense key for per-month buckets. */
export function monthIndex(m: Month): number {
  return (m.year - 2009) * 12 + (m.month - 1);
}

export function monthFromIndex(i: number): Month {
  const y = 2009 + Math.floor(i / 12);
  return { year: y, month: i - (y - 2009) * 12 + 1 };
}

export function daysInMonth(m: Month): number {
  return new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
}

export function slotsInMonth(m: Month): number {
  return daysInMonth(m) * SLOTS_PER_DAY;
}

/** CER day number (1 = 1 Jan 2009) of a UTC calendar date. */
export function cerDay(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - CER_EPOCH) / MS_PER_DAY) + 1;
}

/** Calendar date of a CER day number. */
export function dateOfCerDay(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(CER_EPOCH + (dayNumber - 1) * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of week of a CER day, 0 = Sunday … 6 = Saturday. */
export function weekdayOfCerDay(dayNumber: number): number {
  return new Date(CER_EPOCH + (dayNumber - 1) * MS_PER_DAY).getUTCDay();
}

/** Where one reading goes: the month bucket and the slot inside that month. */
export interface SlotAddress {
  monthIndex: number;
  slot: number;
}

/** Address of half-hour `slotOfDay` (0–47) on a CER day. */
export function addressOf(dayNumber: number, slotOfDay: number): SlotAddress {
  const { year, month, day } = dateOfCerDay(dayNumber);
  return { monthIndex: monthIndex({ year, month }), slot: (day - 1) * SLOTS_PER_DAY + slotOfDay };
}

/** The seed's trial window: 14 July 2009 up to 31 December 2010 (seed §5.3.3). */
export const TRIAL_FIRST_DAY = cerDay(2009, 7, 14);
export const TRIAL_LAST_DAY = cerDay(2010, 12, 31);
