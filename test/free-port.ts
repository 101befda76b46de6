// A loopback TCP port the system hands out free at the time of the call (test files run in parallel processes: a
// port derived from the pid could land on another file's port, or on an ephemeral port the kernel had given to some
// client — dlms-tcp once failed with EADDRINUSE so).
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port from listen(0)'))));
    });
  });
}
