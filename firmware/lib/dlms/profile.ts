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
import { copyBytes, divmod, r8, rbad, remainder, rfail, rN, rskip, sameBytes, v16, v32, v8, vbegin, vcopy, vlen, vN } from './io';

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
// Per profile: capacity, column count, columns (4), capture period in s (u16 LE), ring offset / 4.
// prettier-ignore
const PROF = memory.data<u8>([
  48, 3, 0, 1, 2, 0, 0x08, 0x07, 0, //   load profile 1.0.99.1.0.255, 1800 s (the metrology log)
  32, 4, 0, 3, 4, 5, 0, 0, 145, //       security event log 0.0.99.98.0.255 (offset 580)
  32, 4, 0, 6, 7, 8, 0, 0, 242, //       off-switch event log 0.0.99.98.2.255 (offset 968)
]);
/** An octet-string of 12 (a date-time's header), then an empty array (a range_descriptor's selected_values). */
const DATE_TIME = memory.data<u8>([0x09, 12, 0x01, 0]);
// The copies: per log {seq u32: entries appended since start-up} then `capacity` entries of 12 bytes, the entry of
// sequence number q (1 = the first) in slot (q - 1) mod capacity — the logs module's ring (../ring.ts) holds the
// same entries; this form needs no write index of its own (one rule for append and read: issue 19 item 5).
const RINGS: usize = memory.data(4 + 48 * 12 + 2 * (4 + 32 * 12), 4);
const SCRATCH: usize = memory.data(20);
const NONE: usize = memory.data(12, 2); // an entry overwritten during a block transfer reads as zeros
// The rows a buffer GET sends, fixed when the GET arrives (so every block of one answer is cut from the same rows,
// whatever the logs module appends meanwhile): sequence numbers [SEL_FIRST, SEL_END), columns [COL_FROM, COL_TO)
// — memory cells, not globals (io.ts says why).
const SEL: usize = memory.data(12, 4);
const SEL_FIRST: usize = SEL;
const SEL_END: usize = SEL + 4;
const COL_FROM: usize = SEL + 8;
const COL_TO: usize = SEL + 9;

function prof(p: u32, i: u32): u32 {
  p &= 3; // a profile index (0–2): the row offset stays a 16-bit sum, no multiply helper (issue 19 item 5)
  return <u32>load<u8>(PROF + (p << 3) + p + i);
}
function ring(p: u32): usize {
  return RINGS + (prof(p, 8) << 2);
}
function col(p: u32, k: u32): usize {
  return COLS + (prof(p, 2 + k) << 3);
}
function seqOf(p: u32): u32 {
  return load<u32>(ring(p));
}
function used(p: u32): u32 {
  const n = seqOf(p);
  const cap = prof(p, 0);
  return n < cap ? n : cap;
}
/** Where the entry of sequence number q of log p lies (even: entries are 12 bytes from a 4-byte header), or NONE
 *  when the copy does not hold it (not yet appended, or overwritten since). */
function entry(p: u32, q: u32): usize {
  const n = seqOf(p);
  const cap = prof(p, 0);
  if (q == 0 || q > n || n - q >= cap) return NONE;
  divmod(q - 1, cap);
  return ring(p) + 4 + remainder() * 12;
}

/** A log entry from the logs module (12 bytes at e) appended to the copy of log p; false when p is no log. */
export function mirror(p: u32, e: usize): bool {
  if (p >= PROFILES) return false;
  const q = seqOf(p) + 1;
  store<u32>(ring(p), q);
  copyBytes(entry(p, q), e, 12);
  return true;
}

/** COSEM date-time (Blue Book 4.1.6.1, 12 bytes) of `s` seconds since 1970 UTC: deviation 0, hundredths 0. */
export function dateTime(s: u32, status: u32): void {
  // (16-bit values from here: a u32 of seconds is below 49,711 days; masks tell our compiler so, README "Measured")
  let days = divmod(s, 86400) & 0xffff;
  let sod = remainder();
  divmod(days + 3, 7);
  const dow = remainder() + 1; // 1970-01-01 was a Thursday; DLMS: Monday = 1
  // Year and month by counting from 1970 (≤ 136 years for u32 seconds, ≤ 12 months): smaller than the era
  // arithmetic it replaced (issue 19 item 5), and within the u32 range every year divisible by 4 but 2100 is leap.
  let y: u32 = 1970;
  for (;;) {
    const len: u32 = (y & 3) == 0 && y != 2100 ? 366 : 365;
    if (days < len) break;
    days -= len;
    y = (y + 1) & 0xffff;
  }
  let m: u32 = 1;
  for (;;) {
    // 31 for months 1, 3, 5, 7, 8, 10, 12: bit 0 of m ^ (m >> 3); February 28 or 29
    const len: u32 = m == 2 ? ((y & 3) == 0 && y != 2100 ? 29 : 28) : 30 + ((m ^ (m >> 3)) & 1);
    if (days < len) break;
    days -= len;
    m = (m + 1) & 0xf;
  }
  const h = divmod(sod, 3600) & 0x1f;
  sod = remainder() & 0xffff;
  // (fixed and small fields written several at a time: one call, not one per byte)
  v32(0x090c0000 | y); // octet-string of 12: year
  v32((m << 24) | ((days + 1) << 16) | (dow << 8) | h);
  const min = divmod(sod, 60);
  v16((min << 8) | remainder());
  v32(status); // hundredths 0, deviation from UTC 0 minutes, status
}

/** capture_object_definition {class_id, logical_name, attribute_index 2, data_index 0} of column c. */
function captureDef(c: usize): void {
  v32(0x02041200); // (class ids below 256)
  vN((<u32>load<u8>(c, 1) << 16) | 0x0906, 3);
  vcopy(c + 2, 6);
  v32(0x0f021200);
  v8(0);
}


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
  const seq = seqOf(p);
  let first = seq - n + 1;
  let end = seq + 1;
  const cols = prof(p, 1);
  store<u8>(COL_FROM, 0);
  store<u8>(COL_TO, <u8>cols);
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
        dateTime(load<u32>(entry(p, q) & 0xfffe), 0);
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
      store<u8>(COL_FROM, <u8>(fv - 1));
      store<u8>(COL_TO, <u8>lastCol);
    }
  }
  store<u32>(SEL_FIRST, first);
  store<u32>(SEL_END, end);
  return 0;
}

/** Encodes attribute attr (2–8) of profile p through the windowed writer; the caller checked the right. */
export function encodeProfile(p: u32, attr: u32): void {
  if (attr == 2) {
    v8(0x01);
    vlen(load<u32>(SEL_END) - load<u32>(SEL_FIRST));
    const from = <u32>load<u8>(COL_FROM);
    const to = <u32>load<u8>(COL_TO);
    for (let q = load<u32>(SEL_FIRST); q != load<u32>(SEL_END); q++) {
      const e = entry(p, q) & 0xfffe; // even: word loads without a parity branch (toolchain/compiler lower-memory)
      v16(0x0200 | (to - from));
      for (let k = from; k < to; k++) {
        const f = <u32>load<u8>(col(p, k));
        if (f == 0) dateTime(load<u32>(e), 0);
        else if (f == 3) {
          v8(0x06);
          v32(load<u32>(e, 8));
        } else {
          vN(0x120000 | (f == 1 ? (<u32>load<u8>(e, 4) << 8) | <u32>load<u8>(e, 5) : <u32>load<u16>(e, 6)), 3);
        }
      }
    }
  } else if (attr == 3) {
    v16(0x0100 | prof(p, 1));
    for (let k: u32 = 0; k < prof(p, 1); k++) captureDef(col(p, k));
  } else if (attr == 5) {
    v16(0x1601); // fifo
  } else {
    v8(0x06);
    v32(attr == 4 ? prof(p, 6) | (prof(p, 7) << 8) : attr == 7 ? used(p) : prof(p, 0));
  }
}
