// The relay driver (Figure 4.3's off-switch actuator driver; seed §4.6.3: "changing the supply state must result in
// using a driver protected module to operate an actual off-switch peripheral"): the only code that touches ports P1
// and P2 (0x0020–0x002F): the relay coil P1.0 (1 = contacts closed, supply on), its contact feedback P1.3, the tamper
// switch P2.0 (1 = case open) and the reconnect button P2.1 (boards/emulated.json). It drives the coil only as the
// off-switch module says (its one input), and reports the local events to the off-switch module: tamper, a button
// press, contact changes.
//
// What a poll costs (issue 18 "Simulation speed"; every register access is a call into the MMIO module): a closed
// case and an untouched button are one read of P2IFG, where the port latches the rising edge of either input, so
// an opening or a press between two polls is not missed — as a low-power meter's interrupt pins, read at the
// protected scheduler's pace instead of by an interrupt the untrusted runtime would own. Only after an edge, and
// while the case stays open, is the tamper level read (P2IN) and tamper reported at every poll, as the off-switch
// module needs for its lock (it logs the first report; a report at each poll re-locks a case the central system
// unlocked while still open). The contact feedback (P1IN) is read at the second poll after the coil moved (its
// contacts travel meanwhile) and at every FEEDBACK_EVERY-th poll (a welded or bypassed contact changes on its own).
import { mmio_read8, mmio_write8 } from '../../toolchain/compiler/lib/hasm';
import * as ev from '../lib/events';
import { IN } from '../lib/events';

const P1IN: u16 = 0x0020;
const P1OUT: u16 = 0x0021;
const P1DIR: u16 = 0x0022;
const P2IN: u16 = 0x0028;
const P2IFG: u16 = 0x002b;
const P2IES: u16 = 0x002c;
const COIL: u8 = 0x01; //     P1.0
const FEEDBACK: u8 = 0x08; // P1.3
const TAMPER: u8 = 0x01; //   P2.0
const BUTTON: u8 = 0x02; //   P2.1
/** The contact feedback is sampled at every 4th poll besides the poll it is due after a move (the relay's 250 ms
 *  period in firmware/meter.json: once a second). A power of two: a mask, not a division. */
const FEEDBACK_EVERY: u32 = 4;

/** Up to three local events of 2 bytes each ([LOCAL_TAMPER][0], [LOCAL_BUTTON][0], [LOCAL_CONTACT][closed]). */
export const LOCAL_BOX = memory.data(6);
/** The driver's state in bytes at constant addresses, not i32 globals (a bool global is a 32-bit pair here: a poll
 *  loaded, tested and stored each as two words — issue 18 "Simulation speed", four polls a second): [flags u8][polls
 *  u8][contact u8], contact the feedback last reported (0xff: never). `polls` counts modulo 256, a multiple of
 *  FEEDBACK_EVERY, so its mask picks the same polls as a 32-bit count. */
const STATE = memory.data<u8>([0, 0, 0xff, 0]);
const STARTED: u32 = 1;
// The coil moved since the last poll: its contacts may still be travelling (operate/release time), so the feedback
// is reported from the next poll on — a mismatch then is real (welded or bypassed contacts), not the relay's delay.
const MOVED: u32 = 2;
const SETTLED: u32 = 4; // the contacts moved one poll ago: sample the feedback at this poll
const OPEN: u32 = 8; //    the case was seen open (an edge, or the level at power-up) and not yet seen closed

/** Power-up: the coil is driven closed — the supply is on, the off-switch module's initial state — and the inputs
 *  latch rising edges. Both modules lose their state at a reset (no persistent storage yet, seed §4.6.3). */
function start(): void {
  if (<u32>load<u8>(STATE) & STARTED) return;
  mmio_write8(P1OUT, mmio_read8(P1OUT) | COIL);
  mmio_write8(P1DIR, mmio_read8(P1DIR) | COIL);
  mmio_write8(P2IES, mmio_read8(P2IES) & ~(TAMPER | BUTTON));
  mmio_write8(P2IFG, mmio_read8(P2IFG) & ~(TAMPER | BUTTON));
  // A case opened while the power was off has no edge to latch: its level, read after the flags were cleared (an
  // opening from now on sets the flag), is reported at the first poll.
  store<u8>(STATE, <u8>(STARTED | MOVED | (mmio_read8(P2IN) & TAMPER ? OPEN : 0)));
}

/** The off-switch module's command at IN: [on u8][0]. */
export function relaySet(len: i32): void {
  if (len != 2) return;
  start();
  const out = mmio_read8(P1OUT);
  const next = load<u8>(IN) != 0 ? out | COIL : out & ~COIL;
  if (next != out) store<u8>(STATE, load<u8>(STATE) | <u8>MOVED);
  mmio_write8(P1OUT, next);
}

/** Samples the inputs; returns how many 2-byte local events LOCAL_BOX holds (0–3). */
export function relayPoll(): u32 {
  start();
  let f = <u32>load<u8>(STATE);
  let n: u32 = 0;
  const ifg = <u32>mmio_read8(P2IFG);
  if (ifg & (TAMPER | BUTTON)) {
    mmio_write8(P2IFG, <u8>(ifg & ~(TAMPER | BUTTON)));
    if (ifg & TAMPER) f |= OPEN;
  }
  // Reported at every poll while the case is open (an opening shorter than a poll is reported once, its edge): the
  // off-switch module logs the first report and holds the lock.
  if (f & OPEN) {
    if (ifg & TAMPER || mmio_read8(P2IN) & TAMPER) {
      store<u8>(LOCAL_BOX, ev.LOCAL_TAMPER);
      store<u8>(LOCAL_BOX, 0, 1);
      n = 1;
    } else f &= ~OPEN;
  }
  if (ifg & BUTTON) {
    store<u8>(LOCAL_BOX + 2 * n, ev.LOCAL_BUTTON);
    store<u8>(LOCAL_BOX + 2 * n, 0, 1);
    n++;
  }
  const polls = <u32>load<u8>(STATE, 1) + 1;
  store<u8>(STATE, <u8>polls, 1);
  if (f & MOVED) f = (f & ~MOVED) | SETTLED;
  else if (f & SETTLED || (polls & (FEEDBACK_EVERY - 1)) == 0) {
    f &= ~SETTLED;
    const fb: u8 = mmio_read8(P1IN) & FEEDBACK ? 1 : 0;
    if (fb != load<u8>(STATE, 2)) {
      store<u8>(STATE, fb, 2);
      store<u8>(LOCAL_BOX + 2 * n, ev.LOCAL_CONTACT);
      store<u8>(LOCAL_BOX + 2 * n, fb, 1);
      n++;
    }
  }
  store<u8>(STATE, <u8>f);
  return n;
}

/** The coil as driven (bit 0) and the contact feedback (bit 1), for tests. */
export function relayState(): u32 {
  return (mmio_read8(P1OUT) & COIL ? 1 : 0) | (mmio_read8(P1IN) & FEEDBACK ? 2 : 0);
}
