import { addressOf, cerDay, monthFromIndex, SLOTS_PER_DAY, weekdayOfCerDay, type Month } from './calendar.ts';
import { emptyMonth, UNITS_PER_KWH, type MonthData } from './month-data.ts';
import { hash32, Rng } from './rng.ts';
import { CER_LIKE, type SyntheticParams } from './synthetic-params.ts';

// Seeded synthetic half-hourly data shaped like the CER trial the seed used (its data are not public).
// Parameters and their sources: synthetic-params.ts and ../README.md. Generation is month by month and each
// (household, day) draws from its own random stream, so memory is one month and the result is order-free.

/** What is fixed about one household for the whole trial. */
interface Household {
  id: string;
  level: number; // mean kWh per half hour
  weekday: Float64Array; // 48 factors, mean 1
  weekend: Float64Array;
  seasonal: number;
  firstDay: number;
  lastDay: number;
  flat: boolean; // low-consumption homes: no daily rhythm to speak of
}

const bump = (t: number, centre: number, width: number) => {
  const d = Math.min(Math.abs(t - centre), 24 - Math.abs(t - centre));
  return Math.exp(-0.5 * (d / width) ** 2);
};

function normalise(a: Float64Array): Float64Array {
  let s = 0;
  for (const v of a) s += v;
  const k = a.length / s;
  for (let i = 0; i < a.length; i++) a[i]! *= k;
  return a;
}

/** assumption: night base load, a morning and an evening peak (later and flatter at weekends); businesses
 *  a daytime plateau on weekdays. Peak times and sizes vary per household. */
function dailyShapes(rng: Rng, kind: string): { weekday: Float64Array; weekend: Float64Array } {
  const weekday = new Float64Array(SLOTS_PER_DAY);
  const weekend = new Float64Array(SLOTS_PER_DAY);
  const base = rng.uniform(0.25, 0.55);
  const morning = 7.3 + 0.7 * rng.normal();
  const evening = 18.5 + 1.0 * rng.normal();
  const mAmp = rng.uniform(0.3, 1.2);
  const eAmp = rng.uniform(0.8, 2.2);
  const dayAmp = rng.uniform(0.1, 0.5);
  for (let s = 0; s < SLOTS_PER_DAY; s++) {
    const t = (s + 0.5) / 2;
    if (kind === 'business') {
      const open = t >= 8 + rng.uniform(-0.5, 0.5) && t <= 18 + rng.uniform(-0.5, 0.5) ? 1 : 0;
      weekday[s] = base + 2.5 * open;
      weekend[s] = base + 0.4 * open;
    } else {
      const day = t > 9 && t < 17 ? dayAmp : 0;
      weekday[s] = base + mAmp * bump(t, morning, 0.9) + eAmp * bump(t, evening, 1.6) + day;
      weekend[s] = base + 0.7 * mAmp * bump(t, morning + 1.5, 1.3) + eAmp * bump(t, evening, 1.8) + 1.6 * day;
    }
  }
  return { weekday: normalise(weekday), weekend: normalise(weekend) };
}

function makeHousehold(p: SyntheticParams, h: number): Household {
  const rng = new Rng(hash32(p.seed, h, 0x5eed));
  let u = rng.next();
  let cls = p.classes[p.classes.length - 1]!;
  for (const c of p.classes) {
    if (u < c.share) {
      cls = c;
      break;
    }
    u -= c.share;
  }
  const level = cls.medianKwh * Math.exp(cls.sigma * rng.normal());
  const { weekday, weekend } = dailyShapes(rng, cls.name);
  const seasonal = rng.uniform(p.seasonalAmplitude[0], p.seasonalAmplitude[1]);
  // Membership of the trial: most from the first day; a few join in autumn 2009 or in 2010; some leave in 2010.
  let firstDay = p.firstDay;
  const j = rng.next();
  if (j >= p.onTimeShare) {
    const autumn = j < p.onTimeShare + p.autumnJoinShare;
    firstDay = autumn ? 213 + rng.int(122) : 366 + rng.int(p.lastDay - 366);
  }
  let lastDay = p.lastDay;
  if (rng.next() < p.leaveShare) lastDay = Math.max(firstDay, 366 + rng.int(p.lastDay - 366));
  return {
    id: String(1000 + h),
    level,
    weekday,
    weekend,
    seasonal,
    firstDay,
    lastDay,
    flat: cls.name === 'low' && rng.next() < 0.5,
  };
}

export class SyntheticData {
  readonly households: Household[];
  constructor(readonly params: SyntheticParams = CER_LIKE) {
    this.households = Array.from({ length: params.households }, (_, h) => makeHousehold(params, h));
  }

  get meterIds(): string[] {
    return this.households.map((h) => h.id);
  }

  /** The months the trial touches, first to last (the first one is partial: it starts on 14 July). */
  months(): Month[] {
    const a = addressOf(this.params.firstDay, 0).monthIndex;
    const b = addressOf(this.params.lastDay, 0).monthIndex;
    return Array.from({ length: b - a + 1 }, (_, i) => monthFromIndex(a + i));
  }

  /** Generates one month for every household. */
  month(month: Month): MonthData {
    const p = this.params;
    const data = emptyMonth(month, this.meterIds);
    const { slots, values } = data;
    const mIdx = (month.year - 2009) * 12 + month.month - 1;
    const days = slots / SLOTS_PER_DAY;
    for (let h = 0; h < this.households.length; h++) {
      const hh = this.households[h]!;
      const row = h * slots;
      for (let d = 0; d < days; d++) {
        const dayNo = cerDay(month.year, month.month, d + 1);
        if (dayNo < hh.firstDay || dayNo > hh.lastDay) continue;
        const rng = new Rng(hash32(p.seed, h, dayNo));
        const wd = weekdayOfCerDay(dayNo);
        const shape = wd === 0 || wd === 6 ? hh.weekend : hh.weekday;
        const doy = dayNo - (dayNo > 365 ? 365 : 0);
        const season = 1 + hh.seasonal * Math.cos((2 * Math.PI * (doy - 15)) / 365.25);
        const dayLevel = hh.level * season * Math.exp(p.daySigma * rng.normal() - (p.daySigma * p.daySigma) / 2);
        for (let s = 0; s < SLOTS_PER_DAY; s++) {
          const sh = hh.flat ? 1 : shape[s]!;
          let kwh = dayLevel * sh * Math.exp(p.readingSigma * rng.normal() - (p.readingSigma * p.readingSigma) / 2);
          if (!hh.flat && rng.next() < p.eventRate * Math.min(1, sh / 2)) {
            kwh += hh.level * rng.uniform(p.eventScale[0], p.eventScale[1]);
          }
          values[row + d * SLOTS_PER_DAY + s] = Math.round(kwh * UNITS_PER_KWH);
        }
      }
      // Outages: a run of readings that never arrived (this makes the household-month incomplete).
      const orng = new Rng(hash32(p.seed, h, mIdx, 0x07a9e));
      if (orng.next() < p.outagePerMonth) {
        const len = 1 + orng.int(p.outageMaxSlots);
        const start = orng.int(slots);
        values.fill(-1, row + start, row + Math.min(slots, start + len));
      }
    }
    return data;
  }

  *allMonths(): Generator<MonthData> {
    for (const m of this.months()) yield this.month(m);
  }
}
