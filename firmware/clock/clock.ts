// The clock driver (seed §4.3.2 "Clock": "the component generating the time stamps"; Figure 4.3's "clock ticks"
// driver module): the only code that touches Basic Timer1 (BTCTL 0x0040, BTCNT1 0x0046, BTCNT2 0x0047, on the
// board's 32,768 Hz watch crystal). BTDIV chains the two 8-bit counters into one 16-bit count of ACLK periods, which
// wraps every 2 s; each poll adds the periods since the last one, so time is kept exactly (no drift against the
// crystal) as long as polls come less than 2 s apart. A runtime that withholds polls longer makes the clock lose the
// skipped wraps: it can slow the meter's time, not forge it (availability, seed §4.6.4). The time itself — seconds
// on the meter's UTC time line — is set by the central system (CMD_TIME through CS security).
import { mmio_read8, mmio_write8 } from '../../toolchain/compiler/lib/hasm';
import { IN } from '../lib/events';

const BTCTL: u16 = 0x0040;
const BTCNT1: u16 = 0x0046;
const BTCNT2: u16 = 0x0047;
/** BTSSEL = 0 (ACLK), BTHOLD = 0, BTDIV = 1 (BTCNT2 counts BTCNT1's carry), BTIP = 7 (BTIFG every 2 s, unused). */
const BTCTL_RUN: u8 = 0x27;
const ACLK_HZ: u32 = 32768;

/** [t u32][0 u32]: the meter time in seconds, for the core and the logs. */
export const TICK_BOX = memory.data(8);
let started: bool = false;
let last: u32 = 0;
let fraction: u32 = 0; // ACLK periods short of a second
let seconds: u32 = 0;

function count(): u32 {
  // BTCNT1 may carry into BTCNT2 between the two reads: read until the low byte did not wrap around in between.
  let lo = <u32>mmio_read8(BTCNT1);
  let hi = <u32>mmio_read8(BTCNT2);
  const lo2 = <u32>mmio_read8(BTCNT1);
  if (lo2 < lo) {
    hi = <u32>mmio_read8(BTCNT2);
    lo = lo2;
  }
  return (hi << 8) | lo;
}

/** Advances the time from the counter; returns 1 when a new second began (TICK_BOX filled). */
export function clockPoll(): u32 {
  if (!started) {
    started = true;
    mmio_write8(BTCTL, BTCTL_RUN);
    last = count();
    return 0;
  }
  const c = count();
  fraction += (c - last) & 0xffff;
  last = c;
  if (fraction < ACLK_HZ) return 0;
  seconds += fraction / ACLK_HZ;
  fraction %= ACLK_HZ;
  store<u32>(TICK_BOX, seconds);
  store<u32>(TICK_BOX, 0, 4);
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
