// The meter core / computations module (seed §4.3.2 "Computations module", §4.3.4 "Smart billing", "Load
// balancing", "Consumer feedback"; §4.5 "the tariffs, the credit balance and the prepaid flag"): energy registers
// (import total and per tariff), half-hourly readings, tariffs and their switching times, prepaid mode, credit and
// top-ups, load-balancing commands with the reasonableness checks of §4.4.2, and the status the HAN gateway shows.
// Everything it says leaves through one outbox per output (the OUT_* bits a handler returns say which are filled).
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { tariffCheck, tariffLoad, tariffAt, tariffPrice, TABLE_BYTES } from '../lib/tariff';

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

export const OUT_CREDIT: u32 = 1; //    → off-switch: [CREDIT_EXHAUSTED|CREDIT_RESTORED][0]
export const OUT_LOG_SEC: u32 = 2; //   → security log: {kind, result, aux u16, value u32}
export const OUT_LOG_MET: u32 = 4; //   → metrology log: {EV_HALF_HOUR, 0, tariff, Wh}
export const OUT_READING: u32 = 8; //   → CS security and DC security: [t u32][Wh u32][tariff u16][0 u16]
export const OUT_HAN: u32 = 16; //      → HAN gateway: [t][total Wh][power W][credit i32][price u32][tariff u8][prepaid u8][0 u16]
export const OUT_APPLIANCE: u32 = 32; // → HAN gateway: [appliance u8][on u8]
export const OUT_REPLY: u32 = 64; //    → CS security: [86][0][0 u16][t][total][tariff 1..4 u32 × 4][credit i32]

export const CREDIT_BOX = memory.data(2);
export const SEC_BOX = memory.data(8);
export const MET_BOX = memory.data(8);
export const READING_BOX = memory.data(12);
export const HAN_BOX = memory.data(24);
export const APPLIANCE_BOX = memory.data(2);
export const REPLY_BOX = memory.data(32);

const REGISTERS = memory.data(16); // import Wh per tariff
const TABLE = memory.data(52);
const LAST_SWITCH = memory.data(16); // per appliance
const OFF_TIMES = memory.data(28); // the last MAX_OFF_PER_WEEK switch-off times, a ring

let now: u32 = 0;
let total: u32 = 0;
let halfHourWh: u32 = 0;
let slot: u32 = 0;
let power: u32 = 0;
let lastHan: u32 = 0;
let credit: i32 = 0;
let threshold: i32 = 0;
let remainder: u32 = 0; // mills × 1000 not yet debited: billing stays exact to the Wh
let lastToken: u32 = 0;

// Flags and small counters as bytes at constant addresses, not wasm globals: a global is an i32, two MSP430 words
// on every access, where a byte at a constant address is one instruction (a smaller TCB, test/bench/meter-tcb.ts).
const SMALL = memory.data<u8>([0, 0, 0, 0, 0, 0xf, 0, 0, 0, 0]);
const STARTED: usize = 0;
const PREPAID: usize = 1;
const TRIPPED: usize = 2;
const TARIFF: usize = 3; //      the tariff in force
const SLOT_TARIFF: usize = 4; // the tariff at the start of the open half hour
const APPLIANCES_ON: usize = 5; // bit a: appliance a on (all four on at power-up)
const SWITCHED: usize = 6; //    bit a: appliance a switched at least once
const OFF_COUNT: usize = 7; //   switch-offs in the ring (≤ MAX_OFF_PER_WEEK)
const OFF_NEXT: usize = 8; //    the ring's next (= oldest when full) slot

// @ts-ignore: decorator
@inline function get(field: usize): u32 {
  return <u32>load<u8>(SMALL + field);
}
// @ts-ignore: decorator
@inline function set(field: usize, v: u32): void {
  store<u8>(SMALL + field, <u8>v);
}

function logSec(kind: u8, result: u8, aux: u32, value: u32): u32 {
  store<u8>(SEC_BOX, kind);
  store<u8>(SEC_BOX, result, 1);
  store<u16>(SEC_BOX, <u16>aux, 2);
  store<u32>(SEC_BOX, value, 4);
  return OUT_LOG_SEC;
}

/** Prepaid (§4.6.4 requirement 2): below the disablement threshold the off-switch is asked to disconnect; back
 *  above zero credit (or out of prepaid mode) the hold is released — the consumer then reconnects at the button. */
function checkCredit(): u32 {
  if (get(PREPAID) && !get(TRIPPED) && credit < threshold) {
    set(TRIPPED, 1);
    store<u8>(CREDIT_BOX, ev.CREDIT_EXHAUSTED);
  } else if (get(TRIPPED) && (!get(PREPAID) || credit > 0)) {
    set(TRIPPED, 0);
    store<u8>(CREDIT_BOX, ev.CREDIT_RESTORED);
  } else return 0;
  store<u8>(CREDIT_BOX, 0, 1);
  return OUT_CREDIT;
}

/** A clock tick [t u32] (the clock driver): closes half hours, moves the tariff, paces the HAN status. */
export function coreTick(t: u32): u32 {
  if (!get(STARTED)) {
    set(STARTED, 1);
    slot = t / HALF_HOUR;
    set(SLOT_TARIFF, tariffAt(TABLE, t));
    lastHan = t - HAN_PERIOD;
  } else if (t <= now) return 0;
  now = t;
  const tariff = tariffAt(TABLE, t);
  set(TARIFF, tariff);
  let out: u32 = 0;
  const s = t / HALF_HOUR;
  if (s != slot) {
    // A half-hourly reading (§4.3.4 "sending consumption data to the central system"; the metrology log §4.5). If
    // ticks were withheld, the reading of the open slot takes all energy until now: none is lost.
    store<u8>(MET_BOX, ev.EV_HALF_HOUR);
    store<u8>(MET_BOX, ev.OK, 1);
    store<u16>(MET_BOX, <u16>get(SLOT_TARIFF), 2);
    store<u32>(MET_BOX, halfHourWh, 4);
    store<u32>(READING_BOX, slot * HALF_HOUR);
    store<u32>(READING_BOX, halfHourWh, 4);
    store<u32>(READING_BOX, get(SLOT_TARIFF), 8);
    halfHourWh = 0;
    slot = s;
    set(SLOT_TARIFF, tariff);
    out |= OUT_LOG_MET | OUT_READING;
  }
  if (t - lastHan >= HAN_PERIOD) {
    lastHan = t;
    store<u32>(HAN_BOX, t);
    store<u32>(HAN_BOX, total, 4);
    store<u32>(HAN_BOX, power, 8);
    store<i32>(HAN_BOX, credit, 12);
    store<u32>(HAN_BOX, tariffPrice(TABLE, tariff), 16);
    store<u8>(HAN_BOX, <u8>tariff, 20);
    store<u8>(HAN_BOX, <u8>get(PREPAID), 21);
    store<u16>(HAN_BOX, 0, 22);
    out |= OUT_HAN;
  }
  return out;
}

/** Energy from the metrology driver, at IN: [Wh since the last event u32][instantaneous power W u32]. */
export function coreEnergy(len: i32): u32 {
  if (len != 8) return 0;
  let wh = load<u32>(IN);
  power = load<u32>(IN, 4);
  total += wh;
  const tariff = get(TARIFF);
  const r = REGISTERS + 4 * tariff;
  store<u32>(r, load<u32>(r) + wh);
  halfHourWh += wh;
  if (!get(PREPAID)) return 0;
  // Debit price × Wh / 1000 mills in chunks whose product fits 32 bits (price ≤ 65535, chunk ≤ 65535).
  const price = tariffPrice(TABLE, tariff);
  while (wh != 0) {
    const chunk = wh > 0xffff ? 0xffff : wh;
    wh -= chunk;
    let acc = remainder + price * chunk;
    // Usually a Wh or two at a price of a few hundred mills/kWh: carry the whole mills out by subtraction, and
    // leave the software division (no divider on the MSP430) to large sums — same quotient and remainder.
    let mills: u32 = 0;
    if (acc >= 8 * 1000) {
      mills = acc / 1000;
      acc -= mills * 1000; // not `%`: one division helper fewer in the TCB
    } else {
      while (acc >= 1000) {
        acc -= 1000;
        mills++;
      }
    }
    credit -= <i32>mills;
    remainder = acc;
  }
  return checkCredit();
}

function appliance(len: i32): u32 {
  if (len != 4) return logSec(ev.EV_APPLIANCE, ev.BAD_FORMAT, 0, 0);
  const a = <u32>load<u8>(IN, 1);
  const on = <u32>load<u8>(IN, 2);
  const aux = (a << 8) | on;
  const offCount = get(OFF_COUNT);
  if (a >= APPLIANCES || on > 1) return logSec(ev.EV_APPLIANCE, ev.BAD_VALUE, aux, offCount);
  const bit: u32 = a == 0 ? 1 : a == 1 ? 2 : a == 2 ? 4 : 8; // not a variable shift: no shift helper in the TCB
  if (((get(APPLIANCES_ON) & bit) != 0) == (on != 0)) return logSec(ev.EV_APPLIANCE, ev.NO_CHANGE, aux, offCount);
  if ((get(SWITCHED) & bit) && now - load<u32>(LAST_SWITCH + 4 * a) < MIN_SWITCH_GAP) return logSec(ev.EV_APPLIANCE, ev.TOO_SOON, aux, offCount);
  if (!on) {
    // offNext is the oldest of the last MAX_OFF_PER_WEEK switch-offs once the ring is full.
    const next = get(OFF_NEXT);
    if (offCount >= MAX_OFF_PER_WEEK && now - load<u32>(OFF_TIMES + 4 * next) < WEEK) return logSec(ev.EV_APPLIANCE, ev.WEEKLY_CAP, aux, offCount);
    store<u32>(OFF_TIMES + 4 * next, now);
    set(OFF_NEXT, next + 1 == MAX_OFF_PER_WEEK ? 0 : next + 1);
    if (offCount < MAX_OFF_PER_WEEK) set(OFF_COUNT, offCount + 1);
  }
  set(APPLIANCES_ON, get(APPLIANCES_ON) ^ bit);
  set(SWITCHED, get(SWITCHED) | bit);
  store<u32>(LAST_SWITCH + 4 * a, now);
  store<u8>(APPLIANCE_BOX, <u8>a);
  store<u8>(APPLIANCE_BOX, <u8>on, 1);
  return OUT_APPLIANCE | logSec(ev.EV_APPLIANCE, ev.OK, aux, get(OFF_COUNT));
}

/** A central-system command at IN, already unwrapped by CS security. Every prepaid switch, top-up, tariff update
 *  and appliance command is logged with its result, valid or not (§4.5). */
export function coreCommand(len: i32): u32 {
  const cmd = len >= 2 ? load<u8>(IN) : 0;
  if (cmd == ev.CMD_TARIFF) {
    const bad = tariffCheck(IN, <u32>len);
    if (bad == 0) {
      tariffLoad(TABLE, IN);
      set(TARIFF, tariffAt(TABLE, now));
    }
    return logSec(ev.EV_TARIFF, <u8>bad, load<u16>(IN, 1), bad == 0 ? tariffPrice(TABLE, get(TARIFF)) : 0);
  }
  if (cmd == ev.CMD_PREPAID) {
    if (len != 8) return logSec(ev.EV_PREPAID, ev.BAD_FORMAT, 0, 0);
    const mode = <u32>load<u8>(IN, 1);
    const th = load<i32>(IN, 4);
    if (mode > 1 || th > 0 || th < -MAX_EMERGENCY) return logSec(ev.EV_PREPAID, ev.BAD_VALUE, mode, <u32>th);
    const r = logSec(ev.EV_PREPAID, mode == get(PREPAID) && th == threshold ? ev.NO_CHANGE : ev.OK, mode, <u32>th);
    set(PREPAID, mode);
    threshold = th;
    return r | checkCredit();
  }
  if (cmd == ev.CMD_TOPUP) {
    if (len != 12) return logSec(ev.EV_TOPUP, ev.BAD_FORMAT, 0, 0);
    const amount = load<u32>(IN, 4);
    const token = load<u32>(IN, 8);
    if (amount == 0 || amount > MAX_TOPUP) return logSec(ev.EV_TOPUP, ev.BAD_VALUE, token, amount);
    if (token <= lastToken) return logSec(ev.EV_TOPUP, ev.REUSED_TOKEN, token, amount);
    lastToken = token;
    credit += <i32>amount;
    return logSec(ev.EV_TOPUP, ev.OK, token, amount) | checkCredit();
  }
  if (cmd == ev.CMD_APPLIANCE) return appliance(len);
  if (cmd == ev.CMD_READ) {
    // The attributable billing registers (seed §5.3.1: what billing uses; no countermeasure touches them).
    store<u32>(REPLY_BOX, 0x86);
    store<u32>(REPLY_BOX, now, 4);
    store<u32>(REPLY_BOX, total, 8);
    store<u32>(REPLY_BOX, load<u32>(REGISTERS), 12);
    store<u32>(REPLY_BOX, load<u32>(REGISTERS, 4), 16);
    store<u32>(REPLY_BOX, load<u32>(REGISTERS, 8), 20);
    store<u32>(REPLY_BOX, load<u32>(REGISTERS, 12), 24);
    store<i32>(REPLY_BOX, credit, 28);
    return OUT_REPLY;
  }
  return logSec(ev.EV_CS_REJECT, ev.BAD_FORMAT, cmd, <u32>len);
}

/** Tests and the bench: 0 total, 1–4 the tariff registers, 5 credit, 6 tariff, 7 prepaid, 8 appliances on,
 *  9 switch-offs in the ring, 10 Wh of the open half hour. */
export function coreGet(what: u32): i32 {
  if (what == 0) return <i32>total;
  if (what <= 4) return load<i32>(REGISTERS + 4 * (what - 1));
  if (what == 5) return credit;
  if (what == 6) return <i32>get(TARIFF);
  if (what == 7) return <i32>get(PREPAID);
  if (what == 8) return <i32>get(APPLIANCES_ON);
  if (what == 9) return <i32>get(OFF_COUNT);
  return <i32>halfHourWh;
}
