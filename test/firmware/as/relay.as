// Test harness: the relay driver's logic (firmware/relay/relay.ts) on the emulated board.
export { relaySet, relayPoll, relayState } from '../../../firmware/relay/relay';
import { LOCAL_BOX } from '../../../firmware/relay/relay';
export function t_box(): usize { return LOCAL_BOX; }
