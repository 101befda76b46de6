// The host's side of the meter's PRF (firmware/lib/prf.ts): the first 32 bits of the Sancus crypto unit's wrap tag
// under the key's first 8 bytes, AD = domain ‖ t (little-endian u32s), no body — computed with toolchain/sancus's
// SpongeWrap model (hardware semantics), so the data concentrator's tests cancel the meters' masks and the central
// system's recompute the pseudonyms with the very function the meters' crypto units compute.
import { wrap } from '../../toolchain/sancus/index.ts';

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export function prf(key: Uint8Array, domain: number, t: number): number {
  const { tag } = wrap(key.slice(0, 8), Uint8Array.from([...u32le(domain), ...u32le(t)]), new Uint8Array(0));
  return (tag[0]! | (tag[1]! << 8) | (tag[2]! << 16) | (tag[3]! << 24)) >>> 0;
}
