// Test harness: the off-switch module's logic (firmware/offswitch/offswitch.ts) with ordinary exports.
export { offCommand, offCredit, offLocal, offState } from '../../../firmware/offswitch/offswitch';
import { RELAY_BOX, LOG_BOX } from '../../../firmware/offswitch/offswitch';
export function t_relay(): usize { return RELAY_BOX; }
export function t_log(): usize { return LOG_BOX; }
