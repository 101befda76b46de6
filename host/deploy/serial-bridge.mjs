// Child process of serial-port.ts: owns the `serialport` SerialPort and answers the loader's synchronous requests
// over two FIFOs. It is a process, not a worker thread, because @serialport/bindings-cpp polls the line on the
// main thread's event loop (poller.cpp: uv_default_loop), which a caller blocked in a synchronous read never runs.
// Request: u32 length, u32 answer bytes expected, u32 timeout ms, the bytes. Reply: u8 status (1 ok, 2 error),
// u32 length, the answer bytes (or the error text). The first reply (no request) says whether the port opened.
// Plain JavaScript so Node starts it without a TypeScript loader. Usage: serial-bridge.mjs PATH BAUD REQ RESP
import { createReadStream, createWriteStream } from 'node:fs';
import { SerialPort } from 'serialport';

const [path, baud, reqPath, respPath] = process.argv.slice(2);
const req = createReadStream(reqPath);
const resp = createWriteStream(respPath);
let rx = [];
let want = -1;
let timer;

function reply(status, bytes) {
  clearTimeout(timer);
  want = -1;
  const head = Buffer.alloc(5);
  head.writeUInt8(status, 0);
  head.writeUInt32LE(bytes.length, 1);
  resp.write(Buffer.concat([head, Buffer.from(bytes)]));
}
const fail = (msg) => reply(2, [...Buffer.from(`${path}: ${msg}`)]);
const check = () => {
  if (want >= 0 && rx.length >= want) reply(1, rx.splice(0, want));
};

const port = new SerialPort({ path, baudRate: Number(baud), autoOpen: false });
port.on('data', (b) => {
  rx.push(...b);
  check();
});
port.on('error', (e) => fail(e.message));
port.open((err) => (err ? fail(err.message) : reply(1, [])));

function exchange(bytes, expect, timeoutMs) {
  if (rx.length > 0) {
    fail(`${rx.length} unexpected byte(s) from the debug interface before a request`);
    rx = [];
    return;
  }
  port.write(bytes, (err) => {
    if (err) return fail(err.message);
    port.drain((e) => {
      if (e) return fail(e.message);
      want = expect;
      timer = setTimeout(() => fail(`${rx.length} of ${expect} answer byte(s) within ${timeoutMs} ms`), timeoutMs);
      check();
    });
  });
}

let pending = Buffer.alloc(0);
req.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 12) {
    const n = pending.readUInt32LE(0);
    if (pending.length < 12 + n) return;
    exchange(pending.subarray(12, 12 + n), pending.readUInt32LE(4), pending.readUInt32LE(8));
    pending = pending.subarray(12 + n);
  }
});
// The loader closed its end: close the line and leave.
req.on('end', () => port.close(() => process.exit(0)));
