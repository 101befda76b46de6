// The meter's DLMS/COSEM endpoint inside CS security (issue 19; seed chapter 4: this module terminates all security
// with the central system; chapter 3 Table 3.2: the hardened HLS it speaks). The server itself is lib/dlms; this
// file is the hosting: its keys and settings from the central system (CMD_DLMS over the sealed command connection),
// whole wrapper frames handed in by the untrusted runtime (entry `dlms`, firmware/README.md "DLMS on the WAN UART"),
// the answer written to the WAN UART's transmit register, the values other modules own (energy and time: core's
// register reply) and the requests the head-end made (disconnect control → off-switch security, which decides).
import * as ev from '../lib/events';
import { IN } from '../lib/events';
import { copy_in } from '../lib/unprotected';
import { copyBytes } from '../lib/dlms/io';
import { icReserve, icStart } from './ic';
import { mmio_read8, mmio_write8 } from '../../toolchain/compiler/lib/hasm';
import {
  dlms_configure, dlms_fetch, dlms_log_entry, dlms_rx, dlms_rx_ptr, dlms_rx_room, dlms_set_clock,
  dlms_take_disconnect, dlms_take_time, dlms_tx_ptr,
} from '../lib/dlms/server';
import { dlms_set_registers } from '../lib/dlms/objects';

// The WAN UART (boards/emulated.json "wan", base 0x0080; omsp_uart registers as firmware/han/index.ts): the runtime
// configured it at start-up; the module only writes whole answers while the runtime waits in the entry call.
const WAN_STATUS: u16 = 0x0081;
const WAN_TX: u16 = 0x0084;
const TX_FULL: u8 = 0x08;

/** CMD_DLMS part 0: [09][0][GUEK 16][GAK 16]; part 1: [09][1][hardened u8][password length u8][jump threshold u32]
 *  [server title 8][head-end title 8][password 16][invocation-counter floor u32] — the configuration block of
 *  lib/dlms (dlms_configure) in two events, each under 64 bytes. */
const CFG = memory.data(65);
let cfgParts: u32 = 0;
let configured: bool = false;

/** What the module asks of off-switch security: [10][0] remote disconnect, [11][0] remote reconnect. */
export const SWITCH_BOX = memory.data(2);
/** A refresh of the registers: CMD_READ to the core, whose reply (input reply) sets the DLMS values. */
export const READ_BOX = memory.data(2); // zero-filled here, written when used: no initial image (lib/crypto/tables.ts)
/** A core reply this module asked for is due (not the central system's: those go up, this one stays here). A
 *  flag, not a count: a runtime that withholds replies must not make later central-system replies vanish. */
let ownRead: bool = false;

export const DLMS_NONE: u32 = 0;
export const DLMS_SWITCH: u32 = 1;
export const DLMS_READ: u32 = 2;
export const DLMS_FETCH: u32 = 4;
export const DLMS_CLOCK: u32 = 8;

/** A time the head-end set on the clock object, for the clock module: CMD_TIME's [08][0][0 u16][seconds u32] (the
 *  central system's own command, lib/events.ts), so the clock takes it as it takes the central system's. */
export const CLOCK_BOX = memory.data(8);

/** Seconds since 1970 (UTC) of the COSEM date-time at `p` (Blue Book 4.1.6.1: year u16 big-endian, month, day of
 *  month, day of week, hour, minute, second, hundredths, deviation i16, status), or 0xFFFFFFFF when it is not one
 *  instant this meter's clock can take: a field not specified (0xFF…) or special (last day of month, DST
 *  begin/end), a deviation from UTC other than 0 or not specified (the server writes its time with deviation 0,
 *  lib/dlms/profile.ts dateTime), a date before 1970 or past the u32 seconds (2105). Counted from 1970 as dateTime
 *  counts back: every year divisible by 4 but 2100 is a leap year in that range. */
function cosemSeconds(p: usize): u32 {
  const y = (<u32>load<u8>(p) << 8) | load<u8>(p, 1);
  const m = <u32>load<u8>(p, 2);
  const d = <u32>load<u8>(p, 3);
  const h = <u32>load<u8>(p, 5);
  const mi = <u32>load<u8>(p, 6);
  const sec = <u32>load<u8>(p, 7);
  const dev = (<u32>load<u8>(p, 9) << 8) | load<u8>(p, 10);
  if (y < 1970 || y > 2105 || m - 1 > 11 || d - 1 > 30 || h > 23 || mi > 59 || sec > 59 || (dev != 0 && dev != 0x8000)) return 0xffffffff;
  let days: u32 = d - 1;
  for (let i: u32 = 1970; i < y; i++) days += (i & 3) == 0 && i != 2100 ? 366 : 365;
  for (let i: u32 = 1; i < m; i++) days += i == 2 ? ((y & 3) == 0 && y != 2100 ? 29 : 28) : 30 + ((i ^ (i >> 3)) & 1);
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

/** CMD_DLMS at IN; returns the log result (ev.OK or why not). */
export function dlmsCommand(len: i32): u8 {
  const part = load<u8>(IN, 1);
  if (part == 0 && len == 34) {
    copyBytes(CFG, IN + 2, 32);
    cfgParts |= 1;
    return ev.OK;
  }
  if (part != 1 || len != 44 || (cfgParts & 1) == 0) return ev.BAD_FORMAT;
  copyBytes(CFG + 32, IN + 8, 16); // the two titles
  store<u8>(CFG + 48, load<u8>(IN, 3));
  copyBytes(CFG + 49, IN + 24, 16);
  dlms_configure(CFG, load<u8>(IN, 2) != 0, load<u32>(IN, 4));
  // The server's invocation counter starts above every counter used before a reset (the board's monotonic counter,
  // ./ic.ts) and at least at the floor the central system gives (above every counter it has seen from this meter).
  icStart(load<u32>(IN, 40));
  for (let i: usize = 0; i < 65; i++) store<u8>(CFG + i, 0); // the keys now live in the server's own state only
  cfgParts = 0;
  configured = true;
  return ev.OK;
}

/** A core register reply at IN ([86 u32][now u32][total u32][tariff 1–4 u32 ×4][credit i32]): true when this
 *  module asked for it (kept, not sent up). */
export function dlmsReply(len: i32): bool {
  if (len >= 28 && load<u32>(IN) == 0x86) {
    dlms_set_registers(IN + 8); // total and tariffs 1–4
    dlms_set_clock(load<u32>(IN, 4), 0);
  }
  if (!ownRead) return false;
  ownRead = false;
  return true;
}

/**
 * One whole wrapper frame at the absolute address `src` (unprotected memory, `len` bytes), from the runtime.
 * Answers on the WAN UART; returns the answer's length (0: none, −1: not a frame we take, −2: not configured) and
 * what to send on through `out` bits (DLMS_SWITCH: SWITCH_BOX to off-switch security, DLMS_READ: READ_BOX to core).
 */
export function dlmsFrame(src: usize, len: u32): i32 {
  if (!configured) return -2;
  if (len < 8 || len > dlms_rx_room() || !copy_in(dlms_rx_ptr(), src, <i32>len)) return -1;
  const n = dlms_rx(len);
  transmit(n);
  return n;
}

/** The server's answer (n bytes at dlms_tx_ptr(), if n > 0) to the WAN UART's transmit register; then the next
 *  block of invocation counters reserved if the server wants one (./ic.ts). */
function transmit(n: i32): void {
  if (n > 0) {
    const p = dlms_tx_ptr();
    for (let i: i32 = 0; i < n; i++) {
      while (mmio_read8(WAN_STATUS) & TX_FULL) {}
      mmio_write8(WAN_TX, load<u8>(p + i));
    }
  }
  icReserve();
}

/**
 * What the logs module sent on its output `copy` (at IN, `len` bytes): a copy of a log's newest entry, or rows the
 * server asked for (firmware/logs input_query). A GET that waited for these rows, or after a start a frame that
 * waited for the logs' sequence numbers, is answered on the WAN UART now — in an input, while the runtime routes
 * events: it sends nothing of its own on the line meanwhile. Returns the answer's length (0: none); the server may
 * ask for rows either way (dlms_fetch).
 */
export function dlmsLogs(len: i32): i32 {
  const n = dlms_log_entry(IN, <u32>len & 0x7f);
  transmit(n);
  return n;
}

/** After a frame: what the module sends on (DLMS_* bits). The head-end's disconnect control methods become
 *  commands to off-switch security over its sealed connection — the DLMS layer asks, off-switch decides (§4.5). */
export function dlmsAfter(): u32 {
  store<u8>(READ_BOX, ev.CMD_READ);
  let out: u32 = DLMS_READ;
  if (dlms_fetch() != 0) out |= DLMS_FETCH; // a GET waits for rows (or, after a start, a frame for the logs' sequence numbers): the query to the logs module
  ownRead = true;
  const d = dlms_take_disconnect();
  if (d != 0) {
    store<u8>(SWITCH_BOX, d == 1 ? ev.CMD_DISCONNECT : ev.CMD_RECONNECT);
    store<u8>(SWITCH_BOX, 0, 1);
    out |= DLMS_SWITCH;
  }
  // The clock object's time, set by the head-end (the management association's right): the clock module takes it
  // (seed chapter 4: the DLMS layer asks, the module that owns the function decides). One the clock cannot take is
  // not sent — the server answered the SET after checking type and length only (lib/dlms/README.md).
  const t = dlms_take_time();
  if (t != 0) {
    const at = cosemSeconds(t);
    if (at != 0xffffffff) {
      store<u32>(CLOCK_BOX, ev.CMD_TIME);
      store<u32>(CLOCK_BOX, at, 4);
      out |= DLMS_CLOCK;
    }
  }
  return out;
}
