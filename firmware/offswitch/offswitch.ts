// Off-switch security (seed §4.5 "Off-switch security module", §4.3.4 "Disconnecting a user from the grid",
// §4.6.3: "only the central system may issue commands to change the system's supply state"). The supply is on only
// when nothing holds it off: a remote disconnect (central system), credit exhaustion (core, prepaid), the tamper
// lock (case switch). Each reason is cleared only by its own authority, and closing the relay always needs the
// local reconnect button (§4.3.4: "a local confirmation ... to avoid accidents"): a remote reconnect, a top-up and
// an unlock only arm it. Every command is logged, valid or not; local button presses only when they act, so the
// consumer cannot flush the off-switch log with the button (§4.4.1).
import * as ev from '../lib/events';
import { IN } from '../lib/events';

const REMOTE: u32 = 1; // held off by the central system
const CREDIT: u32 = 2; // held off by credit exhaustion
const TAMPER: u32 = 4; // locked after a tamper event

// The state as bytes at constant addresses, not i32 globals (one MSP430 instruction per access: a smaller TCB).
const STATE = memory.data<u8>([0, 0, 1, 1]);
// @ts-ignore: decorator
@inline function get(field: usize): u32 {
  return <u32>load<u8>(STATE + field);
}
// @ts-ignore: decorator
@inline function set(field: usize, v: u32): void {
  store<u8>(STATE + field, <u8>v);
}
const HOLD: usize = 0; //     the reasons the supply is off
const PENDING: usize = 1; //  reasons released by their authority, waiting for the local button
const RELAY_ON: usize = 2; // the last state commanded to the relay driver (1 = closed)
const CONTACT: usize = 3; //  the contact feedback last reported

export const OUT_RELAY: u32 = 1;
export const OUT_LOG: u32 = 2;
/** Outbox for the relay driver: [on u8][0]. */
export const RELAY_BOX = memory.data(2);
/** Outbox for the off-switch log: {kind u8, result u8, aux u16 = holds << 8 | pending, value u32 = relay on}. */
export const LOG_BOX = memory.data(8);

/** The log entry {kind, result, holds << 8 | pending, relay on} for `what` = kind | result << 8; returns OUT_LOG.
 *  Functions here take at most two arguments (the EABI's registers): a third would be pushed at every call. */
function log(what: u32): u32 {
  store<u16>(LOG_BOX, <u16>what);
  store<u16>(LOG_BOX, <u16>((get(HOLD) << 8) | get(PENDING)), 2);
  store<u8>(LOG_BOX, <u8>get(RELAY_ON), 4); // bytes 5..7 stay 0: the value is a u32 of 0 or 1
  return OUT_LOG;
}

/** Commands the relay: open now, or close (only from the button) when no reason holds the supply off. */
function apply(close: bool): u32 {
  const on: u32 = close && get(HOLD) == 0 ? 1 : 0;
  if (on == get(RELAY_ON)) return 0;
  set(RELAY_ON, on);
  store<u8>(RELAY_BOX, <u8>on); // byte 1 stays 0
  return OUT_RELAY;
}

// @ts-ignore: decorator
@inline function entry(kind: u8, result: u8): u32 {
  return <u32>kind | (<u32>result << 8);
}
/** With `kind` as the second argument of hold/release: stay silent where the authority repeats itself. */
const QUIET: u32 = 0x10000;

/** `bit`'s authority holds the supply off: the relay opens, a pending release of that reason is withdrawn. Logged as
 *  `kind` — unless QUIET and it was already held (a repeated trip or tamper is logged once, when it happened). */
function hold(bit: u32, kind: u32): u32 {
  const was = get(HOLD) & bit;
  set(HOLD, get(HOLD) | bit);
  set(PENDING, get(PENDING) & ~bit);
  const r = apply(false);
  return was && kind & QUIET ? r : r | log(kind & 0xff);
}

/** `bit`'s authority lifts its hold: only armed, the local button closes the relay. Not held: logged NO_CHANGE as
 *  `kind`, or nothing when QUIET (a credit restore the core repeats). */
function release(bit: u32, kind: u32): u32 {
  if (!(get(HOLD) & bit)) return kind & QUIET ? 0 : log(entry(<u8>kind, ev.NO_CHANGE));
  set(HOLD, get(HOLD) & ~bit);
  set(PENDING, get(PENDING) | bit); // SMETS "supply armed": the consumer closes it with the button
  return log(kind & 0xff);
}

/** A command from the central system (via CS security) at IN: [cmd u8][0]. Returns the outboxes filled. `len` is at
 *  most the input buffer's 64 bytes. */
export function offCommand(len: u32): u32 {
  if (len != 2) return log(entry(ev.EV_DISCONNECT, ev.BAD_FORMAT));
  const cmd = load<u8>(IN);
  if (cmd == ev.CMD_DISCONNECT) return hold(REMOTE, ev.EV_DISCONNECT);
  if (cmd == ev.CMD_RECONNECT) return get(HOLD) & TAMPER ? log(entry(ev.EV_RECONNECT, ev.LOCKED)) : release(REMOTE, ev.EV_RECONNECT);
  if (cmd == ev.CMD_UNLOCK) return release(TAMPER, ev.EV_UNLOCK);
  return log(entry(ev.EV_DISCONNECT, ev.BAD_FORMAT));
}

/** Credit from the core: [CREDIT_EXHAUSTED|CREDIT_RESTORED][0]. The core can hold the supply off for credit and
 *  release that hold — nothing else (it cannot lift a remote disconnect or the tamper lock). */
export function offCredit(len: u32): u32 {
  if (len != 2) return 0;
  const what = load<u8>(IN);
  if (what == ev.CREDIT_EXHAUSTED) return hold(CREDIT, ev.EV_CREDIT_TRIP | QUIET);
  if (what == ev.CREDIT_RESTORED) return release(CREDIT, ev.EV_CREDIT_ARM | QUIET);
  return 0;
}

/** Local events from the relay driver: [LOCAL_BUTTON][0], [LOCAL_TAMPER][0], [LOCAL_CONTACT][closed]. */
export function offLocal(len: u32): u32 {
  if (len != 2) return 0;
  const what = load<u8>(IN);
  if (what == ev.LOCAL_TAMPER) return hold(TAMPER, ev.EV_TAMPER | QUIET);
  if (what == ev.LOCAL_BUTTON) {
    if (get(PENDING) == 0) return 0; // a press that releases nothing is not logged (no log flooding from the button)
    set(PENDING, 0);
    return apply(true) | log(entry(ev.EV_BUTTON, get(HOLD) == 0 ? ev.OK : ev.LOCKED));
  }
  if (what == ev.LOCAL_CONTACT) {
    const closed: u32 = load<u8>(IN, 1) != 0 ? 1 : 0;
    if (closed == get(CONTACT)) return 0;
    set(CONTACT, closed);
    return closed != get(RELAY_ON) ? log(entry(ev.EV_CONTACT, ev.BAD_VALUE)) : 0;
  }
  return 0;
}

/** The supply state for tests and the bench: bit 0 relay on, bits 1–3 pending, bits 4–6 holds. */
export function offState(): u32 {
  return get(RELAY_ON) | (get(PENDING) << 1) | (get(HOLD) << 4);
}

// ---- State across a reset (persist.ts seals it; index.ts loads it at start and saves it after each event) ----

/** The bytes persist.ts seals: [holds u8][pending u8][0][0], as last saved. */
export const PERSIST = memory.data(4);
const REASSERT = memory.data(2); // a byte: a restored hold still owes the relay its open command

/** At start, with persist.ts's verdict on the record in PERSIST: the latest record (1) gives back the holds and the
 *  pending releases; a record that is not the latest or not genuine (2, 3) fails safe into the tamper lock — only
 *  the central system lifts it; nothing saved yet (0) keeps the initial state. The relay is where the driver's
 *  power-up leaves it (closed): with a hold in force, the first event re-asserts it open (`offReassert`). */
export function offRestore(status: u32): void {
  if (status == 1) {
    set(HOLD, <u32>load<u8>(PERSIST));
    set(PENDING, <u32>load<u8>(PERSIST, 1));
  } else if (status > 1) {
    set(HOLD, get(HOLD) | TAMPER);
    set(PENDING, get(PENDING) & ~TAMPER);
  }
  store<u8>(PERSIST, <u8>get(HOLD));
  store<u8>(PERSIST, <u8>get(PENDING), 1);
  store<u8>(REASSERT, get(HOLD) != 0 ? 1 : 0);
}

/** Before an event is handled: the relay command a restored hold owes (once; keyed outputs exist by then). */
export function offReassert(): u32 {
  if (!load<u8>(REASSERT)) return 0;
  store<u8>(REASSERT, 0);
  return apply(false);
}

/** After an event: true when the holds or pending releases changed since PERSIST (then PERSIST holds the new ones). */
export function offSnapshot(): bool {
  const h = <u8>get(HOLD);
  const p = <u8>get(PENDING);
  if (load<u8>(PERSIST) == h && load<u8>(PERSIST, 1) == p) return false;
  store<u8>(PERSIST, h);
  store<u8>(PERSIST, p, 1);
  return true;
}
