// Test harness: the HAN gateway module itself (firmware/han/index.ts has no outputs) and its framing.
export { input_status, input_appliance } from '../../../firmware/han/index';
export { hanStatus, hanAppliance } from '../../../firmware/han/han';
import { FRAME } from '../../../firmware/han/han';
export function t_frame(): usize { return FRAME; }
export function t_idle(): i32 { return 0; }
