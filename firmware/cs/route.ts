// CS security's outputs and its routing of a central-system command (firmware/cs/cs.ts says where each goes), shared
// by the module without (firmware/cs) and with the DLMS/COSEM server (firmware/cs-dlms).
import { IN } from '../lib/events';
import { csReject, LOG_BOX, OUT_CLOCK, OUT_CORE, OUT_DC, OUT_LOG, OUT_LOGS, OUT_OFFSWITCH } from './cs';

@external("output", "to_core") export declare function to_core(data: usize, len: i32): void;
@external("output", "to_offswitch") export declare function to_offswitch(data: usize, len: i32): void;
@external("output", "to_dc") export declare function to_dc(data: usize, len: i32): void;
@external("output", "to_logs") export declare function to_logs(data: usize, len: i32): void;
@external("output", "to_clock") export declare function to_clock(data: usize, len: i32): void;
@external("output", "log") export declare function log(data: usize, len: i32): void;
@external("output", "uplink") export declare function uplink(data: usize, len: i32): void;

/** The command at IN (`len` bytes) to where csCommand said (`out`); anything else is refused and logged. */
export function csRoute(route: u32, len: i32): void {
  const out = route & 0x7f; // the OUT_* values: as one 16-bit word
  // At most MAX_EVENT = 64 bytes (the input buffer): masked, the compiler knows the length small and tests no high
  // word before each output (issue 18 TCB).
  const n = <i32>(<u32>len & 0x7f);
  if (out == OUT_CORE) to_core(IN, n);
  else if (out == OUT_OFFSWITCH) to_offswitch(IN, n);
  else if (out == OUT_DC) to_dc(IN, n);
  else if (out == OUT_LOGS) to_logs(IN, n);
  else if (out == OUT_CLOCK) to_clock(IN, n);
  else if (out == OUT_LOG) log(LOG_BOX, 8);
  else {
    csReject(len);
    log(LOG_BOX, 8);
  }
}
