// `hasm central serve`: the head end as a running service — the database opened and migrated, each meter given on
// the command line deployed (built, loaded, attested, keyed by host/deploy) and attached through its CS security
// link, the HTTP API listening, and a loop that sends queued commands and stores what the meters send back.
import type { FastifyInstance } from 'fastify';
import { OperationError } from '../../toolchain/common/errors.ts';
import { deploySession, type DeploySession } from '../deploy/deploy.ts';
import { loadDescriptor } from '../deploy/descriptor.ts';
import { buildApi } from './api.ts';
import { DeployLink } from './deploy-link.ts';
import { openDatabase } from './open.ts';
import { CentralSystem } from './service.ts';
import type { Database } from './sql.ts';
import { CentralStore } from './store.ts';

export interface ServeOptions {
  db?: string;
  host?: string;
  port?: number;
  /** Meters to deploy and attach: name → deployment descriptor file. */
  meters?: { name: string; descriptor: string }[];
  /** How often the loop looks for queued commands and meter output (ms). */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface Running {
  db: Database;
  central: CentralSystem;
  api: FastifyInstance;
  port: number;
  /** The deployments of the meters given, by meter name (their nodes, modules, WAN connection ends). */
  sessions: Map<string, DeploySession>;
  stop(): Promise<void>;
}

export async function serve(o: ServeOptions): Promise<Running> {
  const log = o.log ?? (() => undefined);
  const db = await openDatabase(o.db);
  const store = new CentralStore(db);
  const central = new CentralSystem(store, (m) => log(`central: ${m}`));
  let api: FastifyInstance | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sessions = new Map<string, DeploySession>();
  const stop = async () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    await api?.close();
    await central.close();
    for (const s of sessions.values()) await s.close();
    await db.close();
  };
  try {
    for (const m of o.meters ?? []) {
      const { report, session } = await deploySession(loadDescriptor(m.descriptor));
      sessions.set(m.name, session);
      const attested = report.modules.every((x) => x.attestation.ok);
      const link = new DeployLink(m.name, session);
      const recovered = await central.attach(link, { deployment: { descriptor: m.descriptor, nodes: report.nodes, modules: report.modules.map((x) => ({ name: x.name, node: x.node, id: x.id })) }, attested });
      log(`central: meter ${m.name} deployed from ${m.descriptor}, ${report.modules.length} modules attested, counter identity ${link.identity}`);
      for (const r of recovered) log(`central: command ${r.command} (left unconfirmed): ${r.outcome}`);
    }
    let wake: () => void = () => undefined;
    api = buildApi(store, { linked: (id) => central.linked(id), onQueued: () => wake() });
    await api.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8021 });
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 8021);
    // One round at a time: dispatch, then collect; errors are reported and the loop goes on (a meter that stopped
    // answering must not stop the others' commands).
    let busy = false;
    const round = async () => {
      if (busy || !timer) return;
      busy = true;
      try {
        for (const r of await central.dispatch()) log(`central: command ${r.command}: ${r.status} — ${r.outcome}`);
        await central.collect();
      } catch (e) {
        log(`central: ${(e as Error).message}`);
      } finally {
        busy = false;
        if (timer) timer = setTimeout(round, o.intervalMs ?? 250);
      }
    };
    wake = () => void round();
    timer = setTimeout(round, 0);
    return { db, central, api, port, sessions, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    if (e instanceof Error && 'code' in e && (e as { code?: string }).code === 'EADDRINUSE') throw new OperationError(`cannot listen on port ${o.port}: in use`);
    throw e;
  }
}
