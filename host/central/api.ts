// The central system's HTTP JSON API (fastify), beside the CLI: meters, readings, logs, commands. Commands are
// queued in the database and sent by the service's dispatch loop; a client follows a command by its id. Errors
// are JSON {error} with 400 for bad input, 404 for an unknown meter or command.
import Fastify, { type FastifyInstance } from 'fastify';
import { InputError } from '../../toolchain/common/errors.ts';
import type { CommandArgs } from './messages.ts';
import { queueCommand } from './queue.ts';
import { CentralStore, UnknownMeterError } from './store.ts';

export interface ApiOptions {
  /** Whether the meter has a live link in this process (GET /api/meters says so). */
  linked?: (meter: string) => boolean;
  /** Called after a command was queued, so the service sends it without waiting for its next round. */
  onQueued?: () => void;
}

const int = (v: unknown, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InputError(`${what}: expected an integer, got '${String(v)}'`);
  return n;
};

export function buildApi(store: CentralStore, options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((e: Error, _req, reply) => {
    if (e instanceof UnknownMeterError) return reply.code(404).send({ error: e.message });
    if (e instanceof InputError || (e as { statusCode?: number }).statusCode === 400) return reply.code(400).send({ error: e.message });
    return reply.code(500).send({ error: e.message });
  });

  app.get('/api/meters', async () => {
    const meters = await store.meters();
    return { meters: meters.map((m) => ({ ...m, linked: options.linked?.(m.id) ?? false })) };
  });

  app.get<{ Params: { id: string } }>('/api/meters/:id', async (req) => {
    const m = await store.requireMeter(req.params.id);
    const privacy = await store.privacy(m.id);
    return { ...m, linked: options.linked?.(m.id) ?? false, privacy: privacy ? { ...privacy, key_hex: undefined } : null };
  });

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>('/api/meters/:id/readings', async (req) => {
    await store.requireMeter(req.params.id);
    const readings = await store.readings(req.params.id, { from: int(req.query.from, 'from'), to: int(req.query.to, 'to') });
    return { meter: req.params.id, readings };
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/api/meters/:id/logs', async (req) => {
    await store.requireMeter(req.params.id);
    return { meter: req.params.id, logs: await store.logs(req.params.id, int(req.query.limit, 'limit') ?? 100) };
  });

  app.get<{ Params: { id: string } }>('/api/meters/:id/commands', async (req) => {
    await store.requireMeter(req.params.id);
    return { meter: req.params.id, commands: await store.commands({ meter: req.params.id }) };
  });

  app.post<{ Params: { id: string }; Body: { kind?: unknown; args?: unknown } }>('/api/meters/:id/commands', async (req, reply) => {
    const body = req.body ?? {};
    if (typeof body.kind !== 'string') throw new InputError("body: 'kind' (the command) is missing");
    if (body.args !== undefined && (typeof body.args !== 'object' || body.args === null || Array.isArray(body.args))) throw new InputError("body: 'args' must be an object");
    const c = await queueCommand(store, req.params.id, body.kind, (body.args ?? {}) as CommandArgs);
    options.onQueued?.();
    return reply.code(202).send(c);
  });

  app.get<{ Params: { id: string } }>('/api/commands/:id', async (req, reply) => {
    const c = await store.command(int(req.params.id, 'command id')!);
    if (!c) return reply.code(404).send({ error: `no command ${req.params.id}` });
    return c;
  });

  return app;
}
