import { connect as tcpConnect } from 'node:net';
import { UsageError } from '../../toolchain/common/errors.ts';
import { DlmsTransportError } from './errors.ts';
import { HdlcChannel } from './hdlc.ts';
import { socketStream, type ByteStream } from './stream.ts';
import type { ApduChannel } from './transport.ts';
import { WrapperChannel, WRAPPER_PORT } from './wrapper.ts';

// Client URLs of ../shared/CLI.md: tcp://HOST:PORT (wrapper), hdlc+tcp://HOST:PORT, serial:/dev/ttyX (HDLC).

export type DlmsUrl = { kind: 'wrapper' | 'hdlc-tcp'; host: string; port: number } | { kind: 'serial'; path: string; baudRate: number };

export function parseDlmsUrl(text: string): DlmsUrl {
  const serial = /^serial:(.+?)(?:@(\d+))?$/.exec(text);
  if (serial) return { kind: 'serial', path: serial[1]!, baudRate: serial[2] ? Number(serial[2]) : 9600 };
  const m = /^(tcp|hdlc\+tcp):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
  if (!m) throw new UsageError(`bad URL '${text}': expected tcp://HOST:PORT, hdlc+tcp://HOST:PORT or serial:/dev/ttyX`);
  const port = m[3] ? Number(m[3]) : WRAPPER_PORT;
  if (port < 1 || port > 65535) throw new UsageError(`bad port in '${text}'`);
  return { kind: m[1] === 'tcp' ? 'wrapper' : 'hdlc-tcp', host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

function openTcp(host: string, port: number, timeoutMs: number): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new DlmsTransportError(`connect to ${host}:${port} timed out`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(socketStream(sock));
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new DlmsTransportError(`cannot connect to ${host}:${port}: ${e.message}`));
    });
  });
}

async function openSerial(path: string, baudRate: number): Promise<ByteStream> {
  const { SerialPort } = await import('serialport');
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate }, (e) => {
      if (e) return reject(new DlmsTransportError(`cannot open ${path}: ${e.message}`));
      resolve({
        write: (b) => void port.write(Buffer.from(b)),
        onData: (cb) => port.on('data', (d: Buffer) => cb(new Uint8Array(d))),
        onClose: (cb) => {
          port.on('close', () => cb());
          port.on('error', (err: Error) => cb(err));
        },
        close: () => {
          if (port.isOpen) port.close();
        },
      });
    });
  });
}

export interface OpenOptions {
  serverSap?: number; // logical device, default 1
  physical?: number; // HDLC lower address; with it the server address is 2 bytes (4 when > 127)
  timeoutMs?: number;
  maxInfo?: number;
}

export async function openChannel(url: DlmsUrl, clientSap: number, o: OpenOptions = {}): Promise<ApduChannel> {
  const serverSap = o.serverSap ?? 1;
  const timeoutMs = o.timeoutMs ?? 5000;
  if (url.kind === 'wrapper') return new WrapperChannel(await openTcp(url.host, url.port, timeoutMs), { clientSap, serverSap }, timeoutMs);
  const stream = url.kind === 'serial' ? await openSerial(url.path, url.baudRate) : await openTcp(url.host, url.port, timeoutMs);
  const size = o.physical === undefined ? 1 : serverSap > 127 || o.physical > 127 ? 4 : 2;
  const ch = new HdlcChannel(stream, { clientSap, server: { logical: serverSap, physical: o.physical, size }, timeoutMs, maxInfo: o.maxInfo });
  await ch.connect();
  return ch;
}
