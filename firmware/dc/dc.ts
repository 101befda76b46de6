// DC security (seed §4.5 "Separate security modules": the data concentrator, which needs readings only for fraud
// detection, gets them "in such a way that [it] has access only to the aggregate and not to the individual
// values"). Privacy-friendly aggregation of Kursawe, Danezis and Kohlweiss (PETS 2011): meter i of a group of n
// shares a key k_ij with every other meter j and adds, for each half hour t, the mask
//     Σ_{j>i} PRF(k_ij, t) − Σ_{j<i} PRF(k_ij, t)   (mod 2^32)
// so that the masks cancel in the sum over the group and the concentrator learns only the feeder's total. The
// pairwise keys come from the central system, end to end through CS security (CMD_DC_KEY, one per message); a
// reading is sent only once every key of the group is installed — never unmasked.
import { prf } from '../lib/prf';
import { IN } from '../lib/events';

export const MAX_GROUP: u32 = 16;
const MASK: u32 = 0x6d61736b; // "mask"
const KEYS = memory.data(256); // the key shared with peer j at 16·j
let index: u32 = 0;
let group: u32 = 0;
let installed: u32 = 0; // bit j: k_ij present

/** What the concentrator gets: [90][index u8][group u8][0][t u32][masked Wh u32]. */
export const OUT_BOX = memory.data(12);

/** At IN: [30][index u8][group u8][peer u8][key 16 B]; 0 = installed, 1 = malformed. A new index or group starts over. */
export function dcKey(len: i32): u32 {
  if (len != 20) return 1;
  const i = <u32>load<u8>(IN, 1);
  const n = <u32>load<u8>(IN, 2);
  const j = <u32>load<u8>(IN, 3);
  if (n < 2 || n > MAX_GROUP || i >= n || j >= n || j == i) return 1;
  if (i != index || n != group) {
    index = i;
    group = n;
    installed = 0;
    memory.fill(KEYS, 0, 256);
  }
  memory.copy(KEYS + 16 * j, IN + 4, 16);
  installed |= 1 << j;
  return 0;
}

/** A half-hourly reading from the core at IN ([t u32][Wh u32]…): fills OUT_BOX and returns 1, or 0 while keys are missing. */
export function dcReading(len: i32): u32 {
  if (len < 8 || group == 0) return 0;
  const all: u32 = ((1 << group) - 1) & ~(1 << index);
  if (installed != all) return 0;
  const t = load<u32>(IN);
  let v = load<u32>(IN, 4);
  for (let j: u32 = 0; j < group; j++) {
    if (j == index) continue;
    const m = prf(KEYS + 16 * j, MASK, t);
    v = j > index ? v + m : v - m;
  }
  store<u8>(OUT_BOX, 0x90);
  store<u8>(OUT_BOX, <u8>index, 1);
  store<u8>(OUT_BOX, <u8>group, 2);
  store<u8>(OUT_BOX, 0, 3);
  store<u32>(OUT_BOX, t, 4);
  store<u32>(OUT_BOX, v, 8);
  return 1;
}
