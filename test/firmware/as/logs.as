// Test harness: the logs module's logic (firmware/logs/logs.ts) with ordinary exports.
export { logsTick, logsAppend, logsRead, logsField, logsQuery } from '../../../firmware/logs/logs';
import { ANSWER, REPLY } from '../../../firmware/logs/logs';
export function t_reply(): usize { return REPLY; }
export function t_answer(): usize { return ANSWER; }

