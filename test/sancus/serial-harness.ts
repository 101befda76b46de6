// Test harness for serial-port.test.ts: serves the emulated board's openMSP430 serial debug interface (DebugUart)
// on one end of a pseudo-terminal pair, as an FPGA board's omsp_dbg_uart would on its serial line. Drops the
// 0x80 synchronisation frame first (DBG_UART_AUTO_SYNC: it answers nothing). With a third argument it also serves
// the board's WAN UART on a second pseudo-terminal (the firmware runtime's line, serial-wan.test.ts): bytes in are
// the UART's receive line; the CPU, once the debugger let it run, runs in virtual time until it has been quiet for
// a while. Prints "ready" once the ports are open.
// Usage: tsx test/sancus/serial-harness.ts PTY BAUD [WAN_PTY]
import { SerialPort } from 'serialport';
import { loadBoard } from '../../boards/board.ts';
import { DebugUart } from '../../toolchain/emulator/debug-uart.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import type { Uart } from '../../toolchain/emulator/peripherals/uart.ts';

const [path, baud, wanPath] = process.argv.slice(2);
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
let open = wanPath ? 2 : 1;
const opened = () => --open === 0 && process.stdout.write('ready\n');
port.on('open', opened);
if (wanPath) {
  const wan = new SerialPort({ path: wanPath, baudRate: Number(baud) });
  const uart = m.deviceByName.get('wan') as Uart;
  let sent = 0;
  uart.onTransmit = (b) => {
    sent++;
    wan.write(Buffer.from([b]));
  };
  wan.on('open', opened);
  wan.on('error', (e) => {
    process.stderr.write(`harness wan: ${e.message}\n`);
    process.exit(1);
  });
  wan.on('data', (chunk: Buffer) => {
    if (process.env.HARNESS_DEBUG) process.stderr.write(`harness wan rx ${[...chunk].join(',')} halted=${d.isHalted} pc=${m.r[0]!.toString(16)} sr=${m.r[2]!.toString(16)}\n`);
    uart.receive(chunk);
    // Run until the runtime sleeps (CPUOFF) with nothing sent for two slices, i.e. it has taken every byte and
    // answered (or a generous bound).
    const start = m.cycle;
    for (let quiet = 0; quiet < 2 && m.cycle - start < 400_000_000 && !d.isHalted; ) {
      const before = sent;
      d.run(m.cycle + 100_000);
      // Quiet: nothing sent, the CPU asleep, and no received byte still on its way in (a long frame takes longer
      // than two slices at the line's baud rate: the runtime sleeps between its bytes).
      quiet = sent === before && (m.r[2]! & 0x10) !== 0 && uart.nextEvent() === Infinity ? quiet + 1 : 0;
    }
  });
}
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
