// Profile generic (Blue Book IEC 62056-6-2 class 7 v1) over the meter's three logs (seed §4.5 "Separate logs"):
// the half-hourly load profile (metrology log), the security event log and the off-switch event log. The logs
// module owns the logs; it sends CS security a copy of every entry it appends and the rows a GET asks for, over its
// own sealed connection (logs.copy → cs.logs, firmware/meter-dlms.json), and the hosting module hands them here
// (server.ts dlms_log_entry); long answers go in blocks (the windowed writer re-encodes per block). No copy of the
// logs is kept: see CACHE below.
//
// Attributes: 1 logical_name, 2 buffer (selective access: selector 1 range_descriptor on the clock column,
// selector 2 entry_descriptor — Blue Book §4.3.6; as host/dlms/server/profile-generic.ts), 3 capture_objects,
// 4 capture_period, 5 sort_method (fifo), 7 entries_in_use, 8 profile_entries. Not: 6 sort_object, the methods
// reset and capture (the logs module alone writes and keeps the logs).
import { copyBytes, r8, rbad, rfail, rN, rskip, sameBytes, v16, v32, v8, vbegin, vcopy, vinside, vlen, vmiss, vN } from './io';
// (date-times: quotient and remainder in one loop, no division helper — issue 19 item 5)
import { divmod, rem } from '../divmod';

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
// Per profile: capacity (the logs module's, firmware/logs/logs.ts), column count, columns (4), capture period in s
// (u16 LE).
// prettier-ignore
const PROF = memory.data<u8>([
  48, 3, 0, 1, 2, 0, 0x08, 0x07, //   load profile 1.0.99.1.0.255, 1800 s (the metrology log)
  32, 4, 0, 3, 4, 5, 0, 0, //         security event log 0.0.99.98.0.255
  32, 4, 0, 6, 7, 8, 0, 0, //         off-switch event log 0.0.99.98.2.255
]);
/** An octet-string of 12 (a date-time's header), then an empty array (a range_descriptor's selected_values). */
const DATE_TIME = memory.data<u8>([0x09, 12, 0x01, 0]);
// No copy of the logs here: the rows are asked of the logs module when an answer needs them (issue 19 item 5: the
// copies were 1,356 B of RAM). The logs module answers a query [log][count][tag][0][first seq u32] (FETCH, sent by
// the hosting module on its own sealed connection, cs.logs_query → logs.query) with the entries of sequence numbers
// first … first + count − 1, four per event ([log][0x80 | n][tag][0][first u32][n × 12 B], firmware/logs
// logsQuery), which land in CACHE; the GET that needed them is answered then (server.ts dlms_log_entry). A GET whose
// answer needs more rows than CACHE holds goes in blocks, each block cut where the cached rows end. The answers to
// a query given up (its GET replaced by another request) answer nothing when they come late: the tag, one more per
// query, keeps them out of CACHE once a later query is out, and CACHE is emptied at each new buffer GET before its
// query (its rows past the log's end, then zeros, may exist now) — so rows taken before that are never sent.
export const FETCH_ROWS: u32 = 8;
const CACHE: usize = memory.data(FETCH_ROWS * 12, 2);
/** The query to send: [log][count][tag][0][first seq u32] (profileFetch). */
export const FETCH: usize = memory.data(8, 4);
// The rows a buffer GET sends, fixed when the GET arrives (so every block of one answer is cut from the same rows,
// whatever the logs module appends meanwhile): sequence numbers [SEL_FIRST, SEL_END), columns [COL_FROM, COL_TO)
// — memory cells, not globals (io.ts says why). SEQS: each log's sequence number (entries appended since the logs
// module started), as its copy of each appended entry tells it (dlms_log_entry).
const SEL: usize = memory.data(58, 4);
const SEL_FIRST: usize = SEL;
const SEL_END: usize = SEL + 4;
const SEQS: usize = SEL + 8; // 3 × u32
const CACHE_Q: usize = SEL + 20; // the sequence number of CACHE's first row
const SCAN_Q: usize = SEL + 24; // a range_descriptor being resolved: the next row to compare,
const SCAN_A: usize = SEL + 28; // … the first row inside [from, to] (SEL_END: none yet)
const SCAN_B: usize = SEL + 32; // … and the row after the last inside
const FROM_T: usize = SEL + 36; // … from_value's year to second (8 bytes, as cmpTime compares them)
const TO_T: usize = SEL + 44; // … to_value's
const COL_FROM: usize = SEL + 52;
const COL_TO: usize = SEL + 53;
const CACHE_LOG: usize = SEL + 54; // the log CACHE holds rows of (0xff: none)
const CACHE_GOT: usize = SEL + 55; // rows of the query answered so far (FETCH_ROWS: CACHE complete)
const SCANNING: usize = SEL + 56; // 1 while a range_descriptor is resolved
/**
 * 1 once every log's sequence number is known. After a start of this module (a reset of CS security, a re-deployed
 * module, a power cycle: the logs module kept its logs) none is until the logs module says it; its copies tell it
 * only as it appends, half an hour later for the load profile — meanwhile every profile would look empty (issue 19
 * item 2: the load profile "from the metrology log" shows the rows the log holds). So the server asks (server.ts
 * dlms_rx holds every frame until then — a ciphered request's object is known only once its counter was taken, too
 * late to hold it): FETCH as it is before any query for rows, [0][count 0][0][0]…, which the logs module answers with
 * the copy of each log's newest entry, the metrology log's last and marked (found | 2: firmware/logs input_query).
 */
export const KNOWN: usize = SEL + 57;
const SCRATCH: usize = memory.data(20);

function prof(p: u32, i: u32): u32 {
  return <u32>load<u8>(PROF + ((p & 3) << 3) + i); // (masked: a profile index, 0–2)
}
function col(p: u32, k: u32): usize {
  return COLS + (prof(p, 2 + k) << 3);
}
function seqOf(p: u32): u32 {
  return load<u32>(SEQS + ((p & 3) << 2));
}
function used(p: u32): u32 {
  const n = seqOf(p);
  const cap = prof(p, 0);
  return n < cap ? n : cap;
}
/** Where the entry of sequence number q of log p lies in CACHE (even), or 0 when CACHE does not hold it. */
function cached(p: u32, q: u32): usize {
  const i = q - load<u32>(CACHE_Q);
  if (p != <u32>load<u8>(CACHE_LOG) || <u32>load<u8>(CACHE_GOT) != FETCH_ROWS || i >= FETCH_ROWS) return 0;
  return CACHE + (i & 7) * 12;
}
/** Asks the logs module for FETCH_ROWS rows of log p from sequence number q (the hosting module sends FETCH). */
export function profileFetch(p: u32, q: u32): void {
  store<u8>(CACHE_LOG, <u8>p);
  store<u32>(CACHE_Q, q);
  store<u8>(CACHE_GOT, 0);
  store<u16>(FETCH, <u16>(p | (FETCH_ROWS << 8)));
  store<u8>(FETCH + 2, load<u8>(FETCH + 2) + 1);
  store<u32>(FETCH + 4, q);
}

/**
 * A window of profile p's buffer had a row CACHE does not hold (io.ts vmissed), `first` the window's first row:
 * asks for the rows from `first` on (true: the GET waits for them), unless CACHE holds them from there already —
 * false: the window ends before the missing row. (Asking from the window's first row, not the missing one, keeps
 * a block from ending a few bytes in, where a row the previous block began is the only one held.)
 */
export function profileRefill(p: u32, first: u32): bool {
  if (p == <u32>load<u8>(CACHE_LOG) && <u32>load<u8>(CACHE_GOT) == FETCH_ROWS && first == load<u32>(CACHE_Q)) return false;
  profileFetch(p, first);
  return true;
}

/**
 * What the logs module sent CS security ([log u8][b u8][tag u8][0][seq u32] then 12-byte entries): an answer to
 * FETCH (b = 0x80 | n, n rows from sequence number seq, the query's tag) is kept in CACHE — true once the query is
 * answered whole; a copy of a log's newest entry (b = found, | 2 on the last copy answering the query of count 0:
 * KNOWN; seq the log's sequence number, 0 when empty) only moves SEQS: false.
 */
export function profileTake(a: usize, len: u32): bool {
  const log = <u32>load<u8>(a);
  const b = <u32>load<u8>(a, 1);
  const seq = load<u32>(a, 4); // (read once for both forms)
  if (log >= PROFILES) return false;
  if (b < 0x80) {
    store<u32>(SEQS + (log << 2), seq);
    if (b > 1) store<u8>(KNOWN, 1); // (the three copies come in one input of the logs module, in order, this one last)
    return false;
  }
  const n = (b - 0x80) & 0x7f; // (masks that change nothing but keep the products 16-bit: no 32-bit multiply)
  const got = <u32>load<u8>(CACHE_GOT) & 0xf;
  if (log != <u32>load<u8>(CACHE_LOG) || load<u8>(a, 2) != load<u8>(FETCH + 2) || len != 8 + n * 12 || got + n > FETCH_ROWS || seq != load<u32>(CACHE_Q) + got) return false;
  copyBytes(CACHE + got * 12, a + 8, n * 12);
  store<u8>(CACHE_GOT, <u8>(got + n));
  return got + n == FETCH_ROWS;
}

/** COSEM date-time (Blue Book 4.1.6.1, 12 bytes) of `s` seconds since 1970 UTC: deviation 0, hundredths 0. */
export function dateTime(s: u32, status: u32): void {
  // (16-bit values from here: a u32 of seconds is below 49,711 days; masks tell our compiler so, README "Measured")
  let days = divmod(s, 86400) & 0xffff;
  let sod = rem();
  divmod(days + 3, 7);
  const dow = rem() + 1; // 1970-01-01 was a Thursday; DLMS: Monday = 1
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
  sod = rem() & 0xffff;
  // (fixed and small fields written several at a time: one call, not one per byte)
  v32(0x090c0000 | y); // octet-string of 12: year
  v32((m << 24) | ((days + 1) << 16) | (dow << 8) | h);
  const min = divmod(sod, 60);
  v16((min << 8) | rem());
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
 * selection in a range_descriptor: not offered). A range_descriptor is resolved by profileScan, as rows come.
 */
export function profileSelect(p: u32, sel: u32): u32 {
  const n = used(p);
  const seq = seqOf(p);
  let first = seq - n + 1;
  let end = seq + 1;
  const cols = prof(p, 1);
  store<u8>(COL_FROM, 0);
  store<u8>(COL_TO, <u8>cols);
  store<u8>(SCANNING, 0);
  store<u8>(CACHE_LOG, 0xff); // (see CACHE)
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
      copyBytes(FROM_T, from + 2, 8);
      copyBytes(TO_T, to + 2, 8);
      store<u32>(SCAN_Q, first);
      store<u32>(SCAN_A, end);
      store<u32>(SCAN_B, end);
      store<u8>(SCANNING, 1);
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

/**
 * Resolves a range_descriptor of profile p (profileSelect): the rows inside [from, to], compared as they come from
 * the logs module. False while a row is still to be asked for (FETCH set: the GET waits); true once the selection is
 * fixed (or there was no range).
 */
export function profileScan(p: u32): bool {
  if (load<u8>(SCANNING) == 0) return true;
  const end = load<u32>(SEL_END);
  // The log is in time order (the logs module stamps entries with its own, never decreasing, time).
  for (let q = load<u32>(SCAN_Q); q != end; q++) {
    const e = cached(p, q) & 0xfffe; // (even, below 2^16: word loads without parity or range checks)
    if (e == 0) {
      store<u32>(SCAN_Q, q);
      profileFetch(p, q);
      return false;
    }
    vbegin(SCRATCH, 0, 14);
    dateTime(load<u32>(e), 0);
    if (cmpTime(SCRATCH + 2, FROM_T) >= 0 && cmpTime(SCRATCH + 2, TO_T) <= 0) {
      if (load<u32>(SCAN_A) == end) store<u32>(SCAN_A, q);
      store<u32>(SCAN_B, q + 1);
    }
  }
  store<u32>(SEL_FIRST, load<u32>(SCAN_A));
  store<u32>(SEL_END, load<u32>(SCAN_B));
  store<u8>(SCANNING, 0);
  return true;
}

/**
 * Encodes attribute attr (2–8) of profile p through the windowed writer; the caller checked the right. The buffer's
 * rows all have one size (a date-time is 14 bytes, the numbers fixed): a row outside the window is counted, not
 * encoded, and a row inside it that CACHE does not hold is counted and reported (io.ts vmiss) — the server then
 * asks for the rows from the window's first one (profileRefill) or ends the block before it.
 */
export function encodeProfile(p: u32, attr: u32): void {
  if (attr == 2) {
    v8(0x01);
    vlen(load<u32>(SEL_END) - load<u32>(SEL_FIRST));
    const from = <u32>load<u8>(COL_FROM);
    const to = <u32>load<u8>(COL_TO);
    let size: u32 = 2;
    for (let k = from; k < to; k++) {
      const f = <u32>load<u8>(col(p, k));
      size += f == 0 ? 14 : f == 3 ? 5 : 3;
    }
    for (let q = load<u32>(SEL_FIRST); q != load<u32>(SEL_END); q++) {
      if (!vinside(q, size)) continue;
      const e = cached(p, q) & 0xfffe; // (as in profileScan)
      if (e == 0) {
        vmiss(size);
        continue;
      }
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
