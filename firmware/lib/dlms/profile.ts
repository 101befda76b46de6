// Profile generic (Blue Book IEC 62056-6-2 class 7 v1) over the meter's three logs (seed §4.5 "Separate logs"):
// the half-hourly load profile (metrology log), the security event log and the off-switch event log. The logs
// module owns the logs; it sends every entry it appends to CS security over its own sealed connection
// (logs.copy → cs.logs, firmware/meter-dlms.json), and the hosting module hands it here (dlms_log_entry in
// objects.ts): this file keeps a copy in the same ring format (../ring.ts, the same capacities as firmware/logs),
// so a GET answers within the call, in blocks when long (the windowed writer re-encodes per block).
//
// Attributes: 1 logical_name, 2 buffer (selective access: selector 1 range_descriptor on the clock column,
// selector 2 entry_descriptor — Blue Book §4.3.6; as host/dlms/server/profile-generic.ts), 3 capture_objects,
// 4 capture_period, 5 sort_method (fifo), 7 entries_in_use, 8 profile_entries. Not: 6 sort_object, the methods
// reset and capture (the logs module alone writes and keeps the logs).
import { ringAppend, ringEntry, ringSeq } from '../ring';
import { r8, rbad, rfail, rN, rskip, sameBytes, v16, v32, v8, vbegin, vcopy, vlen } from './io';

export const PROFILES: u32 = 3;

// Columns: [field, class, logical name 6]; every column is attribute 2, data index 0 of its object. Fields of a
// log entry {time u32, kind u8, result u8, aux u16, value u32}: 0 time (date-time), 1 kind·256 + result
// (long-unsigned), 2 aux (long-unsigned), 3 value (double-long-unsigned). Event codes and their meaning:
// firmware/lib/events.ts; 0.0.96.50/51.x.255 (aux, value) are in the manufacturer-specific range of group C 96.
// prettier-ignore
const COLS = memory.data<u8>([
  0, 8, 0, 0, 1, 0, 0, 255, //     0 clock time
  3, 3, 1, 0, 1, 29, 0, 255, //    1 active energy import in the interval, Wh
  2, 1, 0, 0, 96, 14, 0, 255, //   2 the interval's tariff
  1, 1, 0, 0, 96, 11, 0, 255, //   3 security event code
  2, 1, 0, 0, 96, 50, 0, 255, //   4 its aux
  3, 1, 0, 0, 96, 51, 0, 255, //   5 its value
  1, 1, 0, 0, 96, 11, 2, 255, //   6 off-switch event code
  2, 1, 0, 0, 96, 50, 2, 255, //   7 its aux: holds << 8 | pending (firmware/offswitch)
  3, 1, 0, 0, 96, 51, 2, 255, //   8 its value: relay closed
]);
// Per profile: capacity, column count, columns (4), capture period in s (u16 LE), ring offset / 8.
// prettier-ignore
const PROF = memory.data<u8>([
  48, 3, 0, 1, 2, 0, 0x08, 0x07, 0, //   load profile 1.0.99.1.0.255, 1800 s (the metrology log)
  32, 4, 0, 3, 4, 5, 0, 0, 73, //        security event log 0.0.99.98.0.255 (offset 584)
  32, 4, 0, 6, 7, 8, 0, 0, 122, //       off-switch event log 0.0.99.98.2.255 (offset 976)
]);
/** An octet-string of 12 (a date-time's header), then an empty array (a range_descriptor's selected_values). */
const DATE_TIME = memory.data<u8>([0x09, 12, 0x01, 0]);
const RINGS: usize = memory.data(8 + 48 * 12 + 2 * (8 + 32 * 12), 4);
const SCRATCH: usize = memory.data(20);
const NONE: usize = memory.data(12); // an entry overwritten during a block transfer reads as zeros

function prof(p: u32, i: u32): u32 {
  return <u32>load<u8>(PROF + p * 9 + i);
}
function ring(p: u32): usize {
  return RINGS + (prof(p, 8) << 3);
}
function col(p: u32, k: u32): usize {
  return COLS + (prof(p, 2 + k) << 3);
}
function used(p: u32): u32 {
  return <u32>load<u16>(ring(p), 2);
}

/** A log entry from the logs module (12 bytes at e) appended to the copy of log p; false when p is no log. */
export function mirror(p: u32, e: usize): bool {
  if (p >= PROFILES) return false;
  ringAppend(ring(p), prof(p, 0), load<u32>(e), load<u8>(e, 4), load<u8>(e, 5), load<u16>(e, 6), load<u32>(e, 8));
  return true;
}

/** COSEM date-time (Blue Book 4.1.6.1, 12 bytes) of `s` seconds since 1970 UTC: deviation 0, hundredths 0. */
export function dateTime(s: u32, status: u32): void {
  const days = s / 86400;
  const sod = s - days * 86400;
  // Civil date from days (H. Hinnant's days_from_civil inverse, eras of 400 years; unsigned: dates after 1970)
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  // (5·doy + 2) / 153 as a multiply and shift, exact for 5·doy + 2 ≤ 1827: binaryen turns this unsigned division
  // into a signed one (both sides provably non-negative), and the signed helper alone costs 378 bytes of code.
  const mp = ((5 * doy + 2) * 6855) >> 20;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  v8(0x09);
  v8(12);
  v16(y);
  v8(m);
  v8(d);
  v8(((days + 3) % 7) + 1); // 1970-01-01 was a Thursday; DLMS: Monday = 1
  v8(sod / 3600);
  v8((sod / 60) % 60);
  v8(sod % 60);
  v8(0);
  v16(0); // deviation from UTC in minutes
  v8(status);
}

/** capture_object_definition {class_id, logical_name, attribute_index 2, data_index 0} of column c. */
function captureDef(c: usize): void {
  v8(0x02); v8(4);
  v8(0x12); v16(<u32>load<u8>(c, 1));
  v8(0x09); v8(6); vcopy(c + 2, 6);
  v8(0x0f); v8(2);
  v8(0x12); v16(0);
}

// The rows a buffer GET sends, fixed when the GET arrives (so every block of one answer is cut from the same rows,
// whatever the logs module appends meanwhile): log sequence numbers [selFirst, selEnd), columns [colFrom, colTo).
let selFirst: u32 = 0;
let selEnd: u32 = 0;
let colFrom: u32 = 0;
let colTo: u32 = 0;

/** The next element of a structure: its type tag must be `tag`, its value n bytes (big-endian). */
function item(tag: u32, n: u32): u32 {
  if (r8() != tag) rfail();
  return rN(n);
}

/** Orders two COSEM date-times by year, month, day, hour, minute, second (day of week, hundredths, deviation and
 *  status not compared: the rows' times are whole seconds in UTC). */
function cmpTime(a: usize, b: usize): i32 {
  for (let i: u32 = 0; i < 8; i++) {
    const d = <i32>load<u8>(a + i) - <i32>load<u8>(b + i);
    if (i != 4 && d != 0) return d;
  }
  return 0;
}

/**
 * The selection of a GET of profile p's buffer; the request reader stands at the access selector when `sel` is 1.
 * Returns a data-access-result: 0, 12 type-unmatched (not the descriptor's structure), 13 scope-of-access-violated
 * (restricting object not the clock column, entries or columns out of range, another selector), 250 (a column
 * selection in a range_descriptor: not offered).
 */
export function profileSelect(p: u32, sel: u32): u32 {
  const n = used(p);
  const seq = ringSeq(ring(p));
  let first = seq - n + 1;
  let end = seq + 1;
  const cols = prof(p, 1);
  colFrom = 0;
  colTo = cols;
  if (sel != 0) {
    const s = r8();
    if (s - 1 > 1) return 13; // selectors 1 and 2 only
    if (r8() != 0x02 || r8() != 4) return 12;
    if (s == 1) {
      // range_descriptor {restricting_object, from_value, to_value, selected_values}: the restricting object must
      // be the clock column, compared as its encoding; the values octet-string date-times.
      vbegin(SCRATCH, 0, 18);
      captureDef(col(p, 0));
      const restricting = rskip(18);
      const from = rskip(14);
      const to = rskip(14);
      const selected = rskip(2);
      // (byte loads: the request's fields lie at any address, and a word access must be even on the MSP430)
      if (rbad() || !sameBytes(from, DATE_TIME, 2) || !sameBytes(to, DATE_TIME, 2)) return 12;
      if (!sameBytes(restricting, SCRATCH, 18)) return 13;
      if (!sameBytes(selected, DATE_TIME + 2, 2)) return 250;
      // The log is in time order (the logs module stamps entries with its own, never decreasing, time).
      let a = end;
      let b = end;
      for (let q = first; q != end; q++) {
        vbegin(SCRATCH, 0, 14);
        dateTime(load<u32>(ringEntry(ring(p), prof(p, 0), seq - q)), 0);
        if (cmpTime(SCRATCH + 2, from + 2) >= 0 && cmpTime(SCRATCH + 2, to + 2) <= 0) {
          if (a == end) a = q;
          b = q + 1;
        }
      }
      first = a;
      end = b;
    } else {
      // entry_descriptor {from_entry, to_entry (0: the last), from_selected_value, to_selected_value (0: the last)}
      const fe = item(0x06, 4);
      const te = item(0x06, 4);
      const fv = item(0x12, 2);
      const tv = item(0x12, 2);
      if (rbad()) return 12;
      const last = te == 0 || te > n ? n : te;
      const lastCol = tv == 0 || tv > cols ? cols : tv;
      if (fe < 1 || fe > last + 1 || fv < 1 || fv > lastCol) return 13;
      end = first + last;
      first += fe - 1;
      colFrom = fv - 1;
      colTo = lastCol;
    }
  }
  selFirst = first;
  selEnd = end;
  return 0;
}

/** Encodes attribute attr (2–8) of profile p through the windowed writer; the caller checked the right. */
export function encodeProfile(p: u32, attr: u32): void {
  const r = ring(p);
  if (attr == 2) {
    v8(0x01);
    vlen(selEnd - selFirst);
    const seq = ringSeq(r);
    for (let q = selFirst; q != selEnd; q++) {
      let e = ringEntry(r, prof(p, 0), seq - q);
      if (e == 0) e = NONE;
      v8(0x02);
      v8(colTo - colFrom);
      for (let k = colFrom; k < colTo; k++) {
        const f = <u32>load<u8>(col(p, k));
        if (f == 0) dateTime(load<u32>(e), 0);
        else if (f == 3) {
          v8(0x06);
          v32(load<u32>(e, 8));
        } else {
          v8(0x12);
          v16(f == 1 ? (<u32>load<u8>(e, 4) << 8) | <u32>load<u8>(e, 5) : <u32>load<u16>(e, 6));
        }
      }
    }
  } else if (attr == 3) {
    v8(0x01);
    v8(prof(p, 1));
    for (let k: u32 = 0; k < prof(p, 1); k++) captureDef(col(p, k));
  } else if (attr == 5) {
    v8(0x16);
    v8(1); // fifo
  } else {
    v8(0x06);
    v32(attr == 4 ? prof(p, 6) | (prof(p, 7) << 8) : attr == 7 ? used(p) : prof(p, 0));
  }
}
