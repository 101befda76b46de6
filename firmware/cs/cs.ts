// CS security (seed §4.3.2 "Security module", §4.5 "Separate security modules"): the one door from the central
// system into the meter. The generated input path has already unwrapped the event under the CS↔module connection
// key and checked its counter (firmware/README.md); here the plaintext is routed by its command byte to the one
// module that may act on it — core, off-switch, DC security, logs, clock — or refused and logged. Readings going back are
// shaped by the seed's chapter 5 countermeasures, configured by the central system (CMD_PRIVACY):
//   rounding (§5.3.7 countermeasure 2): each half-hourly value to the nearest multiple of round_wh;
//   omitted readings (countermeasure 1): a reading is withheld when PRF(k, "omit", t) mod 1024 < omit_per_1024,
//     an unpredictable, meter-local choice as the seed's "each SM chooses when to discard data independently";
//   pseudonym rotation (countermeasure 3): the reading carries PRF(k, "pnym", epoch), a new pseudonym every
//     pseudonym_halfhours (e.g. 720 = 15 days, the seed's two pseudonyms a month), 0 = no pseudonym.
// The billing registers (CMD_READ) are attributable and untouched: billing uses them (§5.3.1).
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { prf } from '../lib/prf';
import { divmod, floorTo } from '../lib/divmod';

export const OUT_CORE: u32 = 1;
export const OUT_OFFSWITCH: u32 = 2;
export const OUT_DC: u32 = 4;
export const OUT_LOGS: u32 = 8;
export const OUT_LOG: u32 = 16;
export const OUT_CLOCK: u32 = 32;
/** CMD_DLMS: the DLMS server's keys and settings, for the module that hosts it (firmware/cs-dlms). */
export const OUT_DLMS: u32 = 64;

const OMIT: u32 = 0x6f6d6974; // "omit"
const PSEUDONYM: u32 = 0x706e796d; // "pnym"

export const LOG_BOX = memory.data(8);
/** A reading to the central system: [80][0][tariff u16][pseudonym u32][t u32][Wh u32]. */
export const READING_BOX = memory.data(16);
const KEY = memory.data(16);
// The settings as 16-bit words at constant addresses, not i32 globals (one MSP430 word each: a smaller TCB).
const SETTINGS = memory.data(6);
const ROUND_WH: usize = 0;
const OMIT_PER_1024: usize = 2;
const PSEUDONYM_HALF_HOURS: usize = 4;

/** Fills LOG_BOX with a security-log entry; returns OUT_LOG. (Four arguments, for firmware/cs-dlms; here logHead:
 *  two arguments travel in registers, four put two on the stack at every call.) */
export function csLog(kind: u8, result: u8, aux: u32, value: u32): u32 {
  return logHead(<u32>kind | (<u32>result << 8) | (aux << 16), value);
}

/** The entry {kind, result, aux u16, value u32} with `head` = kind | result << 8 | aux << 16. */
function logHead(head: u32, value: u32): u32 {
  store<u32>(LOG_BOX, head);
  store<u32>(LOG_BOX, value, 4);
  return OUT_LOG;
}

function privacy(len: u32): u32 {
  if (len != 24) return logHead(ev.EV_PRIVACY | (<u32>ev.BAD_FORMAT << 8), len);
  const r = <u32>load<u16>(IN, 2);
  const o = <u32>load<u16>(IN, 4);
  const p = <u32>load<u16>(IN, 6);
  const head = ev.EV_PRIVACY | (p << 16);
  const value = (o << 16) | r;
  if (o > 512) return logHead(head | (<u32>ev.BAD_VALUE << 8), value); // at most half the readings withheld
  store<u32>(SETTINGS, value); // ROUND_WH, OMIT_PER_1024: the message's words 2 and 4
  store<u16>(SETTINGS + PSEUDONYM_HALF_HOURS, <u16>p);
  // byte by byte, not memory.copy: binaryen's optimiser asserts on a bulk-memory op in a function it inlined into;
  // bytes, not words: no alignment test per access
  for (let i: u32 = 0; i < 16; i++) store<u8>(KEY + i, load<u8>(IN + 8 + i));
  return logHead(head, value);
}

/** A plaintext from the central system at IN; returns where it goes (the caller passes the same bytes on). The
 *  command byte's ranges decide (events.ts: 01–04 and 06 core, 07 logs, 08 clock, 09 DLMS, 10–12 off-switch, 30 DC
 *  security); `len` is at most the input buffer's 64 bytes, so `& 0x7f` changes nothing but lets the compiler compare
 *  it as one 16-bit word. */
export function csCommand(len: i32): u32 {
  const n = <u32>len & 0x7f;
  if (n < 2) return csReject(len);
  const cmd = <u32>load<u8>(IN);
  if (((cmd - 1) & 0xff) < <u32>ev.CMD_DLMS) { // 1 ≤ cmd ≤ CMD_DLMS: one compare (0 wraps to 255)
    if (cmd == ev.CMD_PRIVACY) return privacy(n);
    if (cmd == ev.CMD_LOG_READ) return OUT_LOGS;
    if (cmd == ev.CMD_TIME) return OUT_CLOCK;
    if (cmd == ev.CMD_DLMS) return OUT_DLMS;
    return OUT_CORE; // CMD_TARIFF, CMD_PREPAID, CMD_TOPUP, CMD_APPLIANCE, CMD_READ
  }
  if (cmd >= <u32>ev.CMD_DISCONNECT && cmd <= <u32>ev.CMD_UNLOCK) return OUT_OFFSWITCH;
  if (cmd == ev.CMD_DC_KEY) return OUT_DC;
  return csReject(len);
}

/** A plaintext no module here takes (unknown command byte, or CMD_DLMS with no DLMS server): logged, refused. */
export function csReject(len: i32): u32 {
  const n = <u32>len & 0x7f;
  return logHead(ev.EV_CS_REJECT | (<u32>ev.BAD_FORMAT << 8) | ((<u32>load<u8>(IN) & (n >= 2 ? 0xff : 0)) << 16), n);
}

/** A half-hourly reading from the core at IN ([t u32][Wh u32][tariff u16][0]); fills READING_BOX and returns 1,
 *  or returns 0 when this reading is one the omission countermeasure withholds. */
export function csReading(len: i32): u32 {
  if ((<u32>len & 0x7f) != 12) return 0;
  const t = load<u32>(IN);
  let wh = load<u32>(IN, 4);
  const omit = <u32>load<u16>(SETTINGS + OMIT_PER_1024);
  const step = <u32>load<u16>(SETTINGS + ROUND_WH);
  const period = <u32>load<u16>(SETTINGS + PSEUDONYM_HALF_HOURS);
  if (omit != 0 && (prf(KEY, OMIT, t) & 1023) < omit) return 0;
  if (step != 0) {
    // The nearest multiple of step: x − x % step for x = wh + step / 2 (lib/divmod: no division helper, no multiply).
    wh = floorTo(wh + (step >> 1), step);
  }
  store<u32>(READING_BOX, 0x80 | (<u32>load<u16>(IN, 8) << 16));
  store<u32>(READING_BOX, period != 0 ? prf(KEY, PSEUDONYM, divmod(divmod(t, 1800), period)) : 0, 4);
  store<u32>(READING_BOX, t, 8);
  store<u32>(READING_BOX, wh, 12);
  return 1;
}
