// The clock driver (seed §4.3.2 "Clock": "the component generating the time stamps"; Figure 4.3's "clock ticks"
// driver module): the only code that touches Basic Timer1 (BTCTL 0x0040, BTCNT2 0x0047, on the board's 32,768 Hz
// watch crystal). BTDIV makes BTCNT2 count BTCNT1's carry: one count every 256 ACLK periods, 128 a second, wrapping
// every 2 s; each poll adds the counts since the last one, so time is kept exactly (no drift against the crystal) as
// long as polls come less than 2 s apart — and a poll reads one register (one call into the MMIO module), not the
// two counters and a carry re-read: the meter's time is whole seconds, so BTCNT1's 1/32,768 s are never needed, and
// nothing is lost by ignoring them (BTCNT2 counts them). A runtime that withholds polls longer makes the clock lose
// the skipped wraps: it can slow the meter's time, not forge it (availability, seed §4.6.4). The time itself —
// seconds on the meter's UTC time line — is set by the central system (CMD_TIME through CS security).
import { mmio_read8, mmio_write8 } from '../../toolchain/compiler/lib/hasm';
import { IN } from '../lib/events';

const BTCTL: u16 = 0x0040;
const BTCNT2: u16 = 0x0047;
/** BTSSEL = 0 (ACLK), BTHOLD = 0, BTDIV = 1 (BTCNT2 counts BTCNT1's carry), BTIP = 7 (BTIFG every 2 s, unused). */
const BTCTL_RUN: u8 = 0x27;
/** BTCNT2 counts a second: 32,768 Hz ACLK / 256 (BTDIV). */
const COUNTS_HZ: u32 = 128;

/** [t u32]: the meter time in seconds, for the core and the logs. */
export const TICK_BOX = memory.data(4);
/** The counter's state at constant addresses, not i32 globals (each a 32-bit pair here, and the whole seconds a 32-bit
 *  shift: issue 18 "Simulation speed"): [started u8][BTCNT2 at the last poll u8][fraction u16], fraction the counts
 *  short of a second — below COUNTS_HZ between polls, so below COUNTS_HZ + 255 within one: a word. */
const STATE = memory.data(4);
let seconds: u32 = 0;

/** Advances the time from the counter; returns 1 when a new second began (TICK_BOX filled). */
export function clockPoll(): u32 {
  if (!load<u8>(STATE)) {
    store<u8>(STATE, 1);
    mmio_write8(BTCTL, BTCTL_RUN);
    store<u8>(STATE, mmio_read8(BTCNT2), 1);
    // The meter's seconds begin half a second into the crystal's count, so a poll once a second lands mid-second:
    // polls early or late by up to half a second still see one new second each. The scheduler's Timer_A runs on
    // MCLK's ACLK divider, a little faster than the crystal, so its "1000 ms" polls drift through the second: one
    // poll in about 1,700 finds no new second (the core's tick comes 2 s after the previous one, never a second
    // skipped). Counted from 0 instead, that poll came within seconds of the start.
    store<u16>(STATE, <u16>(COUNTS_HZ / 2), 2);
    return 0;
  }
  const c = <u32>mmio_read8(BTCNT2);
  const fraction = <u32>load<u16>(STATE, 2) + ((c - <u32>load<u8>(STATE, 1)) & 0xff);
  store<u8>(STATE, <u8>c, 1);
  // At most 255 counts since the last poll (2 s): one or two whole seconds, no division (no divider on the MSP430).
  const whole: u32 = fraction < COUNTS_HZ ? 0 : fraction < 2 * COUNTS_HZ ? 1 : 2;
  store<u16>(STATE, <u16>(fraction & (COUNTS_HZ - 1)), 2);
  if (!whole) return 0;
  seconds += whole;
  store<u32>(TICK_BOX, seconds);
  return 1;
}

/** CMD_TIME from the central system at IN ([08][0][0 u16][t u32]); returns 0 when set, 1 when malformed. */
export function clockSet(len: i32): u32 {
  if (len != 8) return 1;
  seconds = load<u32>(IN, 4);
  return 0;
}

export function clockNow(): u32 {
  return seconds;
}
