// The meter's pseudo-random function, from the Sancus crypto unit (issue 18 item 3, DC security): PRF(k, d, t) = the
// first 32 bits (little-endian) of the tag of SM_AE_WRAP under k with associated data d ‖ t and no body — a keyed
// SPONGENT sponge over the input, the unit's MAC, which is a PRF under the sponge's assumptions. Used for the
// pairwise aggregation masks (Kursawe et al. 2011, firmware/dc) and the pseudonyms and omissions of seed §5.3.7
// (firmware/cs). Keys: the callers keep 16-byte keys; the unit's key is 8 bytes (SECURITY = 64, the Sancus build
// the boards describe), so the PRF keys on the first 8 — the unit's security level, not more. The host recomputes
// the same function with toolchain/sancus's SpongeWrap model (test/firmware/prf-oracle.ts).
import { sancus_wrap } from '../../toolchain/compiler/lib/hasm';

const AD = memory.data(8);
const TAG = memory.data(8);

/** PRF(k, domain, t): `key` is a linear-memory offset (never 0: that would ask for the module's own key); `domain`
 *  separates the uses of one key (masks, pseudonyms, omissions). */
export function prf(key: usize, domain: u32, t: u32): u32 {
  if (key == 0) unreachable();
  store<u32>(AD, domain);
  store<u32>(AD, t, 4);
  // AD is 8 bytes, so the unit cannot refuse for empty ranges; with a key pointer it needs no module either.
  if (sancus_wrap(key, AD, 8, 0, 0, 0, TAG) != 1) unreachable();
  return load<u32>(TAG);
}
