// Sealed state across a reset (seed §4.6.3: state kept outside a module must be sealed; issue 18 item 3), for any
// protected module: a record in the board's non-volatile memory (boards/emulated.json "nvm") — untrusted: any code
// may read or write it — as [version u32][sealed state][tag 8 B]: the state wrapped by the Sancus crypto unit under
// the calling module's own key (hasm.sancus_wrap with key 0: the module key SM_ENABLE derives from the node key and
// the module's identity, so only this module, on this node, with this text, can make or open a record), with the
// version, the slot and the length as associated data. Untrusted code can neither read the state nor alter it: a
// changed byte fails the tag.
//
// Rollback: a sealed record stays valid to the crypto unit forever, so replaying an older one (say, the off-switch's
// from before a tamper lock, or the DLMS server's invocation-counter reservation from before it was used up) would
// undo what the newer one says. The defence is a non-volatile monotonic counter of the board, one per record (it
// only counts up, a power cycle keeps it): each save writes version c + 1 and then advances the counter to c + 1; a
// load accepts only version c (the latest) or c + 1 (a save cut off by a power loss before the counter moved,
// finished now). What untrusted code can still do: advance the counter, or erase, replay or alter the record —
// each makes the record not the latest, and the caller must then fail safe (the off-switch starts locked; a DLMS
// server would start with no counters reserved). It can deny service (it can anyway: it can withhold every event),
// never make a module accept an older state. A counter of 0 means nothing was ever saved: the first start. Not
// defended: rolling back the counter chip itself (outside the model: it is the trust anchor); a new firmware image
// is a new module identity, hence a new key, which cannot open the old record (so it also fails safe).
import { sancus_unwrap, sancus_wrap } from '../../toolchain/compiler/lib/hasm';
import { copy_in, copy_out } from './unprotected';

export const FRESH: u32 = 0; //       nothing ever saved on this board: the caller's initial state
export const RESTORED: u32 = 1; //    the latest record, opened
export const ROLLED_BACK: u32 = 2; // a record that is not the latest (older, or the counter advanced)
export const TAMPERED: u32 = 3; //    a record whose tag does not match (altered, or another module's/identity's)

/** Largest state a record holds (bytes, even: the crypto unit works on words). */
export const MAX_STATE: u32 = 32;
const TAG: u32 = 8;
const RECORD = memory.data(4 + 32 + 8);
const AD = memory.data(8); //   [version u32][slot u16][length u16]
const WORD = memory.data(4);

/** The record's bytes in non-volatile memory for a state of `len` bytes. */
export function recordBytes(len: u32): u32 {
  return 4 + len + TAG;
}

function counter(at: usize): u32 {
  if (!copy_in(WORD, at, 4)) unreachable();
  return load<u32>(WORD);
}

function advance(at: usize): void {
  store<u8>(WORD, 1);
  if (!copy_out(at, WORD, 1)) unreachable(); // any write to the counter adds one
}

function ad(version: u32, slot: usize, len: u32): void {
  store<u32>(AD, version);
  store<u16>(AD, <u16>slot, 4);
  store<u16>(AD, <u16>len, 6);
}

/** Opens the record at `slot` (counter at `ctr`) into `state` (`len` bytes): FRESH, RESTORED, ROLLED_BACK or
 *  TAMPERED (state untouched then). */
export function persistLoad(slot: usize, ctr: usize, state: usize, len: u32): u32 {
  if (len == 0 || len > MAX_STATE || len & 1) unreachable();
  const c = counter(ctr);
  if (c == 0) return FRESH;
  if (!copy_in(RECORD, slot, <i32>recordBytes(len))) return TAMPERED;
  const v = load<u32>(RECORD);
  if (v - c > 1) return ROLLED_BACK; // neither c nor c + 1 (one unsigned compare)
  ad(v, slot, len);
  if ((sancus_unwrap(0, AD, 8, RECORD + 4, len, state, RECORD + 4 + len) & 0xffff) != 1) return TAMPERED; // 1 or 0: one word
  if (v != c) advance(ctr); // v = c + 1: finish the save a power loss interrupted
  return RESTORED;
}

/** Seals `state` (`len` bytes) as the latest record at `slot`: the record first, then the counter (see above). */
export function persistSave(slot: usize, ctr: usize, state: usize, len: u32): void {
  if (len == 0 || len > MAX_STATE || len & 1) unreachable();
  const v = counter(ctr) + 1;
  ad(v, slot, len);
  store<u32>(RECORD, v);
  if ((sancus_wrap(0, AD, 8, state, len, RECORD + 4, RECORD + 4 + len) & 0xffff) != 1) unreachable();
  if (!copy_out(slot, RECORD, <i32>recordBytes(len))) unreachable();
  advance(ctr);
}
