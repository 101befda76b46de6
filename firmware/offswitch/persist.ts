// The off-switch's state across a reset (seed §4.6.3; issue 18 item 3): the supply holds and what the button will
// release survive a power cycle, so a tamper lock (or a remote disconnect) is still in force after one, until its
// own authority lifts it. The record is lib/persist.ts's (sealed under this module's key, versioned by the board's
// monotonic counter); a record that is not the latest or not genuine makes the module start in the tamper lock
// (offswitch.ts offRestore): rollback can cause a disconnect, never lift one.
import { persistLoad, persistSave } from '../lib/persist';

/** boards/emulated.json: this module's record in the non-volatile memory ("nvm", 0x3000–0x31FF) and its monotonic
 *  counter ("nvcount"). */
const SLOT: usize = 0x3000;
const COUNTER: usize = 0x01a0;
const STATE_BYTES: u32 = 4;

export function loadState(state: usize): u32 {
  return persistLoad(SLOT, COUNTER, state, STATE_BYTES);
}

export function saveState(state: usize): void {
  persistSave(SLOT, COUNTER, state, STATE_BYTES);
}
