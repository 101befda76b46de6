// Test harness: CS security's logic (firmware/cs/cs.ts) with ordinary exports.
export { csCommand, csReading } from '../../../firmware/cs/cs';
import { LOG_BOX, READING_BOX } from '../../../firmware/cs/cs';
export function t_log(): usize { return LOG_BOX; }
export function t_reading(): usize { return READING_BOX; }
