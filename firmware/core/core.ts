// The meter core / computations module (seed §4.3.2 "Computations module", §4.3.4 "Smart billing", "Load
// balancing", "Consumer feedback"; §4.5 "the tariffs, the credit balance and the prepaid flag"): energy registers
// (import total and per tariff), half-hourly readings, tariffs and their switching times, prepaid mode, credit and
// top-ups, load-balancing commands with the reasonableness checks of §4.4.2, and the status the HAN gateway shows.
// Everything it says leaves through one outbox per output (the OUT_* bits a handler returns say which are filled).
//
// Size (issue 18 "Measured", test/bench/meter-tcb.ts): the MSP430 is a 16-bit core, so every u32 is two words and
// every u32 operation two instructions; a load at a computed address costs a bounds check and an alignment test,
// one at a constant address costs nothing. So the state sits at constant addresses (the billing registers live in
// the reply's own outbox, which a read then sends as it is), computed indexes are masked to their range (`& 3`),
// which the compiler proves inside memory, and lengths are bytes (the input buffer holds at most 64).
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { tariffCheck, tariffLoad, tariffAt, tariffPrice } from '../lib/tariff';
import { divmod, floorTo, rem } from '../lib/divmod';

// Load balancing (§4.4.2: "limit the number of times the appliances can be switched off in one week and require a
// minimal amount of time between consecutive switches"); the seed gives no numbers: at most 7 switch-offs in any
// 7 × 24 h (a rolling window, so a burst cannot straddle a week boundary), and 15 min between two switches of one
// appliance. Constants, not configuration: they are there against a compromised central system.
export const APPLIANCES: u32 = 4;
export const MAX_OFF_PER_WEEK: u32 = 7;
export const MIN_SWITCH_GAP: u32 = 900;
const WEEK: u32 = 604800;
// Prepaid: a top-up is at most 1,000 currency units (a mistyped or forged amount is refused, and logged); the
// disablement threshold (§4.6.4) is at most 50 units of emergency credit below zero.
export const MAX_TOPUP: u32 = 1000000;
export const MAX_EMERGENCY: i32 = 50000;
// Consumer feedback: the HAN gateway gets a status every 5 s, half the 10 s of seed §4.6.4 (SMIP), so one late tick
// does not break the requirement.
export const HAN_PERIOD: u32 = 5;
const HALF_HOUR: u32 = 1800;
const MINUTES_PER_DAY: u32 = 1440;

export const OUT_CREDIT: u32 = 1; //    → off-switch: [CREDIT_EXHAUSTED|CREDIT_RESTORED][0]
export const OUT_LOG_SEC: u32 = 2; //   → security log: {kind, result, aux u16, value u32}
export const OUT_LOG_MET: u32 = 4; //   → metrology log: {EV_HALF_HOUR, 0, tariff, Wh}
export const OUT_READING: u32 = 8; //   → CS security and DC security: [t u32][Wh u32][tariff u16][0 u16]
export const OUT_HAN: u32 = 16; //      → HAN gateway: [t][total Wh][tariff 1..4 Wh × 4][credit i32][power W][price u32][tariff u8][prepaid u8][0 u16]
export const OUT_APPLIANCE: u32 = 32; // → HAN gateway: [appliance u8][on u8]
export const OUT_REPLY: u32 = 64; //    → CS security: [86][0][0 u16][t][total][tariff 1..4 u32 × 4][credit i32]

/** [what][0]; `what` is also the trip state: CREDIT_EXHAUSTED while the core holds the supply off for credit. */
export const CREDIT_BOX = memory.data(2);
export const SEC_BOX = memory.data(8);
export const MET_BOX = memory.data(8);
export const READING_BOX = memory.data(12);
export const APPLIANCE_BOX = memory.data(2);
/** The live billing state, which the reply to a read (its first 32 bytes) and the HAN status (HAN_BOX) send as they
 *  are: [86 u32] now (4), total (8), the tariff registers (12..28), credit (28), then the status's own fields —
 *  power (32, each energy event), price (36, each status) — and SMALL (40: tariff, prepaid, 0 u16 end the status).
 *  So a status costs no copies: only the price is written for it (issue 18 TCB). */
export const REPLY_BOX = memory.data(56);
const NOW: usize = 4;
const TOTAL: usize = 8;
const CREDIT: usize = 28;
const POWER: usize = 32;
const PRICE: usize = 36;
/** The HAN status, 40 bytes: REPLY_BOX from `now` to SMALL's prepaid byte and the zero word after it. */
export const HAN_BOX: usize = REPLY_BOX + 4;
export const HAN_BYTES: i32 = 40;

// Appliance switch times: the last switch of each appliance at 0 (4 × u32), the last MAX_OFF_PER_WEEK switch-offs
// at 16, a ring of the last 8 (the index is masked with 7: the ring cannot leave its region, and it wraps with no
// compare); the weekly cap looks at the MAX_OFF_PER_WEEK-th most recent (≤ 8), (OFF_NEXT - MAX_OFF_PER_WEEK) & 7.
const TIMES = memory.data(48);
const OFF_SLOT0: u32 = 4; // the ring's first slot in TIMES (words)

let halfHourWh: u32 = 0;
let slotStart: u32 = 0; //  the open half hour's first second
let minuteStart: u32 = 0; // the first second of the minute of the day in MINUTE
let lastHan: u32 = 0;
let threshold: i32 = 0;
let remainder: u32 = 0; // mills × 1000 not yet debited: billing stays exact to the Wh
let lastToken: u32 = 0;

// Flags and small counters as bytes at constant addresses, not wasm globals: a global is an i32, two MSP430 words
// on every access, where a byte at a constant address is one instruction. All zero at start (no initial image).
// The first four end the HAN status (REPLY_BOX).
const SMALL: usize = REPLY_BOX + 40;
const TARIFF: usize = 0; //        the tariff in force (always tariffAt(MINUTE))
const PREPAID: usize = 1;
//                                 2, 3: always 0 (the status's last word)
const STARTED: usize = 4;
const SLOT_TARIFF: usize = 5; //   the tariff at the start of the open half hour
const APPLIANCE: usize = 6; //     4 bytes, one per appliance: bit 0 off (all on at power-up), bit 1 switched before
const OFF_COUNT: usize = 10; //    switch-offs in the ring (≤ MAX_OFF_PER_WEEK)
const OFF_NEXT: usize = 11; //     the ring's next slot (< 8)
const MINUTE: usize = 12; //       u16: the minute of the day of minuteStart
const OUTS: usize = 14; //         the OUT_* bits of the event being handled (a byte: one instruction to set a bit)

// @ts-ignore: decorator
@inline function get(field: usize): u32 {
  return <u32>load<u8>(SMALL + field);
}
// @ts-ignore: decorator
@inline function set(field: usize, v: u32): void {
  store<u8>(SMALL + field, <u8>v);
}
// @ts-ignore: decorator
@inline function now(): u32 {
  return load<u32>(REPLY_BOX + NOW);
}
// @ts-ignore: decorator
@inline function credit(): i32 {
  return load<i32>(REPLY_BOX + CREDIT);
}

// @ts-ignore: decorator
@inline function head(kind: u8, result: u8, aux: u32): u32 {
  return <u32>kind | (<u32>result << 8) | (aux << 16);
}

/** The OUT_* bits of the event just handled (each handler also returns them, for tests): the module's inputs read
 *  them here, one byte, not a u32 result carried back through the handler (issue 18 TCB). */
// @ts-ignore: decorator
@inline export function coreOuts(): u32 {
  return get(OUTS);
}

// @ts-ignore: decorator
@inline function out(bits: u32): void {
  set(OUTS, get(OUTS) | bits);
}

/** Prepaid (§4.6.4 requirement 2): below the disablement threshold the off-switch is asked to disconnect; back
 *  above zero credit (or out of prepaid mode) the hold is released — the consumer then reconnects at the button. */
function checkCredit(): void {
  if (load<u8>(CREDIT_BOX) == ev.CREDIT_EXHAUSTED) {
    if (get(PREPAID) && credit() <= 0) return;
    store<u8>(CREDIT_BOX, ev.CREDIT_RESTORED);
  } else {
    if (!get(PREPAID) || credit() >= threshold) return;
    store<u8>(CREDIT_BOX, ev.CREDIT_EXHAUSTED);
  }
  out(OUT_CREDIT);
}

/** Moves MINUTE to the minute of the day of `t` (≥ minuteStart) and, when it changed, TARIFF with it. A tick within
 *  the minute costs a subtraction and a compare; the divisions (lib/divmod: quotient and remainder at once) and the
 *  tariff look-up come once a minute, or at the first tick after withheld ones: the minute of the day is
 *  (t / 60) % 1440, as 86400 = 60 × 1440, and the minute starts at t − t % 60. */
function clockTo(t: u32): void {
  if (t - minuteStart < 60) return;
  const q = divmod(t, 60);
  minuteStart = t - rem();
  divmod(q, MINUTES_PER_DAY);
  store<u16>(SMALL + MINUTE, <u16>rem());
  set(TARIFF, tariffAt(<u32>load<u16>(SMALL + MINUTE)));
}

/** A clock tick [t u32] (the clock driver): closes half hours, moves the tariff, paces the HAN status. */
export function coreTick(t: u32): u32 {
  set(OUTS, 0);
  if (!get(STARTED)) {
    slotStart = floorTo(t, HALF_HOUR);
    lastHan = t - HAN_PERIOD;
    // Appliance switches before the first tick were stamped 0 (the time was not known): they count from now on,
    // so a command that arrives before the clock cannot escape the weekly cap or the minimum gap.
    for (let i: u32 = 0; i < 12; i++) setTime(i, t);
  } else if (t <= now()) return 0;
  clockTo(t);
  if (!get(STARTED)) {
    set(STARTED, 1);
    set(SLOT_TARIFF, get(TARIFF));
  }
  store<u32>(REPLY_BOX + NOW, t);
  if (t - slotStart >= HALF_HOUR) {
    // A half-hourly reading (§4.3.4 "sending consumption data to the central system"; the metrology log §4.5). If
    // ticks were withheld, the reading of the open slot takes all energy until now: none is lost.
    store<u32>(MET_BOX, head(ev.EV_HALF_HOUR, ev.OK, get(SLOT_TARIFF)));
    const wh = halfHourWh;
    store<u32>(MET_BOX, wh, 4);
    store<u32>(READING_BOX, slotStart);
    store<u32>(READING_BOX, wh, 4);
    store<u8>(READING_BOX, <u8>get(SLOT_TARIFF), 8); // bytes 9..11 stay 0
    halfHourWh = 0;
    // The half hour t lies in (slotStart is a multiple of HALF_HOUR from the first tick on, so this is
    // slotStart + HALF_HOUR unless ticks were withheld across a whole half hour).
    slotStart = floorTo(t, HALF_HOUR);
    set(SLOT_TARIFF, get(TARIFF));
    out(OUT_LOG_MET | OUT_READING);
  }
  if (t - lastHan >= HAN_PERIOD) {
    lastHan = t;
    store<u32>(REPLY_BOX + PRICE, tariffPrice(get(TARIFF))); // the rest of the status is live in REPLY_BOX
    out(OUT_HAN);
  }
  return get(OUTS);
}

/** Energy from the metrology driver, at IN: [Wh since the last event u32][instantaneous power W u32]. */
export function coreEnergy(len: u32): u32 {
  set(OUTS, 0);
  if (len != 8) return 0;
  const wh = load<u32>(IN);
  store<u32>(REPLY_BOX + POWER, load<u32>(IN, 4));
  store<u32>(REPLY_BOX + TOTAL, load<u32>(REPLY_BOX + TOTAL) + wh);
  // The tariff's register: TARIFF < 4 (tariffAt masks it); the mask proves the address inside memory and, as an
  // expression in each access (the compiler's parity test sees a shift there, not a local), even — no bytewise
  // fallback. Two spellings of one offset, so the optimiser does not share them through a local.
  store<u32>(REPLY_BOX + ((get(TARIFF) << 2) & 12), load<u32>(REPLY_BOX + ((get(TARIFF) & 3) << 2), 12) + wh, 12);
  halfHourWh += wh;
  if (!get(PREPAID)) return 0;
  // Debit (remainder + price × Wh) / 1000 mills, keeping the rest: with Wh = 1000 q + r that is price × q mills plus
  // (remainder + price × r) / 1000, whose sum stays below 999 + 65535 × 999 < 2^32 (price ≤ 65535, lib/tariff.ts).
  // Exact while price × q fits 32 bits (a report below 65 MWh at the highest price; the metrology driver reports
  // every 5 s); beyond that it wraps modulo 2^32, as the credit's i32 arithmetic and the per-chunk form before did.
  const price = <u32><u16>tariffPrice(get(TARIFF));
  const q = divmod(wh, 1000);
  const mills = price * q + divmod(remainder + price * <u32><u16>rem(), 1000);
  remainder = rem();
  const c = credit() - <i32>mills;
  store<i32>(REPLY_BOX + CREDIT, c);
  checkCredit();
  return get(OUTS);
}

// @ts-ignore: decorator
@inline function time(i: u32): u32 {
  return load<u32>(TIMES + (i << 2)); // callers pass i masked below 12: proven inside TIMES
}
// @ts-ignore: decorator
@inline function setTime(i: u32, t: u32): void {
  store<u32>(TIMES + (i << 2), t);
}

/** A load-balancing command [04][appliance][on][0]: writes its result into the entry in SEC_BOX (which says
 *  BAD_FORMAT already) and, when OK, makes the switch. A well-formed command's entry has aux = appliance << 8 | on
 *  (the message's bytes 1, 2 swapped) and value = the switch-offs in the week's ring, after this one. */
function appliance(len: u32): void {
  if (len != 4) return;
  const a = <u32>load<u8>(IN, 1);
  const on = <u32>load<u8>(IN, 2);
  store<u8>(SEC_BOX, <u8>on, 2);
  store<u8>(SEC_BOX, <u8>a, 3);
  store<u8>(SEC_BOX, ev.OK, 1);
  if ((a & 0xfc) | (on & 0xfe)) store<u8>(SEC_BOX, ev.BAD_VALUE, 1); // not a < APPLIANCES, on ≤ 1
  else {
    const state = SMALL + APPLIANCE + (a & 3);
    const st = <u32>load<u8>(state);
    const t = now();
    if ((st ^ on) & 1) store<u8>(SEC_BOX, ev.NO_CHANGE, 1); // off and asked off, or on and asked on
    else if (st & 2 && t - time(a & 3) < MIN_SWITCH_GAP) store<u8>(SEC_BOX, ev.TOO_SOON, 1);
    else if (!on && get(OFF_COUNT) >= MAX_OFF_PER_WEEK && t - time(OFF_SLOT0 + ((get(OFF_NEXT) - MAX_OFF_PER_WEEK) & 7)) < WEEK) {
      // the MAX_OFF_PER_WEEK-th most recent switch-off, once there were that many
      store<u8>(SEC_BOX, ev.WEEKLY_CAP, 1);
    } else {
      if (!on) {
        const next = get(OFF_NEXT);
        setTime(OFF_SLOT0 + (next & 7), t);
        set(OFF_NEXT, (next + 1) & 7);
        if (get(OFF_COUNT) < MAX_OFF_PER_WEEK) set(OFF_COUNT, get(OFF_COUNT) + 1);
      }
      store<u8>(state, <u8>(2 | (on ^ 1)));
      setTime(a & 3, t);
      store<u16>(APPLIANCE_BOX, load<u16>(IN, 1));
      out(OUT_APPLIANCE);
    }
  }
  store<u8>(SEC_BOX, <u8>get(OFF_COUNT), 4);
}

/** A central-system command at IN, already unwrapped by CS security; `len` ≤ 64 (the input buffer). Every prepaid
 *  switch, top-up, tariff update and appliance command is logged with its result, valid or not (§4.5): each branch
 *  writes its entry's fields straight into SEC_BOX (constant addresses: no values carried to a common store), and
 *  the outputs to send collect in OUTS. */
export function coreCommand(len: u32): u32 {
  // A message too short for its command byte reads as none (0): the byte is cleared in the input buffer, this
  // module's own memory, so the command byte is read in one place (no select).
  if (len < 2) store<u8>(IN, 0);
  const cmd = load<u8>(IN);
  if (cmd == ev.CMD_READ) {
    // The attributable billing registers (seed §5.3.1: what billing uses; no countermeasure touches them), sent
    // from where they live.
    store<u32>(REPLY_BOX, 0x86);
    set(OUTS, OUT_REPLY);
    return OUT_REPLY;
  }
  set(OUTS, OUT_LOG_SEC);
  store<u32>(SEC_BOX, ev.EV_CS_REJECT | (<u32>ev.BAD_FORMAT << 8)); // aux 0
  store<u32>(SEC_BOX, 0, 4);
  switch (cmd) {
    case ev.CMD_TARIFF: {
    store<u8>(SEC_BOX, ev.EV_TARIFF);
    store<u16>(SEC_BOX, load<u16>(IN, 1), 2);
    const result = tariffCheck(len);
    store<u8>(SEC_BOX, <u8>result, 1);
    if (result == 0) {
      tariffLoad();
      set(TARIFF, tariffAt(<u32>load<u16>(SMALL + MINUTE)));
      store<u32>(SEC_BOX, tariffPrice(get(TARIFF)), 4);
    }
    break;
  }
  case ev.CMD_PREPAID: {
    store<u8>(SEC_BOX, ev.EV_PREPAID);
    if (len == 8) {
      const mode = load<u8>(IN, 1);
      const th = load<i32>(IN, 4);
      store<u8>(SEC_BOX, mode, 2);
      store<i32>(SEC_BOX, th, 4);
      store<u8>(SEC_BOX, ev.BAD_VALUE, 1);
      // mode ≤ 1, −MAX_EMERGENCY ≤ th ≤ 0 (one unsigned compare)
      if (mode <= 1 && <u32>(th + MAX_EMERGENCY) <= <u32>MAX_EMERGENCY) {
        store<u8>(SEC_BOX, ev.OK, 1);
        if (<u32>mode == get(PREPAID)) if (th == threshold) store<u8>(SEC_BOX, ev.NO_CHANGE, 1);
        set(PREPAID, mode);
        threshold = th;
        checkCredit();
      }
    }
    break;
  }
  case ev.CMD_TOPUP: {
    store<u8>(SEC_BOX, ev.EV_TOPUP);
    if (len == 12) {
      const amount = load<u32>(IN, 4);
      store<u16>(SEC_BOX, load<u16>(IN, 8), 2); // the token's low half
      store<u32>(SEC_BOX, amount, 4);
      store<u8>(SEC_BOX, ev.BAD_VALUE, 1);
      if (amount - 1 < MAX_TOPUP) { // 1 ≤ amount ≤ MAX_TOPUP (0 wraps)
        store<u8>(SEC_BOX, ev.REUSED_TOKEN, 1);
        const token = load<u32>(IN, 8);
        if (token > lastToken) {
          store<u8>(SEC_BOX, ev.OK, 1);
          lastToken = token;
          store<i32>(REPLY_BOX + CREDIT, credit() + <i32>amount);
          checkCredit();
        }
      }
    }
    break;
  }
  case ev.CMD_APPLIANCE: {
    store<u8>(SEC_BOX, ev.EV_APPLIANCE);
    appliance(len);
    break;
  }
  default:
    store<u8>(SEC_BOX, cmd, 2);
    store<u8>(SEC_BOX, <u8>len, 4);
  }
  return get(OUTS);
}

/** Tests and the bench: 0 total, 1–4 the tariff registers, 5 credit, 6 tariff, 7 prepaid, 8 appliances on,
 *  9 switch-offs in the ring, 10 Wh of the open half hour. */
export function coreGet(what: u32): i32 {
  if (what == 0) return load<i32>(REPLY_BOX + TOTAL);
  if (what <= 4) return load<i32>(REPLY_BOX + 12 + ((what - 1) << 2));
  if (what == 5) return credit();
  if (what == 6) return <i32>get(TARIFF);
  if (what == 7) return <i32>get(PREPAID);
  if (what == 8) {
    let on: u32 = 0;
    for (let a: u32 = 0; a < APPLIANCES; a++) if (!(get(APPLIANCE + a) & 1)) on |= 1 << a;
    return <i32>on;
  }
  if (what == 9) return <i32>get(OFF_COUNT);
  return <i32>halfHourWh;
}
