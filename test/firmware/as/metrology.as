// Test harness: the metrology driver's logic (firmware/metrology/metrology.ts) on the emulated board.
export { metrologyPoll } from '../../../firmware/metrology/metrology';
import { ENERGY_BOX } from '../../../firmware/metrology/metrology';
export function t_box(): usize { return ENERGY_BOX; }
