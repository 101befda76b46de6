// A DebugPort (debug-loader.ts) over a real serial line, for an FPGA board's openMSP430 serial debug interface
// (omsp_dbg_uart.v). The loader's port is synchronous, `serialport` is not: the port lives in a child process
// (serial-bridge.mjs, why not a worker thread is said there) and each exchange is a blocking write and read on a
// pair of FIFOs. How many bytes
// answer a request follows from the frames themselves (DebugFrames below), so no quiet-time guessing is needed.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../../toolchain/common/errors.ts';
import type { DebugPort } from './debug-loader.ts';

export interface SerialOptions {
  /** Device path, e.g. /dev/ttyUSB0. */
  path: string;
  baud: number;
  /**
   * Send the synchronisation frame 0x80 first (default true): omsp_dbg_uart.v built with DBG_UART_AUTO_SYNC measures
   * the baud rate on it and sends nothing back.
   */
  sync?: boolean;
  /** Per exchange (default 2000 ms). */
  timeoutMs?: number;
  /** waitHalted gives up after this long (default 10000 ms). */
  haltTimeoutMs?: number;
}

const WR = 0x80, BW = 0x40;
const CPU_STAT = 0x03, MEM_CTL = 0x04, MEM_CNT = 0x07;
const MEM_START = 0x01, MEM_WRITE = 0x02, MEM_BYTE = 0x08;

/**
 * The debug interface's framing as the host sees it (omsp_dbg_uart.v; openMSP430 "Serial Debug Interface"): a command
 * byte [WR | BW | reg]; a write carries 1 (BW) or 2 data bytes and is not answered, a read is answered with 1 or 2;
 * MEM_CTL with START and MEM_CNT ≠ 0 opens a burst of MEM_CNT + 1 transfers: written ones are bare data from the
 * host, read ones are sent at once. Counts the answer bytes a chunk of host bytes asks for.
 */
export class DebugFrames {
  private memCnt = 0;
  private burst: { left: number; byte: boolean } | undefined;

  answerBytes(bytes: readonly number[]): number {
    let answer = 0;
    let i = 0;
    const need = (n: number) => {
      if (i + n > bytes.length) throw new OperationError(`debug frames: a frame is cut at the end of an exchange (${bytes.length} bytes)`);
    };
    while (i < bytes.length) {
      if (this.burst) {
        const n = this.burst.byte ? 1 : 2;
        need(n);
        i += n;
        if (--this.burst.left === 0) this.burst = undefined;
        continue;
      }
      const cmd = bytes[i++]!;
      const n = cmd & BW ? 1 : 2;
      const reg = cmd & 0x3f;
      if (!(cmd & WR)) {
        answer += n;
        continue;
      }
      need(n);
      const v = n === 1 ? bytes[i]! : bytes[i]! | (bytes[i + 1]! << 8);
      i += n;
      if (reg === MEM_CNT) this.memCnt = v;
      else if (reg === MEM_CTL && v & MEM_START && this.memCnt !== 0) {
        const left = this.memCnt + 1;
        const byte = (v & MEM_BYTE) !== 0;
        this.memCnt = 0; // the unit counts MEM_CNT down to 0 during the burst
        if (v & MEM_WRITE) this.burst = { left, byte };
        else answer += left * (byte ? 1 : 2);
      }
    }
    return answer;
  }
}

export interface SerialDebugPort extends DebugPort {
  close(): void;
}

/** Opens the line (blocking until it is open) and returns the port. */
export function openSerialDebugPort(o: SerialOptions): SerialDebugPort {
  const timeoutMs = o.timeoutMs ?? 2000;
  const dir = mkdtempSync(join(tmpdir(), 'hasm-serial-'));
  const reqPath = join(dir, 'req');
  const respPath = join(dir, 'resp');
  execFileSync('mkfifo', [reqPath, respPath]);
  const bridge = spawn(process.execPath, [fileURLToPath(new URL('./serial-bridge.mjs', import.meta.url)), o.path, String(o.baud), reqPath, respPath],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  bridge.unref();
  // Blocking opens: each returns once the bridge has opened the other end.
  const req = openSync(reqPath, 'w');
  const resp = openSync(respPath, 'r');
  const frames = new DebugFrames();

  const readFully = (n: number, what: string): Buffer => {
    const b = Buffer.alloc(n);
    for (let got = 0; got < n; ) {
      const k = readSync(resp, b, got, n - got, null);
      if (k === 0) throw new OperationError(`serial ${o.path}: the port bridge exited (${what})`, { path: o.path });
      got += k;
    }
    return b;
  };
  const answer = (what: string): number[] => {
    const head = readFully(5, what);
    const body = readFully(head.readUInt32LE(1), what);
    if (head[0] !== 1) throw new OperationError(`serial debug port: ${body.toString()} (${what})`, { path: o.path });
    return [...body];
  };
  const send = (bytes: number[], expect: number): number[] => {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(bytes.length, 0);
    head.writeUInt32LE(expect, 4);
    head.writeUInt32LE(timeoutMs, 8);
    writeSync(req, Buffer.concat([head, Buffer.from(bytes)]));
    return answer(`${bytes.length} byte(s) sent, ${expect} expected`);
  };

  answer('open');
  if (o.sync ?? true) send([0x80], 0);

  const sleep = new Int32Array(new SharedArrayBuffer(4));
  return {
    exchange(bytes) {
      return send(bytes, frames.answerBytes(bytes));
    },
    waitHalted() {
      // A real CPU runs on its own clock: poll CPU_STAT.HALT_RUN (bit 0) until the breakpoint has stopped it.
      const limit = o.haltTimeoutMs ?? 10_000;
      const until = Date.now() + limit;
      for (;;) {
        if (send([CPU_STAT], 2)[0]! & 1) return;
        if (Date.now() > until) throw new OperationError(`serial ${o.path}: the CPU did not stop within ${limit} ms`, { path: o.path });
        Atomics.wait(sleep, 0, 0, 2);
      }
    },
    close() {
      closeSync(req); // the bridge sees the end of its requests, closes the line and exits:
      const b = Buffer.alloc(64);
      while (readSync(resp, b, 0, b.length, null) > 0); // wait for that, so the line's lock is free on return
      closeSync(resp);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
