// The logs module (seed §4.5 "Separate logs"): three bounded regions, written only through their own inputs.
// Inputs: tick (clock driver), metrology (core), security (core), security_cs (CS security), offswitch
// (off-switch module), read (CS security, a CMD_LOG_READ), query (CS security's DLMS profiles: entries by sequence
// number). Outputs: entry (to the central system); copy (each entry as appended, in the read reply's form, and the
// answers to query: to CS security, whose DLMS profiles show the logs — firmware/meter-dlms.json; both unconnected in
// firmware/meter.json, where the output path drops what is sent).
import { IN } from '../lib/events';
import { logsTick, logsAppend, logsQuery, logsRead, ANSWER, QUERY_PER_EVENT, REPLY, REPLY_BYTES, LOG_METROLOGY, LOG_SECURITY, LOG_OFFSWITCH } from './logs';

@external("output", "entry") declare function entry(data: usize, len: i32): void;
@external("output", "copy") declare function copy(data: usize, len: i32): void;

function append(which: u32, len: i32): void {
  if (logsAppend(which, len) == 0) return;
  logsRead(which, 0);
  copy(REPLY, REPLY_BYTES);
}

// Each input's plaintext is at IN, where the module runtime, an input's only caller, unwraps it (`data` is always IN:
// toolchain/sancus/module/compiled.ts INPUT_OFFSET). Lengths are even and at most MAX_EVENT = 64: `& 0x7f` changes
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

/** [log u8][count u8][tag u8][0][first seq u32] → the entries first … first + count − 1 on `copy`, four per event
 *  (logsQuery's answer form; at most 16: the outbox holds four events per call). CS security's DLMS server asks
 *  for the rows of the profile it is answering (firmware/lib/dlms/profile.ts), so it keeps no copy of the logs.
 *  Count 0: the copy of each log's newest entry, as sent on an append (its sequence number; found 0 when empty),
 *  the metrology log's last, marked found | 2 (all three sent) — what the server asks after it started, when it
 *  knows no log's sequence number (firmware/lib/dlms/profile.ts KNOWN). */
export function input_query(data: usize, len: i32): void {
  if ((<u32>len & 0x7f) < 8) return;
  const which = <u32>load<u8>(IN);
  let first = load<u32>(IN, 4);
  let left = <u32>load<u8>(IN, 1);
  if (left == 0) {
    for (let w = LOG_OFFSWITCH; ; w--) {
      logsRead(w, 0);
      if (w == LOG_METROLOGY) {
        store<u8>(REPLY, load<u8>(REPLY, 1) | 2, 1);
        copy(REPLY, REPLY_BYTES);
        return;
      }
      copy(REPLY, REPLY_BYTES);
    }
  }
  if (left > 4 * QUERY_PER_EVENT) left = 4 * QUERY_PER_EVENT;
  while (left > 0) {
    const n = left < QUERY_PER_EVENT ? left : QUERY_PER_EVENT;
    const bytes = logsQuery(which, first, n, <u32>load<u8>(IN, 2));
    if (bytes == 0) return;
    copy(ANSWER, bytes);
    first += n;
    left -= n;
  }
}
