// The UART's receive line with and without the board's "flow_control" (toolchain/emulator/peripherals/uart.ts):
// omsp_uart buffers one byte, so a byte that arrives before the firmware cleared RX pending overruns; with flow
// control the host's sender holds it until then (RTS/CTS), and every byte arrives in order, none lost.
import { describe, expect, it } from 'vitest';
import { Uart } from '../../toolchain/emulator/peripherals/uart.ts';

const BASE = 0x80;
const [STATUS, BAUD_LO, DATA_RX] = [BASE + 1, BASE + 2, BASE + 5];
const RX_PND = 0x10;
const RX_OVFLW = 0x20;

/** Sends `bytes` at once, then reads one byte every `gap` cycles (a firmware busy for longer than a frame). */
function receiveSlowly(flowControl: boolean, bytes: number[], gap: number) {
  const host = { now: 0, changed: () => {}, puc: () => {} };
  const u = new Uart(host, { base: BASE, irqRx: 7, irqTx: 6, flowControl });
  u.write(BAUD_LO, 9, true, 0); // 10 cycles a bit: 100 cycles a frame
  u.receive(bytes);
  const got: number[] = [];
  let overruns = 0;
  for (let t = gap; t <= 100 * (bytes.length + 2) + gap * (bytes.length + 2); t += gap) {
    host.now = t;
    u.advance(t);
    const s = u.read(STATUS, true);
    if (s & RX_OVFLW) overruns++;
    if (s & RX_PND) {
      got.push(u.read(DATA_RX, true));
      u.write(STATUS, RX_PND | RX_OVFLW, true, t);
    }
  }
  return { got, overruns };
}

describe('UART receive and flow control', () => {
  const bytes = [1, 2, 3, 4, 5, 6];
  it('without flow control, bytes a busy firmware did not take in time are lost (overrun)', () => {
    const r = receiveSlowly(false, bytes, 250);
    expect(r.overruns).toBeGreaterThan(0);
    expect(r.got.length).toBeLessThan(bytes.length);
  });
  it('with flow control, every byte arrives in order, none overruns', () => {
    expect(receiveSlowly(true, bytes, 250)).toEqual({ got: bytes, overruns: 0 });
  });
  it('with flow control and a firmware that keeps up, bytes come one frame apart as before', () => {
    expect(receiveSlowly(true, bytes, 50)).toEqual({ got: bytes, overruns: 0 });
    expect(receiveSlowly(false, bytes, 50)).toEqual({ got: bytes, overruns: 0 });
  });
});
