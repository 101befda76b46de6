// The emulated meter's WAN UART on a TCP port (hasm meter run --uart wan=tcp:PORT): a test connects once the meter is
// built and deployed — retrying until the port listens, and failing with the run's own error if the run failed.
import { createConnection, type Socket } from 'node:net';

export async function connectMeter(port: number, failed: () => unknown): Promise<Socket> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<Socket>((res, rej) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => res(s));
        s.once('error', rej);
      });
    } catch (e) {
      if (failed()) throw failed();
      if (i > 1200) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
