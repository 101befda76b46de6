// `hasm meter run --household N --seed S`: one household of the privacy study's synthetic CER-like data
// (host/analysis/privacy/synthetic.ts, the generator behind `hasm privacy generate`), made on the fly as a load
// profile for the metrology front end: its half-hourly readings of the trial's first complete month (August
// 2009), in exact mWh. A reading that never arrived in the data (an outage) is fed as no energy drawn.
import { UsageError } from '../../toolchain/common/errors.ts';
import type { LoadProfile } from '../../toolchain/emulator/load-profile.ts';
import { CER_LIKE } from '../analysis/privacy/synthetic-params.ts';
import { SyntheticData } from '../analysis/privacy/synthetic.ts';
import { MISSING, UNITS_PER_KWH } from '../analysis/privacy/month-data.ts';

const FIRST_FULL_MONTH = 1; // the trial starts on 14 July 2009: August is the first whole month

export function householdProfile(household: number, seed: number): LoadProfile {
  if (!Number.isInteger(household) || household < 0 || household > 100_000) throw new UsageError(`--household: expected an index 0…100000, got ${household}`);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${seed}`);
  const data = new SyntheticData({ ...CER_LIKE, households: household + 1, seed });
  const month = data.months()[FIRST_FULL_MONTH]!;
  const m = data.month(month);
  const row = m.values.subarray(household * m.slots, (household + 1) * m.slots);
  const mwhPerUnit = 1_000_000n / BigInt(UNITS_PER_KWH); // 1 unit = 0.1 Wh = 100 mWh
  return { intervalSeconds: 1800, mwh: Array.from(row, (v) => (v === MISSING ? 0n : BigInt(v) * mwhPerUnit)), meter: m.meters[household] };
}
