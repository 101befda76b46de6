// Tariffs and their switching times (seed §4.3.2 "Memory": "the different energy prices and the periods of the day
// for which they are valid"; §4.3.4 "updating the tariffs"). A table is up to 4 prices (mills, 1/1000 of the
// currency unit, per kWh) and up to 8 switching times per day (minute of the day, tariff index), strictly rising.
// The tariff in force at a minute is the one of the last switch at or before it, wrapping to the last switch of
// the previous day. Time is the meter clock's seconds (UTC, no daylight saving: a switch at 07:00 local winter
// time is 420 all year — the central system sends a new table twice a year if it wants local time).

export const MAX_TARIFFS: u32 = 4;
export const MAX_SWITCHES: u32 = 8;
/** Table region: nT u8, nS u8, 2 spare, prices u32 × 4 at 4, switches {minute u16, tariff u8, 0} × 8 at 20. */
export const TABLE_BYTES: u32 = 52;

/** Checks a CMD_TARIFF message ([01][nT][nS][0][price u32 × nT][minute u16, tariff u8, 0 × nS]); 0 = valid.
 *  Counts and indexes are u16 (one MSP430 word: the compiler keeps them single 16-bit operations). */
export function tariffCheck(msg: usize, len: u32): u32 {
  if (len < 4) return 1;
  const nT = <u16>load<u8>(msg, 1);
  const nS = <u16>load<u8>(msg, 2);
  if (nT < 1 || nT > <u16>MAX_TARIFFS || nS < 1 || nS > <u16>MAX_SWITCHES) return 2;
  if (len != 4 + 4 * <u32>(nT + nS)) return 1;
  let p = msg + 4;
  for (let i: u16 = 0; i < nT; i++, p += 4) if (load<u32>(p) > 0xffff) return 2; // ≤ 65.535 per kWh
  let prev: u16 = 0;
  for (let i: u16 = 0; i < nS; i++, p += 4) {
    const minute = load<u16>(p);
    if ((i != 0 && minute <= prev) || minute >= 1440 || <u16>load<u8>(p, 2) >= nT) return 2;
    prev = minute;
  }
  return 0;
}

/** Loads a checked message into the table region. */
export function tariffLoad(table: usize, msg: usize): void {
  const nT = <u32>load<u8>(msg, 1);
  const nS = <u32>load<u8>(msg, 2);
  // Word by word, not memory.copy/fill: the copy helpers would be in every module that uses tariffs.
  store<u8>(table, <u8>nT);
  store<u8>(table, <u8>nS, 1);
  let p = msg + 4;
  for (let i: u32 = 0; i < MAX_TARIFFS; i++) store<u32>(table + 4 + 4 * i, i < nT ? load<u32>(p + 4 * i) : 0);
  p += 4 * nT;
  for (let i: u32 = 0; i < MAX_SWITCHES; i++) store<u32>(table + 20 + 4 * i, i < nS ? load<u32>(p + 4 * i) : 0);
}

/** The tariff index in force at `t` seconds (0 with an empty table). */
export function tariffAt(table: usize, t: u32): u32 {
  const nS = <u16>load<u8>(table, 1);
  if (nS == 0 || nS > <u16>MAX_SWITCHES) return 0;
  const minute = <u16>((t - (t / 86400) * 86400) / 60); // not `%`: one division helper fewer in the TCB
  let p = table + 20;
  let idx = load<u8>(p + 4 * (nS - 1), 2);
  for (let i: u16 = 0; i < nS; i++, p += 4) {
    if (load<u16>(p) > minute) break;
    idx = load<u8>(p, 2);
  }
  return <u32>idx & (MAX_TARIFFS - 1);
}

export function tariffPrice(table: usize, idx: u32): u32 {
  return load<u32>(table + 4 + 4 * (idx & (MAX_TARIFFS - 1)));
}
