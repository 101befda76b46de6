// Off-switch security (seed §4.5 "Off-switch security module", §4.3.4 "Disconnecting a user from the grid",
// §4.6.3: "only the central system may issue commands to change the system's supply state"). The supply is on only
// when nothing holds it off: a remote disconnect (central system), credit exhaustion (core, prepaid), the tamper
// lock (case switch). Each reason is cleared only by its own authority, and closing the relay always needs the
// local reconnect button (§4.3.4: "a local confirmation ... to avoid accidents"): a remote reconnect, a top-up and
// an unlock only arm it. Every command is logged, valid or not; local button presses only when they act, so the
// consumer cannot flush the off-switch log with the button (§4.4.1).
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { saveState } from './persist';

const REMOTE: u32 = 1; // held off by the central system
const CREDIT: u32 = 2; // held off by credit exhaustion
const TAMPER: u32 = 4; // locked after a tamper event

// The state as bytes at constant addresses, not i32 globals (one MSP430 instruction per access: a smaller TCB).
const STATE = memory.data<u8>([0, 0, 1, 1, 0, 0, 0]);
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
const OUTS: usize = 4; //     the OUT_* bits of the event being handled (a byte: one instruction to set a bit)
const REASSERT: usize = 5; // a restored hold still owes the relay its open command (the holds then, else 0)
const VERDICT: usize = 6; //  the start's verdict on the sealed record (persist.ts)

export const OUT_RELAY: u32 = 1;
export const OUT_LOG: u32 = 2;
/** Outbox for the relay driver: [on u8][0]. */
export const RELAY_BOX = memory.data(2);
/** Outbox for the off-switch log: {kind u8, result u8, aux u16 = holds << 8 | pending, value u32 = relay on}. */
export const LOG_BOX = memory.data(8);

// The outputs an event fills collect as bits in OUTS (one instruction to set one), not as u32 results (two
// registers) returned and or-ed through every call.
// @ts-ignore: decorator
@inline function out(bits: u32): void {
  set(OUTS, get(OUTS) | bits);
}

/** The log entry {kind, result, holds << 8 | pending, relay on} for `what` = kind | result << 8. Functions here take
 *  at most two arguments (the EABI's registers): a third would be pushed at every call. */
function log(what: u32): void {
  store<u16>(LOG_BOX, <u16>what);
  store<u8>(LOG_BOX, <u8>get(PENDING), 2);
  store<u8>(LOG_BOX, <u8>get(HOLD), 3);
  store<u8>(LOG_BOX, <u8>get(RELAY_ON), 4); // bytes 5..7 stay 0: the value is a u32 of 0 or 1
  out(OUT_LOG);
}

/** Commands the relay: `on` 0 opens it, 1 closes it (only from the button, when no reason holds the supply off);
 *  nothing when it is so already. A u32, not a bool with a test inside: no materialised value (issue 18 TCB). */
function apply(on: u32): void {
  if (on == get(RELAY_ON)) return;
  set(RELAY_ON, on);
  store<u8>(RELAY_BOX, <u8>on); // byte 1 stays 0
  out(OUT_RELAY);
}

// @ts-ignore: decorator
@inline function entry(kind: u8, result: u8): u32 {
  return <u32>kind | (<u32>result << 8);
}
/** With `kind` as the second argument of hold/release: stay silent where the authority repeats itself. A bit above
 *  the kinds (all below 0x80) and below 2^16: the argument stays one 16-bit word. */
const QUIET: u32 = 0x80;

/** `bit`'s authority holds the supply off: the relay opens, a pending release of that reason is withdrawn. Logged as
 *  `kind` — unless QUIET and it was already held (a repeated trip or tamper is logged once, when it happened). */
function hold(bit: u32, kind: u32): void {
  const was = get(HOLD) & bit;
  set(HOLD, get(HOLD) | bit);
  set(PENDING, get(PENDING) & ~bit);
  apply(0);
  if (!was || !(kind & QUIET)) log(kind & 0x7f);
}

/** `bit`'s authority lifts its hold: only armed, the local button closes the relay. Not held: logged NO_CHANGE as
 *  `kind`, or nothing when QUIET (a credit restore the core repeats). */
function release(bit: u32, kind: u32): void {
  if (!(get(HOLD) & bit)) {
    if (!(kind & QUIET)) log(entry(<u8>(kind & 0x7f), ev.NO_CHANGE));
    return;
  }
  set(HOLD, get(HOLD) & ~bit);
  set(PENDING, get(PENDING) | bit); // SMETS "supply armed": the consumer closes it with the button
  log(kind & 0x7f);
}

/** An event at IN on input `input` (0 command, 1 credit, 2 local), `len` bytes (at most the input buffer's 64):
 *  first the relay command a restored hold still owes (once: keyed outputs exist by then; it never closes the relay,
 *  so one emit carries both), then the event. Every input's message is [what u8][arg u8]; `what` is read once here
 *  for the three handlers, 0 unless the message has 2 bytes (the byte is cleared in the input buffer, this module's
 *  own memory: no select). Returns the outboxes filled. */
export function offEvent(input: u32, len: u32): u32 {
  set(OUTS, 0);
  if (get(REASSERT)) {
    set(REASSERT, 0);
    apply(0);
  }
  if (len != 2) store<u8>(IN, 0);
  const what = <u32>load<u8>(IN);
  if (input == 0) command(what);
  else if (input == 1) credit(what);
  else local(what);
  return get(OUTS);
}

/** A command from the central system (via CS security): [cmd u8][0]. */
function command(cmd: u32): void {
  if (cmd == ev.CMD_DISCONNECT) hold(REMOTE, ev.EV_DISCONNECT);
  else if (cmd == ev.CMD_RECONNECT) {
    if (get(HOLD) & TAMPER) log(entry(ev.EV_RECONNECT, ev.LOCKED));
    else release(REMOTE, ev.EV_RECONNECT);
  } else if (cmd == ev.CMD_UNLOCK) release(TAMPER, ev.EV_UNLOCK);
  else log(entry(ev.EV_DISCONNECT, ev.BAD_FORMAT));
}

/** Credit from the core: [CREDIT_EXHAUSTED|CREDIT_RESTORED][0]. The core can hold the supply off for credit and
 *  release that hold — nothing else (it cannot lift a remote disconnect or the tamper lock). */
function credit(what: u32): void {
  if (what == ev.CREDIT_EXHAUSTED) hold(CREDIT, ev.EV_CREDIT_TRIP | QUIET);
  else if (what == ev.CREDIT_RESTORED) release(CREDIT, ev.EV_CREDIT_ARM | QUIET);
}

/** Local events from the relay driver: [LOCAL_BUTTON][0], [LOCAL_TAMPER][0], [LOCAL_CONTACT][closed]. */
function local(what: u32): void {
  if (what == ev.LOCAL_TAMPER) hold(TAMPER, ev.EV_TAMPER | QUIET);
  else if (what == ev.LOCAL_BUTTON) {
    // a press that releases nothing is not logged (no log flooding from the button)
    if (get(PENDING) != 0) {
      set(PENDING, 0);
      if (get(HOLD) == 0) apply(1);
      else apply(0);
      log(entry(ev.EV_BUTTON, get(HOLD) == 0 ? ev.OK : ev.LOCKED));
    }
  } else if (what == ev.LOCAL_CONTACT) {
    const closed = (<u32>load<u8>(IN, 1) + 0xff) >> 8; // 1 when the byte is not 0 (no materialised boolean)
    if (closed != get(CONTACT)) {
      set(CONTACT, closed);
      if (closed != get(RELAY_ON)) log(entry(ev.EV_CONTACT, ev.BAD_VALUE));
    }
  }
}

/** The three inputs' logic alone, for tests (test/firmware/as/offswitch.as). */
export function offCommand(len: u32): u32 {
  return offEvent(0, len);
}
export function offCredit(len: u32): u32 {
  return offEvent(1, len);
}
export function offLocal(len: u32): u32 {
  return offEvent(2, len);
}

/** The supply state for tests and the bench: bit 0 relay on, bits 1–3 pending, bits 4–6 holds. */
export function offState(): u32 {
  return get(RELAY_ON) | (get(PENDING) << 1) | (get(HOLD) << 4);
}

// ---- State across a reset (persist.ts seals it; index.ts loads it at start, offPersist saves it after each event) ----

/** The bytes persist.ts seals: [holds u8][pending u8][0][0], as last saved. */
export const PERSIST = memory.data(4);

/** At start, with persist.ts's verdict on the record in PERSIST: the latest record (1) gives back the holds and the
 *  pending releases; a record that is not the latest or not genuine (2, 3) fails safe into the tamper lock — only
 *  the central system lifts it; nothing saved yet (0) keeps the initial state. The relay is where the driver's
 *  power-up leaves it (closed): with a hold in force, the first event re-asserts it open (`offEvent`, index.ts). */
export function offRestore(status: u32): void {
  set(VERDICT, status);
  const verdict = get(VERDICT); // a byte: one-word compares
  if (verdict == 1) {
    set(HOLD, <u32>load<u8>(PERSIST));
    set(PENDING, <u32>load<u8>(PERSIST, 1));
  } else if (verdict) {
    set(HOLD, get(HOLD) | TAMPER);
    set(PENDING, get(PENDING) & ~TAMPER);
  }
  store<u8>(PERSIST, <u8>get(HOLD));
  store<u8>(PERSIST, <u8>get(PENDING), 1);
  set(REASSERT, get(HOLD));
}

/** The start's verdict on the sealed record (persist.ts: 0 fresh, 1 restored, 2 rolled back, 3 tampered). */
export function offVerdict(): u32 {
  return get(VERDICT);
}

/** After an event: when the holds or pending releases changed since PERSIST, PERSIST takes the new ones and is
 *  sealed (persist.ts). The save is called here, not on a returned flag: no materialised boolean (issue 18 TCB). */
export function offPersist(): void {
  const h = <u8>get(HOLD);
  const p = <u8>get(PENDING);
  if (load<u8>(PERSIST) == h && load<u8>(PERSIST, 1) == p) return;
  store<u8>(PERSIST, h);
  store<u8>(PERSIST, p, 1);
  saveState(PERSIST);
}
