// The floor of test/bench/dlms-gurux.ts: a bare Node TCP server on the same socket options as `hasm dlms serve`
// (host/dlms/listen.ts: noDelay, allowHalfOpen with destroy at end of stream, one write per frame) that does no DLMS
// work at all — each wrapper frame is answered with bytes computed once, the first time a request of that APDU tag
// arrived, by our own server session. What it reaches is what Node's per-connection and per-read/write cost leaves
// for any server written on node:net against this client; the gap between it and `ours` is our DLMS work.
// Only for requests whose answers never change (no security: AARQ, GET of a fixed value, RLRQ).
// Run: npx tsx test/bench/dlms-floor.ts KEYS.json  (prints {"port": N} once listening on an ephemeral port)
import { createServer, type Socket } from 'node:net';
import { loadKeys } from '../../host/dlms/keys.ts';
import { defaultServerConfig } from '../../host/dlms/server/config.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import type { ServerSession } from '../../host/dlms/server/session.ts';
import { encodeWrapper } from '../../host/dlms/wrapper.ts';

const server = new DlmsServer(defaultServerConfig(loadKeys(process.argv[2]), 'standard', 0));
const canned = new Map<number, Buffer>(); // APDU tag → whole wrapper frame of the answer

function answer(session: ServerSession, frame: Buffer): Buffer {
  const tag = frame[8]!;
  let out = canned.get(tag);
  if (!out) {
    const source = frame.readUInt16BE(2);
    const destination = frame.readUInt16BE(4);
    const reply = session.handle({ clientSap: source, serverSap: destination }, frame.subarray(8, 8 + frame.readUInt16BE(6)));
    if (!reply) throw new Error(`no answer to APDU tag 0x${tag.toString(16)}`);
    out = Buffer.from(encodeWrapper({ source: destination, destination: source, apdu: reply }));
    canned.set(tag, out);
  }
  return out;
}

const tcp = createServer({ noDelay: true, allowHalfOpen: true }, (sock: Socket) => {
  let session: ServerSession | undefined; // only until every answer is canned
  sock.on('data', (b: Buffer) => {
    // gxbench sends one whole frame per write and waits for the answer: a chunk is a frame.
    if (canned.has(b[8]!)) sock.write(canned.get(b[8]!)!);
    else sock.write(answer((session ??= server.session()), b));
  });
  sock.on('end', () => sock.destroy());
  sock.on('error', (e) => {
    process.stderr.write(`floor: ${e.message}\n`);
    sock.destroy();
  });
});
tcp.listen(0, '127.0.0.1', () => {
  const a = tcp.address();
  console.log(JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 }));
});
process.on('SIGTERM', () => process.exit(0));
