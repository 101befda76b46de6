// Test harness: the meter's PRF (firmware/lib/prf.ts).
export { speck64, prf } from '../../../firmware/lib/prf';
import { speckY } from '../../../firmware/lib/prf';
export function t_y(): u32 { return speckY; }
