// CS security (seed §4.5): every central-system message arrives here first (input command, unwrapped under the
// CS↔cs connection key by the generated input path) and is passed to exactly one module or refused and logged.
// Inputs: command (central system), reading and reply (core). Outputs: to_core, to_offswitch, to_dc, to_logs, to_clock,
// log (security log), uplink (central system: readings after the chapter 5 countermeasures, register replies).
// The same module with the meter's DLMS/COSEM server: firmware/cs-dlms (firmware/README.md "DLMS on the WAN UART").
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { csCommand, csLog, csReading, LOG_BOX, READING_BOX } from './cs';
import { csRoute, log, uplink } from './route';

// Each input's plaintext is at IN, where the module runtime, an input's only caller, unwraps it (`data` is always
// IN: toolchain/sancus/module/compiled.ts INPUT_OFFSET). A CMD_DLMS (OUT_DLMS) is refused here like an unknown command:
// this module hosts no DLMS server.
export function input_command(data: usize, len: i32): void {
  csRoute(csCommand(len), len);
}

export function input_reading(data: usize, len: i32): void {
  if (csReading(len)) uplink(READING_BOX, 16);
}

export function input_reply(data: usize, len: i32): void {
  uplink(IN, <i32>(<u32>len & 0x7f)); // ≤ MAX_EVENT = 64: masked, no test of the length's high word
}

// Issue 18 item 7: a command the module runtime refused (it did not unwrap under the connection's key and next
// counter: forged, replayed or reordered) is logged in the security log — connection and length only; the
// connection's counter does not move (toolchain/sancus/module/runtime.ts). The unauthenticated bytes the crypto
// unit decrypted lie at IN until the next event: nothing here reads them (only input handlers read IN, and they are
// called after a tag matched).
export function refused(conn: i32, len: i32): void {
  csLog(ev.EV_REFUSED, ev.UNAUTHENTIC, <u32>conn, <u32>len);
  log(LOG_BOX, 8);
}
