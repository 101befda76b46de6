// Off-switch security (seed §4.5): the only path to the relay driver. Inputs: command (CS security: disconnect,
// reconnect, unlock — the central system's only), credit (core: exhausted/restored), local (relay driver: button,
// tamper, contact feedback). Outputs: relay (relay driver), log (the off-switch log).
import { offEvent, offPersist, offRestore, offState, offVerdict, OUT_RELAY, OUT_LOG, RELAY_BOX, LOG_BOX, PERSIST } from './offswitch';
import { loadState } from './persist';
import { IN } from '../lib/events';

@external("output", "relay") declare function relay(data: usize, len: i32): void;
@external("output", "log") declare function log(data: usize, len: i32): void;

function emit(out: u32): void {
  if (out & OUT_RELAY) relay(RELAY_BOX, 2);
  if (out & OUT_LOG) log(LOG_BOX, 8);
  // The holds survive a power cycle: sealed into the non-volatile memory whenever they change (persist.ts).
  offPersist();
}

// At start (the wasm start function, run once after SM_ENABLE): the holds as last sealed, or the tamper lock when
// the record is not the latest or not genuine (persist.ts).
offRestore(loadState(PERSIST));

/** The start's verdict on the sealed record (persist.ts: 0 fresh, 1 restored, 2 rolled back, 3 tampered) and the
 *  supply state (offswitch.ts offState) — for the deployer's checks and tests; no secret (the holds are what the
 *  relay shows). */
export function status(): u32 {
  return (offVerdict() << 8) | offState();
}

// Each input's plaintext is at IN, where the module runtime, an input's only caller, unwraps it (`data` is always
// IN: toolchain/sancus/module/compiled.ts INPUT_OFFSET). A restored hold is re-asserted before the event is handled
// (offEvent). The length is at most MAX_EVENT = 64 (toolchain/sancus/module/runtime.ts): `& 0x7f` changes nothing
// but lets the compiler compare it as one word.
function event(input: u32, len: i32): void {
  emit(offEvent(input, <u32>len & 0x7f));
}

export function input_command(data: usize, len: i32): void {
  event(0, len);
}

export function input_credit(data: usize, len: i32): void {
  event(1, len);
}

export function input_local(data: usize, len: i32): void {
  event(2, len);
}
