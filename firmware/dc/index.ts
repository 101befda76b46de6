// DC security (seed §4.5): readings for the data concentrator, masked so that only the feeder's sum is visible.
// Inputs: key (CS security: one pairwise key per event), reading (core). Outputs: masked (the data concentrator),
// share1..3 (the three market evaluators, seed chapter 6: each its own share of the reading).
import { dcKey, dcReading, dcShares, OUT_BOX, SHARE_BOX } from './dc';

@external("output", "masked") declare function masked(data: usize, len: i32): void;
@external("output", "share1") declare function share1(data: usize, len: i32): void;
@external("output", "share2") declare function share2(data: usize, len: i32): void;
@external("output", "share3") declare function share3(data: usize, len: i32): void;

// Each input's plaintext is at IN, where the module runtime, an input's only caller, unwraps it (`data` is always
// IN: toolchain/sancus/module/compiled.ts INPUT_OFFSET), so `data` needs no test — the logic reads at the constant IN.
export function input_key(data: usize, len: i32): void {
  dcKey(len);
}

export function input_reading(data: usize, len: i32): void {
  // Both boxes are filled before any output (the four outputs fill the runtime's four outbox slots of this call).
  const shares = dcShares(len);
  if (dcReading(len)) masked(OUT_BOX, 12);
  if (shares) {
    share1(SHARE_BOX, 12);
    share2(SHARE_BOX + 12, 12);
    share3(SHARE_BOX + 24, 12);
  }
}
