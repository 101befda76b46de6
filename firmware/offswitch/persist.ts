// The off-switch's state across a reset (seed §4.6.3: state kept outside a module must be sealed; issue 18 item 3):
// the supply holds and what the button will release survive a power cycle, so a tamper lock (or a remote
// disconnect) is still in force after one, until its own authority lifts it.
//
// Where: 16 bytes of the board's non-volatile memory (boards/emulated.json "nvm", from 0x3000) — untrusted: any code
// may read or write them — as [version u32][sealed state 4 B][tag 8 B]: the state wrapped by the Sancus crypto unit
// under this module's own key (hasm.sancus_wrap with key 0: the module key SM_ENABLE derives from the node key and
// this module's identity, so only this module, on this node, with this text, can make or open a record) with the
// version, the slot and the length as associated data. Untrusted code can neither read the holds nor alter them: a
// changed byte fails the tag.
//
// Rollback: a sealed record stays valid to the crypto unit forever, so replaying an older one (say, from before the
// tamper) would undo a lock. The defence is the board's non-volatile monotonic counter ("nvcount", 0x01A0; it only
// counts up, a power cycle keeps it): each save writes version c + 1 and then advances the counter to c + 1; a load
// accepts only version c (the latest) or c + 1 (a save cut off by a power loss before the counter moved, finished
// now). What rollback can still do, and why it is harmless: advance the counter or erase, replay or alter the
// record — each makes the record not the latest, and the module then fails safe: it starts locked (the tamper hold)
// until the central system unlocks it; so an attacker with the untrusted code can cause a disconnect (which it can
// anyway: it can withhold every event), never lift one. A counter of 0 means nothing was ever saved on this board:
// the first start. Not defended: rolling back the counter chip itself (outside the model: it is the trust anchor),
// and a new firmware image — a new module identity, a new key — which cannot open the old record and so also
// starts locked.
import { mmio_read16, mmio_write16, sancus_unwrap, sancus_wrap } from '../../toolchain/compiler/lib/hasm';
import { copy_in } from '../lib/unprotected';

/** boards/emulated.json: the off-switch's record in the non-volatile memory, and the monotonic counter. */
const SLOT: u16 = 0x3000;
const COUNTER: u16 = 0x01a0;
const STATE_BYTES: u32 = 4;
const RECORD_BYTES: u32 = 16;

export const FRESH: u32 = 0; //       nothing ever saved on this board: the initial state
export const RESTORED: u32 = 1; //    the latest record, opened
export const ROLLED_BACK: u32 = 2; // a record that is not the latest (older, or the counter advanced)
export const TAMPERED: u32 = 3; //    a record whose tag does not match (altered, or another module's/identity's)

const RECORD = memory.data(16); // [version][cipher][tag]
const AD = memory.data(8); //      [version u32][slot u16][length u16]

function counter(): u32 {
  return <u32>mmio_read16(COUNTER) | (<u32>mmio_read16(COUNTER + 2) << 16);
}

function ad(version: u32): void {
  store<u32>(AD, version);
  store<u16>(AD, SLOT, 4);
  store<u16>(AD, <u16>STATE_BYTES, 6);
}

/** Opens the record into `state` (STATE_BYTES): FRESH, RESTORED, ROLLED_BACK or TAMPERED (state untouched then). */
export function loadState(state: usize): u32 {
  const c = counter();
  if (c == 0) return FRESH;
  if (!copy_in(RECORD, SLOT, RECORD_BYTES)) return TAMPERED;
  const v = load<u32>(RECORD);
  if (v != c && v != c + 1) return ROLLED_BACK;
  ad(v);
  if (sancus_unwrap(0, AD, 8, RECORD + 4, STATE_BYTES, state, RECORD + 4 + STATE_BYTES) != 1) return TAMPERED;
  if (v == c + 1) mmio_write16(COUNTER, 1); // finish the save a power loss interrupted
  return RESTORED;
}

/** Seals `state` (STATE_BYTES) as the latest record: record first, then the counter (see above). */
export function saveState(state: usize): void {
  const v = counter() + 1;
  ad(v);
  store<u32>(RECORD, v);
  if (sancus_wrap(0, AD, 8, state, STATE_BYTES, RECORD + 4, RECORD + 4 + STATE_BYTES) != 1) unreachable();
  mmio_write16(SLOT, load<u16>(RECORD));
  mmio_write16(SLOT + 2, load<u16>(RECORD, 2));
  mmio_write16(SLOT + 4, load<u16>(RECORD, 4));
  mmio_write16(SLOT + 6, load<u16>(RECORD, 6));
  mmio_write16(SLOT + 8, load<u16>(RECORD, 8));
  mmio_write16(SLOT + 10, load<u16>(RECORD, 10));
  mmio_write16(SLOT + 12, load<u16>(RECORD, 12));
  mmio_write16(SLOT + 14, load<u16>(RECORD, 14));
  mmio_write16(COUNTER, 1);
}
