// Where the HAN bytes come from: the meter's HAN UART exposed on a TCP port (`hasm meter run --uart han=tcp:PORT`,
// ../shared/CLI.md) that the display connects to, reconnecting when the meter goes away. Nothing is ever written
// to the socket: the HAN is one way (seed §4.5), and the display keeps it so even where the transport could talk back.
import { connect, type Socket } from 'node:net';
import { UsageError } from '../../toolchain/common/errors.ts';

export interface HanSource {
  close(): void;
}

export function parseHanUrl(url: string): { host: string; port: number } {
  const m = /^tcp:(?:\/\/)?(?:([^:/]+):)?(\d+)$/.exec(url);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--han must be tcp:PORT or tcp:HOST:PORT, got '${url}'`);
  return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
}

export function tcpHanSource(url: string, onBytes: (b: Uint8Array) => void, onStatus: (line: string) => void = () => undefined): HanSource {
  const { host, port } = parseHanUrl(url);
  let socket: Socket | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // Said once per change (connected, lost), not on every retry: the meter may take a while to come up.
  let said: 'up' | 'down' | undefined;
  const open = () => {
    if (closed) return;
    const s = connect({ host, port });
    socket = s;
    s.on('connect', () => {
      said = 'up';
      onStatus(`ihd: reading the HAN from ${host}:${port}`);
    });
    s.on('data', (d: Buffer) => onBytes(new Uint8Array(d)));
    s.on('error', () => undefined); // 'close' follows and retries
    s.on('close', () => {
      if (closed) return;
      if (said !== 'down') onStatus(`ihd: HAN ${host}:${port} not connected, retrying every second`);
      said = 'down';
      timer = setTimeout(open, 1000);
    });
  };
  open();
  return {
    close: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.destroy();
    },
  };
}
