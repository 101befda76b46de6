// CS security (seed §4.5): every central-system message arrives here first (input command, unwrapped under the
// CS↔cs connection key by the generated input path) and is passed to exactly one module or refused and logged.
// Inputs: command (central system), reading and reply (core). Outputs: to_core, to_offswitch, to_dc, to_logs, to_clock,
// log (security log), uplink (central system: readings after the chapter 5 countermeasures, register replies).
import { IN } from '../lib/events';
import { csCommand, csReading, OUT_CORE, OUT_OFFSWITCH, OUT_DC, OUT_LOGS, OUT_LOG, OUT_CLOCK, LOG_BOX, READING_BOX } from './cs';

@external("output", "to_core") declare function to_core(data: usize, len: i32): void;
@external("output", "to_offswitch") declare function to_offswitch(data: usize, len: i32): void;
@external("output", "to_dc") declare function to_dc(data: usize, len: i32): void;
@external("output", "to_logs") declare function to_logs(data: usize, len: i32): void;
@external("output", "to_clock") declare function to_clock(data: usize, len: i32): void;
@external("output", "log") declare function log(data: usize, len: i32): void;
@external("output", "uplink") declare function uplink(data: usize, len: i32): void;

// Each input's plaintext is at IN (the generated input path's buffer); anything else is not an event.
export function input_command(data: usize, len: i32): void {
  if (data != IN) return;
  const out = csCommand(len);
  if (out == OUT_CORE) to_core(data, len);
  else if (out == OUT_OFFSWITCH) to_offswitch(data, len);
  else if (out == OUT_DC) to_dc(data, len);
  else if (out == OUT_LOGS) to_logs(data, len);
  else if (out == OUT_CLOCK) to_clock(data, len);
  else if (out == OUT_LOG) log(LOG_BOX, 8);
}

export function input_reading(data: usize, len: i32): void {
  if (data == IN && csReading(len)) uplink(READING_BOX, 16);
}

export function input_reply(data: usize, len: i32): void {
  if (data == IN) uplink(IN, len);
}

// The module's last static data, non-zero: the compiler maps linear memory up to the last non-zero data byte plus
// the heap, so this byte makes it map every zero-filled region above it (test/firmware/repro/zero-static-data.as).
const STATIC_END = memory.data<u8>([0xa5]);
