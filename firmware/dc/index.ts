// DC security (seed §4.5): readings for the data concentrator, masked so that only the feeder's sum is visible.
// Inputs: key (CS security: one pairwise key per event), reading (core). Output: masked (the data concentrator).
import { dcKey, dcReading, OUT_BOX } from './dc';

@external("output", "masked") declare function masked(data: usize, len: i32): void;

export function input_key(data: usize, len: i32): void {
  dcKey(data, <u32>len);
}

export function input_reading(data: usize, len: i32): void {
  if (dcReading(data, <u32>len)) masked(OUT_BOX, 12);
}
