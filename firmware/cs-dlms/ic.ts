// The DLMS server's own invocation counter never reused across resets (issue 19 item 1; Green Book §9.2.7.2.4.3:
// the GCM nonce — server system title ‖ IC — must never repeat under one key; seed §4.6.3: state across a reset).
// The board's non-volatile monotonic counter nvcount_cs (boards/emulated.json and emulated-dlms.json: counts
// up only, kept across resets and power cycles) counts the blocks of IC_BLOCK server counters ever reserved: every
// counter below count × IC_BLOCK may have been used before a reset, none at or above it has. A reservation advances
// the counter BEFORE the server may use the block (dlms_ic_granted), so a reset at any moment skips ahead, never back.
//
// No sealed record (lib/persist.ts) is needed: the count is not secret, and all untrusted code can do to it is
// advance it, which only skips counters. Pushed so far that count × IC_BLOCK no longer fits 32 bits, the server gets
// no counters and enciphers nothing (it refuses associations): fail safe, as persist.ts's rollback rule.
import { nvcount_cs } from '../lib/board';
import { copy_in, copy_out } from '../lib/unprotected';
import { dlms_ic_boot, dlms_ic_granted, dlms_ic_wanted, IC_BLOCK } from '../lib/dlms/server';

/** The largest count whose blocks still fit 32-bit counters. */
const MAX_BLOCKS: u32 = 0xffffffff / IC_BLOCK;
/** Counter steps per call: a floor far ahead is reached over several frames, never in one long entry call. */
const STEPS: u32 = 64;
const WORD = memory.data(4);

function blocks(): u32 {
  if (!copy_in(WORD, nvcount_cs(), 4)) unreachable();
  return load<u32>(WORD);
}

/** At configuration: the server starts above every counter it may have used before any reset, and at least at the
 *  central system's floor (CMD_DLMS part 1); then the first block is reserved. */
export function icStart(floor: u32): void {
  const b = blocks();
  const used = b > MAX_BLOCKS ? 0xffffffff : b * IC_BLOCK;
  dlms_ic_boot(used > floor ? used : floor);
  icReserve();
}

/** After each frame: the block the server asks for, reserved in the counter first, granted after. */
export function icReserve(): void {
  const want = dlms_ic_wanted();
  if (want == 0 || want > MAX_BLOCKS * IC_BLOCK) return;
  let b = blocks();
  for (let i: u32 = 0; i < STEPS && b * IC_BLOCK < want; i++) {
    store<u8>(WORD, 1);
    if (!copy_out(nvcount_cs(), WORD, 1)) unreachable(); // a write to CNT_LO adds one
    const n = blocks();
    if (n <= b) return; // saturated: nothing more can be reserved
    b = n;
  }
  if (b <= MAX_BLOCKS && b * IC_BLOCK >= want) dlms_ic_granted(b * IC_BLOCK);
}
