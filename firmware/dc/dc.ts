// DC security (seed §4.5 "Separate security modules": the data concentrator, which needs readings only for fraud
// detection, gets them "in such a way that [it] has access only to the aggregate and not to the individual
// values"). Privacy-friendly aggregation of Kursawe, Danezis and Kohlweiss (PETS 2011): meter i of a group of n
// shares a key k_ij with every other meter j and adds, for each half hour t, the mask
//     Σ_{j>i} PRF(k_ij, t) − Σ_{j<i} PRF(k_ij, t)   (mod 2^32)
// so that the masks cancel in the sum over the group and the concentrator learns only the feeder's total. The
// pairwise keys come from the central system, end to end through CS security (CMD_DC_KEY, one per message); a
// reading is sent only once every key of the group is installed — never unmasked.
// For the local market's settlement (seed chapter 6, §6.6.4: the evaluators take the meters' volumes as shares) it
// also Shamir-shares each period's reading for the three evaluators, degree 1 over p = 2^31 − 1 (host/mpc/field.ts):
// f(x) = Wh + a·x, share k = f(k), a = PRF(K_share, t) — any one share is uniform, two give the reading. Each share
// leaves on its own output, sealed under the key of that evaluator's connection, so no single evaluator, nor the
// concentrator or the runtime carrying them, sees a reading. K_share comes from the central system (CMD_DC_KEY with
// peer 0xff), which already receives the meter's readings itself (billing, seed §5.3.1): it learns nothing new.
import { prf } from '../lib/prf';
import { IN } from '../lib/events';

export const MAX_GROUP: u32 = 16;
const MASK: u32 = 0x6d61736b; // "mask"
const KEYS = memory.data(256); // the key shared with peer j at 16·j
const SHARE_KEY = memory.data(16);
// The state as bytes and a 16-bit word at constant addresses, not i32 globals (one MSP430 word per access; issue 18
// TCB, firmware/README.md "Size").
const STATE = memory.data(6);
const INDEX: usize = 0; //     this meter's index in its group (< MAX_GROUP once keyed)
const GROUP: usize = 1; //     the group's size (0: no key yet)
const KEYED: usize = 2; //     K_share installed
const INSTALLED: usize = 4; // u16, bit j: k_ij present
const SHARE: u32 = 0x73686172; // "shar"
const P: u32 = 0x7fffffff; // host/mpc/field.ts
/** The peer byte of CMD_DC_KEY that installs K_share instead of a pairwise key. */
const SHARE_PEER: u32 = 0xff;

// @ts-ignore: decorator
@inline function get(field: usize): u32 {
  return <u32>load<u8>(STATE + field);
}

/** What the concentrator gets: [90][index u8][group u8][0][t u32][masked Wh u32]. */
export const OUT_BOX = memory.data(12);

/** The evaluators' shares: three events [91][k u8][0][0][t u32][share u32], k = 1, 2, 3, at 12·(k − 1). */
export const SHARE_BOX = memory.data(36);

/** The 16 key bytes at IN + 4 to `to` (byte by byte: no copy helper, no alignment test). */
function takeKey(to: usize): void {
  for (let b: u32 = 0; b < 16; b++) store<u8>(to + b, load<u8>(IN + 4 + b));
}

/** At IN: [30][index u8][group u8][peer u8][key 16 B]; 0 = installed, 1 = malformed. A new index or group starts
 *  over. Peer 0xff: the key is K_share (index and group unused). `len` is at most the input buffer's 64 bytes. */
export function dcKey(len: i32): u32 {
  if ((<u32>len & 0x7f) != 20) return 1;
  const i = <u32>load<u8>(IN, 1);
  const n = <u32>load<u8>(IN, 2);
  const j = <u32>load<u8>(IN, 3);
  if (j == SHARE_PEER) {
    takeKey(SHARE_KEY);
    store<u8>(STATE + KEYED, 1);
    return 0;
  }
  // 2 ≤ n ≤ MAX_GROUP (one unsigned compare), i < n, j < n, j ≠ i
  if (n - 2 > MAX_GROUP - 2) return 1;
  if (i >= n) return 1;
  if (j >= n) return 1;
  if (j == i) return 1;
  if (i != get(INDEX) || n != get(GROUP)) {
    store<u8>(STATE + INDEX, <u8>i);
    store<u8>(STATE + GROUP, <u8>n);
    store<u16>(STATE + INSTALLED, 0);
    for (let b: u32 = 0; b < 256; b++) store<u8>(KEYS + b, 0);
  }
  takeKey(KEYS + ((j & 15) << 4)); // j < n ≤ 16: the mask changes nothing, proves the address
  store<u16>(STATE + INSTALLED, <u16>(<u32>load<u16>(STATE + INSTALLED) | (1 << j)));
  return 0;
}

/** A half-hourly reading from the core at IN ([t u32][Wh u32]…): fills OUT_BOX and returns 1, or 0 while keys are missing. */
export function dcReading(len: i32): u32 {
  const n = get(GROUP);
  if ((<u32>len & 0x7f) < 8 || n == 0) return 0;
  const index = get(INDEX);
  const all: u32 = ((1 << n) - 1) & ~(1 << index) & 0xffff;
  if (<u32>load<u16>(STATE + INSTALLED) != all) return 0;
  const t = load<u32>(IN);
  let v = load<u32>(IN, 4);
  // A constant bound (the test `j < n` inside): a 16-bit counter, every key address proven inside memory.
  for (let j: u32 = 0; j < MAX_GROUP; j++) {
    if (j < n && j != index) {
      const m = prf(KEYS + (j << 4), MASK, t);
      v = j > index ? v + m : v - m;
    }
  }
  store<u8>(OUT_BOX, 0x90);
  store<u8>(OUT_BOX, <u8>index, 1);
  store<u8>(OUT_BOX, <u8>n, 2);
  store<u8>(OUT_BOX, 0, 3);
  store<u32>(OUT_BOX, t, 4);
  store<u32>(OUT_BOX, v, 8);
  return 1;
}

function addP(x: u32, y: u32): u32 {
  const s = x + y; // both < 2^31: no overflow
  return s >= P ? s - P : s;
}

/** The same reading at IN ([t u32][Wh u32]…) as three Shamir shares in SHARE_BOX: 1, or 0 before K_share is set. */
export function dcShares(len: i32): u32 {
  if ((<u32>len & 0x7f) < 8 || get(KEYED) == 0) return 0;
  const t = load<u32>(IN);
  let v = load<u32>(IN, 4);
  while (v >= P) v -= P;
  let a = prf(SHARE_KEY, SHARE, t) & P;
  if (a == P) a = 0;
  for (let k: u32 = 0; k < 3; k++) {
    v = addP(v, a); // f(k + 1) = f(k) + a
    const o = SHARE_BOX + 12 * k;
    store<u32>(o, 0x91 | ((k + 1) << 8));
    store<u32>(o, t, 4);
    store<u32>(o, v, 8);
  }
  return 1;
}
