// The clock driver module: owns Basic Timer1 (0x0040–0x0047, its protected data, issue 18 item 3). Entry: poll() —
// the protected scheduler calls it every second (firmware/meter.json; it must come within 2 s, clock.ts); returns
// the meter time. Input: set (CS security: CMD_TIME). Outputs: tick (core) and tick_log (logs), each [t u32] once
// per new second (4 bytes: two 16-bit blocks fewer for the crypto unit to wrap and unwrap than the 8 sent before).
import { clockPoll, clockSet, clockNow, TICK_BOX } from './clock';
import { IN } from '../lib/events';

@external("output", "tick") declare function tick(data: usize, len: i32): void;
@external("output", "tick_log") declare function tick_log(data: usize, len: i32): void;

export function poll(): i32 {
  if (clockPoll()) {
    tick(TICK_BOX, 4);
    tick_log(TICK_BOX, 4);
  }
  return <i32>clockNow();
}

export function input_set(data: usize, len: i32): void {
  if (data == IN) clockSet(len);
}
