// Test harness for serial-port.test.ts: serves the emulated board's openMSP430 serial debug interface (DebugUart)
// on one end of a pseudo-terminal pair, as an FPGA board's omsp_dbg_uart would on its serial line. Drops the
// 0x80 synchronisation frame first (DBG_UART_AUTO_SYNC: it answers nothing). Prints "ready" once the port is open.
// Usage: tsx test/sancus/serial-harness.ts PTY BAUD
import { SerialPort } from 'serialport';
import { loadBoard } from '../../boards/board.ts';
import { DebugUart } from '../../toolchain/emulator/debug-uart.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';

const [path, baud] = process.argv.slice(2);
if (!path || !baud) throw new Error('usage: serial-harness.ts PTY BAUD');
const m = new Machine(loadBoard('emulated'));
attachSancus(m);
const d = new DebugUart(m);
const port = new SerialPort({ path, baudRate: Number(baud) });
let synced = false;
d.onSend = (b) => {
  if (process.env.HARNESS_DEBUG) process.stderr.write(`harness tx ${b.join(",")}\n`);
  port.write(Buffer.from(b));
};
port.on('open', () => process.stdout.write('ready\n'));
port.on('error', (e) => {
  process.stderr.write(`harness: ${e.message}\n`);
  process.exit(1);
});
port.on('data', (chunk: Buffer) => {
  if (process.env.HARNESS_DEBUG) process.stderr.write(`harness rx ${[...chunk].join(",")}\n`);
  let bytes = [...chunk];
  if (!synced) {
    if (bytes[0] !== 0x80) throw new Error(`harness: expected the sync frame 0x80, got 0x${bytes[0]!.toString(16)}`);
    bytes = bytes.slice(1);
    synced = true;
  }
  d.receive(bytes);
  // The released CPU runs (in emulated time) until a breakpoint stops it, before the next request is read.
  if (!d.isHalted) d.run(m.cycle + 5_000_000);
});
