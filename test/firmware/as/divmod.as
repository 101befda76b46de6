// Test harness: the modules' division (firmware/lib/divmod.ts) with ordinary exports.
export { divmod } from '../../../firmware/lib/divmod';
import { rem } from '../../../firmware/lib/divmod';
export function t_rem(): u32 {
  return rem();
}
