// Test harness: the logs module's logic (firmware/logs/logs.ts) with ordinary exports.
export { logsTick, logsAppend, logsRead, logsField } from '../../../firmware/logs/logs';
import { REPLY } from '../../../firmware/logs/logs';
export function t_reply(): usize { return REPLY; }

