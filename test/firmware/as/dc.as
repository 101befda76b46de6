// Test harness: DC security's logic (firmware/dc/dc.ts) with ordinary exports.
export { dcKey, dcReading } from '../../../firmware/dc/dc';
import { OUT_BOX } from '../../../firmware/dc/dc';
export function t_out(): usize { return OUT_BOX; }
