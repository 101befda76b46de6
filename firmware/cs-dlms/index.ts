// CS security with the meter's DLMS/COSEM server (issue 19; seed chapter 4: this module terminates all security with
// the central system): firmware/cs's routing, readings and outputs, plus the server of firmware/lib/dlms hosted by
// ./dlms.ts — CMD_DLMS configures it, the entry `dlms` takes the wrapper frames the runtime routes here
// (firmware/README.md "DLMS on the WAN UART"). Deployed as the module `cs` by firmware/meter-dlms.json.
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { csCommand, csLog, csReading, LOG_BOX, OUT_DLMS, READING_BOX } from '../cs/cs';
import { csRoute, log, to_clock, to_core, to_offswitch, uplink } from '../cs/route';
import { CLOCK_BOX, dlmsAfter, dlmsCommand, dlmsFrame, dlmsLogs, dlmsReply, DLMS_CLOCK, DLMS_FETCH, DLMS_READ, DLMS_SWITCH, READ_BOX, SWITCH_BOX } from './dlms';
import { FETCH } from '../lib/dlms/profile';
import { dlms_event_count, dlms_fetch } from '../lib/dlms/server';

/** Queries for log rows to the logs module (cs.logs_query → logs.query, firmware/meter-dlms.json): the DLMS server
 *  keeps no copy of the logs, it asks for the rows an answer needs (firmware/lib/dlms/profile.ts). */
@external("output", "logs_query") declare function logs_query(data: usize, len: i32): void;

export function input_command(data: usize, len: i32): void {
  if (data != IN) return;
  const out = csCommand(len);
  if (out != OUT_DLMS) csRoute(out, len);
  else {
    csLog(ev.EV_DLMS, dlmsCommand(len), <u32>load<u8>(IN, 1), <u32>len);
    log(LOG_BOX, 8);
  }
}

export function input_reading(data: usize, len: i32): void {
  if (data == IN && csReading(len)) uplink(READING_BOX, 16);
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

// A register reply CS security asked for itself (after a DLMS frame) sets the DLMS values and stays here.
export function input_reply(data: usize, len: i32): void {
  if (data == IN && !dlmsReply(len)) uplink(IN, len);
}

// The logs module's output `copy` over its own sealed connection (logs.copy → cs.logs): each entry it appends and,
// asked after a start, each log's newest (the logs' sequence numbers and disconnect control's state), and the rows
// the DLMS server asked for (the load profile, security and off-switch event logs), with which a waiting GET — or
// after a start a frame that waited for the sequence numbers — is answered: then what follows a frame follows.
export function input_logs(data: usize, len: i32): void {
  if (data != IN) return;
  if (dlmsLogs(len) > 0) after();
  else if (dlms_fetch() != 0) logs_query(FETCH, 8);
}

// The DLMS/COSEM endpoint: an entry, not an input — a wrapper frame is not an event of the mechanism (DLMS brings
// its own security); the runtime passes where the frame lies in unprotected memory, the module copies it in under
// the confused-deputy rule and answers on the WAN UART. Returns the answer's length (< 0: refused).
export function dlms(src: u32, len: u32): i32 {
  const n = dlmsFrame(<usize>src, len);
  if (n >= -1) after();
  logDlmsEvent();
  return n;
}

/** The server's security events seen so far, by kind (lib/dlms/server.ts dlms_event_count: replayed and jumping
 *  counters, failed authentication, reflected challenges, failed deciphering). */
const SEEN = memory.data(10, 2);

/** Seed §4.5 (CS security logs what happens to the meter's security): a DLMS security event the last frame caused
 *  goes to the security log as EV_DLMS, result 16 + kind, value the server's count of that kind. One kind a frame (a
 *  frame causes one); another kind that moved is logged with the next frame. */
function logDlmsEvent(): void {
  for (let k: u32 = 0; k < 5; k++) {
    const c = dlms_event_count(k);
    if (c != <u32>load<u16>(SEEN + (k << 1))) {
      store<u16>(SEEN + (k << 1), <u16>c);
      csLog(ev.EV_DLMS, <u8>(16 + k), 0, c);
      log(LOG_BOX, 8);
      return;
    }
  }
}

/** After a frame was taken or answered: what the module sends on (./dlms.ts dlmsAfter). */
function after(): void {
  const out = dlmsAfter();
  if (out & DLMS_SWITCH) to_offswitch(SWITCH_BOX, 2);
  if (out & DLMS_CLOCK) to_clock(CLOCK_BOX, 8);
  if (out & DLMS_READ) to_core(READ_BOX, 2);
  if (out & DLMS_FETCH) logs_query(FETCH, 8);
}

// No heap (./asconfig.json): the compiler maps linear memory up to the end of the static
// data, zero-filled buffers included (AS's __heap_base, toolchain/compiler/front.ts); an access past it traps
// (test/firmware/dlms-tcp.test.ts).
