// DC security (seed §4.5): readings for the data concentrator, masked so that only the feeder's sum is visible.
// Inputs: key (CS security: one pairwise key per event), reading (core). Output: masked (the data concentrator).
import { dcKey, dcReading, OUT_BOX } from './dc';
import { IN } from '../lib/events';

@external("output", "masked") declare function masked(data: usize, len: i32): void;

// Each input's plaintext is at IN (the generated input path's buffer); anything else is not an event.
export function input_key(data: usize, len: i32): void {
  if (data == IN) dcKey(len);
}

export function input_reading(data: usize, len: i32): void {
  if (data == IN && dcReading(len)) masked(OUT_BOX, 12);
}

// The module's last static data, non-zero: the compiler maps linear memory up to the last non-zero data byte plus
// the heap, so this byte makes it map every zero-filled region above it (test/firmware/repro/zero-static-data.as).
const STATIC_END = memory.data<u8>([0xa5]);
