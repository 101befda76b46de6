// Test harness: the meter core's logic (firmware/core/core.ts) with ordinary exports.
export { coreTick, coreEnergy, coreCommand, coreGet } from '../../../firmware/core/core';
import { CREDIT_BOX, SEC_BOX, MET_BOX, READING_BOX, HAN_BOX, APPLIANCE_BOX, REPLY_BOX, coreOuts } from '../../../firmware/core/core';
/** What the module's inputs send after a handler (firmware/core/index.ts emit): must equal the handler's result. */
export function t_outs(): u32 {
  return coreOuts();
}
export function t_box(i: i32): usize {
  return i == 0 ? CREDIT_BOX : i == 1 ? SEC_BOX : i == 2 ? MET_BOX : i == 3 ? READING_BOX : i == 4 ? HAN_BOX : i == 5 ? APPLIANCE_BOX : REPLY_BOX;
}
