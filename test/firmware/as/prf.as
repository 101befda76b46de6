// Test harness: the meter's PRF (firmware/lib/prf.ts).
export { prf } from '../../../firmware/lib/prf';
import { sancus_wrap } from '../../../toolchain/compiler/lib/hasm';
/** The intrinsic itself, for its bounds checks and refusals. */
export function t_wrap(key: usize, ad: usize, adLen: usize, body: usize, bodyLen: usize, cipher: usize, tag: usize): i32 {
  return sancus_wrap(key, ad, adLen, body, bodyLen, cipher, tag);
}
