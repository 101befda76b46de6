// The in-home display's server (fastify): HAN bytes in (one way), the page, its state as JSON and a Server-Sent
// Events stream that pushes the state after every frame that changed it.
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Display } from './display.ts';
import { HanFrameParser } from './han-frame.ts';
import { PAGE } from './page.ts';

export interface IhdServer {
  app: FastifyInstance;
  display: Display;
  /** HAN bytes as they arrive (from a han-source, or a test). */
  feed(bytes: Uint8Array): void;
  close(): Promise<void>;
}

const UPLOT = ['uPlot.iife.min.js', 'uPlot.min.css'];

function uplotFile(name: string): Buffer {
  const dist = dirname(createRequire(import.meta.url).resolve('uplot'));
  return readFileSync(join(dist, name));
}

export function ihdServer(options: { historySeconds?: number } = {}): IhdServer {
  const display = new Display(options.historySeconds);
  const parser = new HanFrameParser();
  const clients = new Map<(data: string) => void, { end(): void }>();
  // The event streams stay open: closing the server ends them instead of waiting for the browsers to leave.
  const app = Fastify({ logger: false, forceCloseConnections: true });

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  for (const f of UPLOT) {
    const body = uplotFile(f);
    app.get(`/uplot/${f}`, async (_req, reply) => reply.type(f.endsWith('.css') ? 'text/css' : 'text/javascript').send(body));
  }
  app.get('/api/state', async () => ({ ...display.state, dropped: parser.dropped }));
  app.get('/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data: string) => res.write(`data: ${data}\n\n`);
    send(JSON.stringify({ ...display.state, dropped: parser.dropped }));
    clients.set(send, res);
    req.raw.on('close', () => clients.delete(send));
  });

  return {
    app,
    display,
    feed(bytes) {
      let changed = false;
      for (const f of parser.push(bytes)) changed = display.take(f) || changed;
      if (!changed) return;
      const data = JSON.stringify({ ...display.state, dropped: parser.dropped });
      for (const c of clients.keys()) c(data);
    },
    async close() {
      for (const res of clients.values()) res.end();
      clients.clear();
      await app.close();
    },
  };
}
