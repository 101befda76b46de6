import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../toolchain/common/errors.ts';
import type { PartyId } from './transport.ts';

// market.json: what one evaluator process needs (`hasm mpc party --id N --config market.json`).
// {
//   "protocol": "auction" | "settle",
//   "timeout_ms": 30000,
//   "parties": {
//     "1": { "host": "127.0.0.1", "port": 40001, "cert": "party1.crt", "key": "party1.key",
//            "input": "party1-input.json", "output": "party1-output.json" },
//     "2": { … }, "3": { … }
//   }
// }
// Paths are relative to the file. A party reads only its own key, input and output entries; the others' `cert`
// entries are the pinned certificates of its peers.

export interface PartyEntry {
  host: string;
  port: number;
  cert: string;
  key?: string;
  input?: string;
  output?: string;
}

export interface MarketConfig {
  /** the trading protocol (§6.6.3) or the operational settlement (§6.6.4); the share files say the rest */
  protocol: 'auction' | 'settle';
  timeoutMs: number;
  parties: Record<PartyId, PartyEntry>;
}

export function readConfig(file: string): MarketConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read market configuration: ${(e as Error).message}`, { file });
  }
  const base = dirname(resolve(file));
  const bad = (msg: string) => new InputError(msg, { file });
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw bad('expected a JSON object');
  if (o.protocol !== 'auction' && o.protocol !== 'settle') throw bad(`protocol must be "auction" or "settle", got ${JSON.stringify(o.protocol)}`);
  const timeoutMs = o.timeout_ms === undefined ? 30_000 : Number(o.timeout_ms);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw bad('timeout_ms must be a positive integer');
  const ps = o.parties as Record<string, Record<string, unknown>> | undefined;
  if (!ps || typeof ps !== 'object') throw bad('missing "parties"');
  const parties = {} as Record<PartyId, PartyEntry>;
  for (const id of [1, 2, 3] as PartyId[]) {
    const e = ps[String(id)];
    if (!e || typeof e !== 'object') throw bad(`missing parties."${id}"`);
    const str = (k: string, required: boolean) => {
      const v = e[k];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string') throw bad(`parties."${id}".${k} must be a string`);
      return v;
    };
    const port = Number(e.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`parties."${id}".port must be a TCP port`);
    const path = (k: string) => {
      const v = str(k, false);
      return v === undefined ? undefined : resolve(base, v);
    };
    const certPath = resolve(base, str('cert', true)!);
    let cert: string;
    try {
      cert = readFileSync(certPath, 'utf8');
    } catch (err) {
      throw bad(`cannot read certificate of party ${id}: ${(err as Error).message}`);
    }
    parties[id] = { host: str('host', false) ?? '127.0.0.1', port, cert, key: path('key'), input: path('input'), output: path('output') };
  }
  return { protocol: o.protocol, timeoutMs, parties };
}
