// The relay driver module: owns ports P1/P2 (0x0020–0x002F: relay coil and feedback, tamper switch, reconnect
// button; its protected data, issue 18 item 3). Entry: poll() — the protected scheduler calls it every 250 ms
// (firmware/meter.json: the tamper lock's 0.5 s deadline, issue 20); returns the local events sent. Input: relay
// (off-switch module only: [on u8][0]). Output: local (off-switch module: tamper, button, contact feedback).
import { relaySet, relayPoll, LOCAL_BOX } from './relay';
import { IN } from '../lib/events';

@external("output", "local") declare function local(data: usize, len: i32): void;

export function input_relay(data: usize, len: i32): void {
  if (data == IN) relaySet(len);
}

export function poll(): i32 {
  const n = relayPoll();
  for (let i: u32 = 0; i < n; i++) local(LOCAL_BOX + 2 * i, 2);
  return <i32>n;
}
