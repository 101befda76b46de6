// Test harness: DC security's logic (firmware/dc/dc.ts) with ordinary exports.
export { dcKey, dcReading, dcShares } from '../../../firmware/dc/dc';
import { OUT_BOX, SHARE_BOX } from '../../../firmware/dc/dc';
export function t_out(): usize { return OUT_BOX; }
export function t_shares(): usize { return SHARE_BOX; }
