// The off-switch's state across a reset (seed §4.6.3; issue 18 item 3): the supply holds and what the button will
// release survive a power cycle, so a tamper lock (or a remote disconnect) is still in force after one, until its
// own authority lifts it. The record is lib/persist.ts's (sealed under this module's key, versioned by the board's
// monotonic counter); a record that is not the latest or not genuine makes the module start in the tamper lock
// (offswitch.ts offRestore): rollback can cause a disconnect, never lift one.
import { nvcount, nvm } from '../lib/board';
import { persistLoad, persistSave } from '../lib/persist';

// This module's record: the start of the board's non-volatile memory ("nvm"), versioned by its monotonic counter
// ("nvcount") — both where the board file puts them.
const STATE_BYTES: u32 = 4;

export function loadState(state: usize): u32 {
  return persistLoad(nvm(), nvcount(), state, STATE_BYTES);
}

export function saveState(state: usize): void {
  persistSave(nvm(), nvcount(), state, STATE_BYTES);
}
