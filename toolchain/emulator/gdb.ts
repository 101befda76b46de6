// GDB remote serial protocol stub on a local TCP port (`hasm run --gdb PORT`): registers, memory, step, continue,
// software/hardware breakpoints, Ctrl-C. The target description (16 registers of 16 bits, architecture msp430) is
// served with qXfer:features:read, so gdb needs no built-in register layout. Packets: GDB manual, appendix E.
import { createServer, type Socket } from 'node:net';
import type { Machine, RunResult } from './machine.ts';

const TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>msp430</architecture>
  <feature name="org.gnu.gdb.msp430.core">
${Array.from({ length: 16 }, (_, i) => `    <reg name="${['pc', 'sp', 'sr', 'cg'][i] ?? `r${i}`}" bitsize="16" type="${i === 0 ? 'code_ptr' : i === 1 ? 'data_ptr' : 'uint16'}" regnum="${i}"/>`).join('\n')}
  </feature>
</target>
`;

const hex2 = (v: number) => (v & 0xff).toString(16).padStart(2, '0');
const le16 = (v: number) => hex2(v) + hex2(v >> 8);

function checksum(s: string): string {
  let c = 0;
  for (let i = 0; i < s.length; i++) c = (c + s.charCodeAt(i)) & 0xff;
  return hex2(c);
}

export interface GdbOptions {
  maxCycles?: number;
  /** Called once the port listens (tests connect then). */
  onListening?: (port: number) => void;
}

/** Serves one gdb connection; resolves with the machine's last run result when gdb detaches or kills. */
export function serveGdb(m: Machine, port: number, opts: GdbOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => opts.onListening?.((server.address() as { port: number }).port));
    server.once('connection', (sock: Socket) => {
      server.close();
      new GdbSession(m, sock, opts, (r) => resolve(r)).start();
    });
  });
}

class GdbSession {
  private buf = '';
  private running = false;
  private interrupted = false;
  private last: RunResult;
  private noAck = false;

  constructor(
    private readonly m: Machine,
    private readonly sock: Socket,
    private readonly opts: GdbOptions,
    private readonly done: (r: RunResult) => void,
  ) {
    this.last = { stop: 'stopped', cycles: m.cycle, instructions: m.instructions, pc: m.r[0]! };
  }

  start(): void {
    this.sock.setEncoding('latin1');
    this.sock.on('data', (d: string) => this.onData(d));
    this.sock.on('close', () => this.done(this.last));
  }

  private send(payload: string): void {
    this.sock.write(`$${payload}#${checksum(payload)}`);
  }

  private onData(d: string): void {
    this.buf += d;
    for (;;) {
      if (this.buf.startsWith('\x03')) {
        this.buf = this.buf.slice(1);
        this.interrupted = true;
        continue;
      }
      if (this.buf[0] === '+' || this.buf[0] === '-') {
        this.buf = this.buf.slice(1);
        continue;
      }
      const start = this.buf.indexOf('$');
      if (start < 0) {
        this.buf = '';
        return;
      }
      const end = this.buf.indexOf('#', start);
      if (end < 0 || this.buf.length < end + 3) return;
      const payload = this.buf.slice(start + 1, end);
      this.buf = this.buf.slice(end + 3);
      if (!this.noAck) this.sock.write('+');
      this.handle(payload);
    }
  }

  private stopReply(r: RunResult): string {
    if (r.stop === 'invalid') return 'S04'; // SIGILL
    return 'S05'; // SIGTRAP: breakpoint, step, halt, limit
  }

  private handle(p: string): void {
    const m = this.m;
    const cmd = p[0];
    if (p.startsWith('qSupported')) return this.send('PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+');
    if (p === 'QStartNoAckMode') {
      this.send('OK');
      this.noAck = true;
      return;
    }
    if (p.startsWith('qXfer:features:read:target.xml:')) {
      const [off, len] = p.split(':')[4]!.split(',').map((x) => parseInt(x, 16)) as [number, number];
      const chunk = TARGET_XML.slice(off, off + len);
      return this.send((off + len >= TARGET_XML.length ? 'l' : 'm') + chunk);
    }
    if (p === 'qAttached') return this.send('1');
    if (p === 'qC') return this.send('QC1');
    if (p === 'qfThreadInfo') return this.send('m1');
    if (p === 'qsThreadInfo') return this.send('l');
    if (p.startsWith('H')) return this.send('OK');
    if (cmd === '?') return this.send(this.stopReply(this.last));
    if (cmd === 'g') return this.send(Array.from(m.r, le16).join(''));
    if (cmd === 'G') {
      for (let i = 0; i < 16; i++) m.r[i] = parseInt(p.slice(1 + 4 * i + 2, 1 + 4 * i + 4) + p.slice(1 + 4 * i, 1 + 4 * i + 2), 16);
      return this.send('OK');
    }
    if (cmd === 'p') {
      const n = parseInt(p.slice(1), 16);
      return this.send(n < 16 ? le16(m.r[n]!) : 'E01');
    }
    if (cmd === 'P') {
      const [n, v] = p.slice(1).split('=') as [string, string];
      const reg = parseInt(n, 16);
      if (reg >= 16) return this.send('E01');
      m.r[reg] = parseInt(v.slice(2, 4) + v.slice(0, 2), 16);
      return this.send('OK');
    }
    if (cmd === 'm') {
      const [a, l] = p.slice(1).split(',').map((x) => parseInt(x, 16)) as [number, number];
      let out = '';
      for (let i = 0; i < l; i++) out += hex2(m.bus.mem[(a + i) & 0xffff]!);
      return this.send(out);
    }
    if (cmd === 'M') {
      const [where, data] = p.slice(1).split(':') as [string, string];
      const [a] = where.split(',').map((x) => parseInt(x, 16)) as [number];
      for (let i = 0; i < data.length / 2; i++) m.bus.poke((a + i) & 0xffff, parseInt(data.slice(2 * i, 2 * i + 2), 16));
      return this.send('OK');
    }
    if (cmd === 'Z' || cmd === 'z') {
      const [type, addr] = p.slice(1).split(',');
      if (type !== '0' && type !== '1') return this.send(''); // watchpoints: not supported
      const a = parseInt(addr!, 16);
      if (cmd === 'Z') m.setBreakpoint(a);
      else m.clearBreakpoint(a);
      return this.send('OK');
    }
    if (cmd === 's') {
      this.last = m.step();
      return this.send(this.stopReply(this.last));
    }
    if (cmd === 'c') return this.cont();
    if (cmd === 'k') {
      this.sock.end();
      return;
    }
    if (cmd === 'D') {
      this.send('OK');
      this.sock.end();
      return;
    }
    if (p.startsWith('vCont?')) return this.send('');
    if (p.startsWith('vMustReplyEmpty')) return this.send('');
    this.send(''); // unsupported packet
  }

  /** Continues in slices so a Ctrl-C from gdb is seen between them. */
  private cont(): void {
    if (this.running) return;
    this.running = true;
    this.interrupted = false;
    const slice = () => {
      const limit = this.opts.maxCycles ?? Infinity;
      const r = this.m.run({ maxCycles: Math.min(limit, this.m.cycle + 2_000_000) });
      this.last = r;
      const more = r.stop === 'max-cycles' && this.m.cycle < limit && !this.interrupted;
      if (more) {
        setImmediate(slice);
        return;
      }
      this.running = false;
      this.send(this.stopReply(r));
    };
    slice();
  }
}
