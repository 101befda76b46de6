// The logs module (seed §4.5 "Separate logs"): three bounded regions, written only through their own inputs.
// Inputs: tick (clock driver), metrology (core), security (core), security_cs (CS security), offswitch
// (off-switch module), read (CS security, a CMD_LOG_READ). Outputs: entry (to the central system); copy (each entry
// as appended, in the read reply's form: to CS security, whose DLMS profiles show the logs — firmware/meter-dlms.json;
// unconnected in firmware/meter.json, where the output path drops it).
import { IN } from '../lib/events';
import { logsTick, logsAppend, logsRead, REPLY, REPLY_BYTES, LOG_METROLOGY, LOG_SECURITY, LOG_OFFSWITCH } from './logs';

@external("output", "entry") declare function entry(data: usize, len: i32): void;
@external("output", "copy") declare function copy(data: usize, len: i32): void;

function append(which: u32, len: i32): void {
  if (logsAppend(which, len) == 0) return;
  logsRead(which, 0);
  copy(REPLY, REPLY_BYTES);
}

// Each input's plaintext is at IN, where the generated input path, an input's only caller, puts it (`data` is always IN:
// toolchain/sancus/module/compiled.ts in_call). Lengths are even and at most MAX_EVENT = 64: `& 0x7f` changes
// nothing but lets the compiler compare them as one word.
export function input_tick(data: usize, len: i32): void {
  if ((<u32>len & 0x7f) >= 4) logsTick(load<u32>(IN));
}

export function input_metrology(data: usize, len: i32): void {
  append(LOG_METROLOGY, len);
}

export function input_security(data: usize, len: i32): void {
  append(LOG_SECURITY, len);
}

export function input_security_cs(data: usize, len: i32): void {
  append(LOG_SECURITY, len);
}

export function input_offswitch(data: usize, len: i32): void {
  append(LOG_OFFSWITCH, len);
}

/** [07][log u8][index u16] → one entry to the central system, sealed under the logs→CS connection key. */
export function input_read(data: usize, len: i32): void {
  if ((<u32>len & 0x7f) < 4) return;
  logsRead(<u32>load<u8>(IN, 1), <u32>load<u16>(IN, 2));
  entry(REPLY, REPLY_BYTES);
}

// The module's last static data, non-zero: the compiler maps linear memory up to the last non-zero data byte plus
// the heap, so this byte makes it map every zero-filled region above it (test/firmware/repro/zero-static-data.as).
const STATIC_END = memory.data<u8>([0xa5]);
