// The metrology driver module: owns the ADE7953 register window 0x0180–0x0187 (its protected data, issue 18 item 3).
// Entry: poll() — the runtime calls it periodically and on the front end's IRQ; returns 1 when energy was sent.
// Output: energy (core: [Wh u32][W u32]).
import { metrologyPoll, ENERGY_BOX } from './metrology';

@external("output", "energy") declare function energy(data: usize, len: i32): void;

export function poll(): i32 {
  if (!metrologyPoll()) return 0;
  energy(ENERGY_BOX, 8);
  return 1;
}

// The module's last static data, non-zero: the compiler maps linear memory up to the last non-zero data byte plus
// the heap, so this byte makes it map every zero-filled region above it (test/firmware/repro/zero-static-data.as).
const STATIC_END = memory.data<u8>([0xa5]);
