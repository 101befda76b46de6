// The fleet's worker threads from the main thread: one request at a time per worker is enough (the main thread
// waits on all workers together), replies matched by id, progress forwarded.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OperationError } from '../../toolchain/common/errors.ts';
import type { Progress, Reply, ReplyBody, Request } from './protocol.ts';

type Op = Request['op'];
type Body<O extends Op> = Extract<ReplyBody, { op: O }>;
// Distributive Omit: keeps each request variant's own fields.
type Ask = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** The worker: the compiled worker.js beside this file (dist/, `hasm`), else worker.ts loaded through tsx's ESM
 *  hooks registered inside the new thread (tests, benches under tsx; `--import` in a worker's execArgv does not
 *  reach its entry module). Binaryen (a 15 MB module the compiler imports) is loaded natively before the hooks
 *  are registered: through them it cost each worker about 7.5 CPU s (0.4 s natively), most of a deployment's. */
function newWorker(): Worker {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./worker.ts', import.meta.url).href;
  const binaryen = pathToFileURL(createRequire(import.meta.url).resolve('binaryen')).href;
  return new Worker(`import(${JSON.stringify(binaryen)}).then(() => import('tsx/esm/api')).then((m) => { m.register(); return import(${JSON.stringify(ts)}); })`, { eval: true });
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ReplyBody) => void; reject: (e: Error) => void }>();
  private next = 1;

  constructor(count: number, onProgress: (p: Progress) => void) {
    for (let i = 0; i < count; i++) {
      const w = newWorker();
      w.on('message', (m: Reply | Progress) => {
        if ('progress' in m) return onProgress(m);
        const p = this.waiting.get(m.id);
        if (!p) return;
        this.waiting.delete(m.id);
        if (m.error !== undefined) p.reject(new OperationError(`fleet worker ${i}: ${m.error}`));
        else p.resolve(m);
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(new OperationError(`fleet worker ${i} failed: ${e.message}`));
        this.waiting.clear();
      });
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  ask<O extends Op>(worker: number, q: Ask & { op: O }): Promise<Body<O>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: ReplyBody) => void, reject });
      this.workers[worker]!.postMessage({ ...q, id });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((_, i) => this.ask(i, { op: 'close' }).catch(() => undefined)));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
