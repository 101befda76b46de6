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
