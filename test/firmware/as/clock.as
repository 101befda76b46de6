// Test harness: the clock driver's logic (firmware/clock/clock.ts) on the emulated board.
export { clockPoll, clockSet, clockNow } from '../../../firmware/clock/clock';
