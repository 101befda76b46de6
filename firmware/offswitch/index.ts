// Off-switch security (seed §4.5): the only path to the relay driver. Inputs: command (CS security: disconnect,
// reconnect, unlock — the central system's only), credit (core: exhausted/restored), local (relay driver: button,
// tamper, contact feedback). Outputs: relay (relay driver), log (the off-switch log).
import { offCommand, offCredit, offLocal, OUT_RELAY, OUT_LOG, RELAY_BOX, LOG_BOX } from './offswitch';
import { IN } from '../lib/events';

@external("output", "relay") declare function relay(data: usize, len: i32): void;
@external("output", "log") declare function log(data: usize, len: i32): void;

function emit(out: u32): void {
  if (out & OUT_RELAY) relay(RELAY_BOX, 2);
  if (out & OUT_LOG) log(LOG_BOX, 8);
}

// Each input's plaintext is at IN (the generated input path's buffer); anything else is not an event.
export function input_command(data: usize, len: i32): void {
  if (data == IN) emit(offCommand(len));
}

export function input_credit(data: usize, len: i32): void {
  if (data == IN) emit(offCredit(len));
}

export function input_local(data: usize, len: i32): void {
  if (data == IN) emit(offLocal(len));
}

// The module's last static data, non-zero: the compiler maps linear memory up to the last non-zero data byte plus
// the heap, so this byte makes it map every zero-filled region above it (test/firmware/repro/zero-static-data.as).
const STATIC_END = memory.data<u8>([0xa5]);
