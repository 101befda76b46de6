// Tariffs and their switching times (seed §4.3.2 "Memory": "the different energy prices and the periods of the day
// for which they are valid"; §4.3.4 "updating the tariffs"). A table is up to 4 prices (mills, 1/1000 of the
// currency unit, per kWh) and up to 8 switching times per day (minute of the day, tariff index), strictly rising.
// The tariff in force at a minute is the one of the last switch at or before it, wrapping to the last switch of
// the previous day. Time is the meter clock's seconds (UTC, no daylight saving: a switch at 07:00 local winter
// time is 420 all year — the central system sends a new table twice a year if it wants local time).
//
// The table is this file's own static region (one user: the core) and the message is read at the input buffer's
// constant address (events.ts IN): every access is a constant address plus an index masked to its range (`& 3`,
// `& 7`), which the compiler proves inside memory — no bounds check per access (a smaller TCB, issue 18).
import { IN } from './events';

export const MAX_TARIFFS: u32 = 4;
export const MAX_SWITCHES: u32 = 8;
/** The table: the last valid CMD_TARIFF message as it came, [01][nT][nS][0][price u32 × nT][switch × nS]; a switch
 *  is {minute u16, tariff u8, 0}. Room for 4 + 4 × 16 bytes: every index below is masked to 15 words. */
const TABLE = memory.data(68);
/** The bytes a message may hold: 4 + 4 × (4 + 8). */
const MAX_BYTES: u32 = 52;

/** Checks a CMD_TARIFF message at IN; 0 = valid, 1 = bad format, 2 = bad value. `len` is at most the input buffer's
 *  64 bytes (the generated input path). One pass over the message's words: the prices' high halves must be 0 (at
 *  most 65.535 per kWh), the switches' minutes strictly rising below 1440 and their tariffs below nT. */
export function tariffCheck(len: u32): u32 {
  if (len < 4) return 1;
  const nT = <u32>load<u8>(IN, 1);
  const nS = <u32>load<u8>(IN, 2);
  // 1 ≤ nT ≤ 4 and 1 ≤ nS ≤ 8, one compare each: a count of 0 wraps to 255 (the byte mask keeps it one word)
  if (((nT - 1) & 0xff) >= MAX_TARIFFS) return 2;
  if (((nS - 1) & 0xff) >= MAX_SWITCHES) return 2;
  const words = nT + nS; // ≤ 12
  if (len != 4 + (words << 2)) return 1;
  let next: u32 = 0; // the least minute the next switch may have (strictly rising)
  // A constant bound (12 words at most) makes k a 16-bit counter and every address below proven inside memory.
  // Each word's address written out in its access, not held in a local: the compiler then sees a shift, hence an
  // even address, and needs no parity test (the tariff byte's index spelt differently, so the two are not shared).
  for (let k: u32 = 0; k < MAX_TARIFFS + MAX_SWITCHES; k++) {
    if (k < nT) {
      if (load<u16>(IN + 4 + (k << 2), 2) != 0) return 2;
    } else if (k < words) {
      const minute = <u32>load<u16>(IN + 4 + (k << 2));
      if (minute >= 1440 || minute < (next & 0xffff)) return 2;
      if (<u32>load<u8>(IN + 6 + ((k & 15) << 2)) >= nT) return 2;
      next = minute + 1;
    }
  }
  return 0;
}

/** Takes the checked message at IN as the table: a fixed copy of the longest message, byte by byte (no alignment
 *  test, no copy helper); what lies past the message is never read (indexes stay below nT and nS). */
export function tariffLoad(): void {
  for (let i: u32 = 0; i < MAX_BYTES; i++) store<u8>(TABLE + i, load<u8>(IN + i));
}

/** The tariff index in force at `minute` of the day (0 with an empty table). The switches rise strictly, so the
 *  last one at or before `minute` is found without a break: a constant-bound loop (a 16-bit counter) whose word
 *  addresses are written out in each access (no local: the compiler sees them even, no parity test). */
export function tariffAt(minute: u32): u32 {
  const nS = <u32>load<u8>(TABLE, 2);
  if (nS == 0) return 0;
  const nT = <u32>load<u8>(TABLE, 1) & 7;
  let idx = <u32>load<u8>(TABLE + 6 + (((nT + nS - 1) & 15) << 2)); // before the first switch: the day's last one
  for (let i: u32 = 0; i < MAX_SWITCHES; i++) {
    if (i < nS && <u32>load<u16>(TABLE + 4 + (((nT + i) & 15) << 2)) <= minute) idx = <u32>load<u8>(TABLE + 6 + ((nT + i) << 2 & 60));
  }
  return idx & (MAX_TARIFFS - 1);
}

export function tariffPrice(idx: u32): u32 {
  return load<u32>(TABLE + 4 + ((idx & (MAX_TARIFFS - 1)) << 2));
}
