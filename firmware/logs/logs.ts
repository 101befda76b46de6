// The three logs — metrology, security, off-switch — of seed §4.5 "Separate logs", as one protected module with
// three fixed regions. Why one module and not three: the writers are already separated by their connections (each
// log has its own inputs, each input its own connection key, so only the off-switch module can write the off-switch
// log and a flood of security events lands only in the security region); every store goes through ringAppend,
// which reduces the index below the region's capacity before writing, and the compiler bounds-checks every access
// against the module's memory; three modules would triple the entry stub and runtime (≈ 550 B each) and take two
// more of the node's Sancus module slots. The residual risk — a bug in this file's ~60 lines crossing regions — is
// what the tests below (test/firmware/logs.test.ts) and review cover.
import { ringAppend, ringEntry, ringSeq, ENTRY } from '../lib/ring';
import { IN } from '../lib/events';

export const LOG_METROLOGY: u32 = 0;
export const LOG_SECURITY: u32 = 1;
export const LOG_OFFSWITCH: u32 = 2;

// Capacities: a day of half-hourly readings; 32 security and 32 off-switch events (SMETS keeps the last 100/30;
// sized to the emulated board's 10 KiB of data memory shared by every module).
export const CAP_METROLOGY: u32 = 48;
export const CAP_SECURITY: u32 = 32;
export const CAP_OFFSWITCH: u32 = 32;
const METROLOGY = memory.data(8 + 48 * 12);
const SECURITY = memory.data(8 + 32 * 12);
const OFFSWITCH = memory.data(8 + 32 * 12);

/** The reply to a read: [log u8][found u8][index u16][seq u32][entry 12 B]. */
export const REPLY = memory.data(20);
export const REPLY_BYTES: i32 = 20;

/** The logs' own time, from the clock driver's connection: entries are stamped here, not by their writers. */
let now: u32 = 0;

export function logsTick(t: u32): void {
  if (t > now) now = t;
}

function region(which: u32): usize {
  return which == LOG_METROLOGY ? METROLOGY : which == LOG_SECURITY ? SECURITY : which == LOG_OFFSWITCH ? OFFSWITCH : 0;
}

function capacity(which: u32): u32 {
  return which == LOG_METROLOGY ? CAP_METROLOGY : which == LOG_SECURITY ? CAP_SECURITY : CAP_OFFSWITCH;
}

/** Appends a writer's 8-byte entry at IN {kind u8, result u8, aux u16, value u32} to log `which`; returns the
 *  log's new sequence number, or 0 when the entry is malformed (not 8 bytes) or the log unknown. */
export function logsAppend(which: u32, len: i32): u32 {
  const base = region(which);
  if (base == 0 || len != 8) return 0;
  return ringAppend(base, capacity(which), now, load<u8>(IN), load<u8>(IN, 1), load<u16>(IN, 2), load<u32>(IN, 4));
}

/** Fills REPLY with the i-th newest entry of log `which` (found = 0 and a zero entry when there is none). */
export function logsRead(which: u32, i: u32): void {
  memory.fill(REPLY, 0, 20);
  store<u8>(REPLY, <u8>which);
  store<u16>(REPLY, <u16>i, 2);
  const base = region(which);
  if (base == 0) return;
  store<u32>(REPLY, ringSeq(base), 4);
  const e = ringEntry(base, capacity(which), i);
  if (e == 0) return;
  store<u8>(REPLY, 1, 1);
  memory.copy(REPLY + 8, e, ENTRY);
}

/** The answer to a query (CS security's DLMS profiles): [log u8][0x80 | n u8][tag u8][0][first seq u32][n entries
 *  of 12 B], n ≤ QUERY_PER_EVENT, the tag the query's — 0x80 tells it from an append's copy (REPLY, whose second
 *  byte is 0 or 1). */
export const ANSWER = memory.data(8 + 4 * 12);
export const QUERY_PER_EVENT: u32 = 4;

/** Fills ANSWER with the entries of sequence numbers first … first + n − 1 (n ≤ 4) of log `which`; a sequence
 *  number the log does not hold (not yet appended, or overwritten since) gives a zero entry. Returns the answer's
 *  length, 0 when the log is unknown. */
export function logsQuery(which: u32, first: u32, n: u32, tag: u32): i32 {
  const base = region(which);
  if (base == 0) return 0;
  if (n > QUERY_PER_EVENT) n = QUERY_PER_EVENT;
  store<u8>(ANSWER, <u8>which);
  store<u8>(ANSWER, <u8>(0x80 | n), 1);
  store<u16>(ANSWER, <u16>(tag & 0xff), 2);
  store<u32>(ANSWER, first, 4);
  const seq = ringSeq(base);
  for (let j: u32 = 0; j < n; j++) {
    const q = first + j;
    const at = ANSWER + 8 + j * ENTRY;
    // the q-th entry is the (seq − q)-th newest; ringEntry bounds the index by what the log holds
    const e = q == 0 || q > seq ? 0 : ringEntry(base, capacity(which), seq - q);
    if (e == 0) memory.fill(at, 0, ENTRY);
    else memory.copy(at, e, ENTRY);
  }
  return <i32>(8 + n * ENTRY);
}

/** Tests and the bench: one field of an entry (0 time, 1 kind, 2 result, 3 aux, 4 value, 5 the log's seq), −1 if none. */
export function logsField(which: u32, i: u32, field: u32): i32 {
  const base = region(which);
  if (base == 0) return -1;
  if (field == 5) return <i32>ringSeq(base);
  const e = ringEntry(base, capacity(which), i);
  if (e == 0) return -1;
  if (field == 0) return <i32>load<u32>(e);
  if (field == 1) return <i32>load<u8>(e, 4);
  if (field == 2) return <i32>load<u8>(e, 5);
  if (field == 3) return <i32>load<u16>(e, 6);
  return <i32>load<u32>(e, 8);
}
