import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, OperationError } from '../../../toolchain/common/errors.ts';
import { hex } from '../bytes.ts';
import { writeFileDurably } from '../durable.ts';
import type { DlmsKeys } from '../keys.ts';

// Where a server's durable state lives, and who may use it (issue 16 item 1). A GCM nonce is the server system
// title ‖ its invocation counter, under the global unicast key (IEC 62056-5-3 §9.2.7.2; the same key and nonce make
// HLS-GMAC responses): the counter belongs to (title, key), not to a TCP port or a process. So the state file is
// named by that identity, and while a server holds it, a second server of the same identity is refused — unless
// both were told to share it, in which case both draw counter blocks from the one file under a lock.

/** A fingerprint of (server system title, GUEK): names the state, never reveals the key (SHA-256, domain-separated). */
export function stateIdentity(keys: Pick<DlmsKeys, 'serverSystemTitle' | 'guek'>): string {
  const h = createHash('sha256').update('hasm dlms server state v1\0').update(keys.serverSystemTitle).update(keys.guek).digest();
  return `${hex(keys.serverSystemTitle)}-${h.subarray(0, 8).toString('hex')}`;
}

export function stateFileFor(dir: string, keys: Pick<DlmsKeys, 'serverSystemTitle' | 'guek'>): string {
  return join(dir, `dlms-server-${stateIdentity(keys)}.json`);
}

/**
 * The highest server counter reservation in the per-port state files of earlier versions (`dlms-server-PORT.json`).
 * They do not say which keys they served, so a new identity starts above all of them: starting high is harmless,
 * starting below a counter used under the same key is not.
 */
export function legacyReservationFloor(dir: string): number {
  let floor = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  for (const n of names) {
    if (!/^dlms-server-\d+\.json$/.test(n)) continue;
    let j: { serverIcReserved?: unknown };
    try {
      j = JSON.parse(readFileSync(join(dir, n), 'utf8')) as { serverIcReserved?: unknown };
    } catch (e) {
      throw new InputError(`earlier server state is unreadable, so it is unknown which counters it used: ${(e as Error).message}`, { file: join(dir, n) });
    }
    if (typeof j.serverIcReserved === 'number') floor = Math.max(floor, j.serverIcReserved);
  }
  return floor;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `body` holding `file.lock` (O_EXCL create; a lock left by a dead process is taken over). Synchronous, like
 * the writes it guards: a counter reservation must be on disk before the counter is used.
 */
export function withFileLock<T>(file: string, body: () => T, timeoutMs = 5000): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
      } catch (r) {
        if ((r as NodeJS.ErrnoException).code !== 'ENOENT') throw r;
      }
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        try {
          unlinkSync(lock);
        } catch (u) {
          if ((u as NodeJS.ErrnoException).code !== 'ENOENT') throw u;
        }
        continue;
      }
      if (Date.now() > deadline) throw new OperationError(`server state ${basename(file)} is locked by process ${holder}`, { file: lock });
      sleepSync(2);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    try {
      return body();
    } finally {
      unlinkSync(lock);
    }
  }
}

interface Owner {
  token: string;
  pid: number;
  port?: number;
  shared: boolean;
}

/** Refused start-up: another live server holds this identity's state. */
export class StateInUseError extends OperationError {
  override name = 'StateInUseError';
}

/**
 * Registers this server as a user of `file` (the `.owners` list next to it). Refused when another live server
 * holds it and either side did not ask to share. Returns the release function (call it on shutdown; a killed
 * process is dropped from the list by the next start, by its pid).
 */
export function claimState(file: string, opts: { shared: boolean; port?: number }): () => void {
  const ownersFile = `${file}.owners`;
  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const read = (): Owner[] => (existsSync(ownersFile) ? (JSON.parse(readFileSync(ownersFile, 'utf8')) as Owner[]) : []).filter((o) => alive(o.pid));
  withFileLock(file, () => {
    const owners = read();
    const other = owners.find((o) => !(o.shared && opts.shared));
    if (other) {
      const where = other.port !== undefined ? ` on port ${other.port}` : '';
      throw new StateInUseError(
        `another DLMS server (process ${other.pid}${where}) uses the same server system title and key: their GCM nonces would repeat. ` +
          `Stop it, give this one other keys, or start both with --share-state so they draw invocation counters from one state (${file})`,
        { file, pid: other.pid, port: other.port },
      );
    }
    owners.push({ token, pid: process.pid, port: opts.port, shared: opts.shared });
    writeFileDurably(ownersFile, JSON.stringify(owners));
  });
  return () =>
    withFileLock(file, () => {
      const rest = read().filter((o) => o.token !== token);
      if (rest.length) writeFileDurably(ownersFile, JSON.stringify(rest));
      else if (existsSync(ownersFile)) unlinkSync(ownersFile);
    });
}
