import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { listen } from '../../host/dlms/listen.ts';
import { openChannel, parseDlmsUrl } from '../../host/dlms/url.ts';
import { clientOptions, makeServer } from './helpers.ts';

// The serial-port path (serial:/dev/ttyX, HDLC) without hardware: a pseudo-terminal whose other end a small
// Python relay joins to the server's TCP port. Skipped, saying so, where python3 is missing.

const RELAY = `
import os, pty, select, socket, sys, tty
master, slave = pty.openpty()
tty.setraw(slave)
sock = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
print(os.ttyname(slave), flush=True)
while True:
    r, _, _ = select.select([master, sock], [], [])
    if master in r:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        sock.sendall(data)
    if sock in r:
        data = sock.recv(4096)
        if not data:
            break
        os.write(master, data)
`;

const python = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
let tcp: Server | undefined;
let relay: ChildProcess | undefined;
afterAll(() => {
  relay?.kill();
  tcp?.close();
});

describe('HDLC over a serial port', () => {
  it.skipIf(!python)('reads the energy register through serial:/dev/pts/N (pty relayed to the server)', async () => {
    const { server } = makeServer('standard');
    tcp = await listen(server, { port: 0 });
    const a = tcp.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    relay = spawn('python3', ['-c', RELAY, String(port)]);
    const path = await new Promise<string>((resolve, reject) => {
      relay!.stdout!.once('data', (d) => resolve(String(d).trim()));
      relay!.once('exit', (c) => reject(new Error(`relay exited ${c}`)));
    });
    const ch = await openChannel(parseDlmsUrl(`serial:${path}@115200`), 16, { timeoutMs: 2000 });
    const c = new DlmsClient(ch, clientOptions({ mechanism: 'none', profile: 'standard' }));
    await c.associate();
    expect(await c.get(3, '1.0.1.8.0.255', 2)).toEqual({ type: 'double-long-unsigned', value: 123456 });
    await c.release();
    await ch.close();
  });
});
