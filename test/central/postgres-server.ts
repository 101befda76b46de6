// A throwaway PostgreSQL server for the storage tests: Debian's `postgresql` package (installed by `make test`'s
// apt-deps), a fresh cluster made with its initdb in a temp dir, started with pg_ctl on a free loopback port,
// stopped and deleted afterwards. As root the server runs as the `postgres` user (PostgreSQL refuses root), via
// runuser. Everything is spawned asynchronously (no spawnSync blocking the test worker's event loop).
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { freePort } from '../free-port.ts';

export interface PgServer {
  url: string;
  /** The server's version line (pg_ctl --version). */
  version: string;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory, or a reason why there is none. */
export function postgresBin(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return { missing: 'PostgreSQL is not installed (/usr/lib/postgresql missing; `make test` installs the Debian postgresql package)' };
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  if (!versions.length) return { missing: 'no initdb under /usr/lib/postgresql/*/bin' };
  return { bin: join(root, versions[0]!, 'bin') };
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

export async function startPostgres(): Promise<PgServer> {
  const found = postgresBin();
  if ('missing' in found) throw new Error(found.missing);
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hasm-pg-'));
  const data = join(dir, 'data');
  // As root, the cluster belongs to `postgres`; the temp dir must be theirs to write in.
  const as = async (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
  if (asRoot) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  await as(join(found.bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // Loopback only; the unix socket in our own dir (not /var/run/postgresql, which may belong to a system cluster).
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=40 -c shared_buffers=16MB`;
  await as(join(found.bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const version = (await run(join(found.bin, 'pg_ctl'), ['--version'])).trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    version,
    stop: async () => {
      await as(join(found.bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const u = Number((await run('id', ['-u', 'postgres'])).trim());
  const g = Number((await run('id', ['-g', 'postgres'])).trim());
  return { uid: u, gid: g };
}

/** A fresh database on the server for one test (each test gets an empty schema). */
export async function freshDatabase(server: PgServer, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name}`);
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.url.replace(/\/postgres$/, `/${name}`);
}
