import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../toolchain/common/errors.ts';
import { jsonProblemsError, parseJsonSource, type JsonProblem } from '../../toolchain/common/json-source.ts';
import { loadPemKey, type EcKeyPair, type EcPublicKey } from './security/ecdsa.ts';

// The keys file of ../shared/CLI.md, shared by client and server. A malformed file is InputError (exit 2); wrong
// keys only show up as a failed association (exit 1).

export interface DlmsKeys {
  guek: Uint8Array; // global unicast encryption key (EK)
  gak: Uint8Array; // authentication key (AK)
  kek: Uint8Array; // master key, wraps keys in key_transfer
  clientSystemTitle: Uint8Array;
  serverSystemTitle: Uint8Array;
  password: string; // LLS
  hlsSecret: Uint8Array; // mech 3/4/6
  clientKey?: EcKeyPair | EcPublicKey; // suites 1/2, mech 7
  serverKey?: EcKeyPair | EcPublicKey;
}

/** A suite needs keys of its size (suite 2: AES-256) and, for ECDSA, keys on its curve. */
export function checkKeysForSuite(keys: DlmsKeys, suite: number, file = 'keys'): void {
  const want = suite === 2 ? 32 : 16;
  for (const [n, k] of [['guek', keys.guek], ['gak', keys.gak], ['kek', keys.kek]] as const) {
    if (k.length !== want) throw new InputError(`suite ${suite} needs a ${want}-byte "${n}", the keys file has ${k.length} bytes`, { file });
  }
}

export const DEMO_KEYS_PATH = resolve(dirname(fileURLToPath(import.meta.url)), 'demo-keys.json');

const HEX_FIELDS = [
  ['guek', [16, 32]],
  ['gak', [16, 32]],
  ['kek', [16, 32]],
  ['client_system_title', [8]],
  ['server_system_title', [8]],
] as const;

export function loadKeys(path: string = DEMO_KEYS_PATH): DlmsKeys {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read keys file: ${(e as Error).message}`, { file: path });
  }
  // Every problem at once, each at its file:line:column (../shared/CLI.md).
  const src = parseJsonSource(text, path);
  const j = src.value as Record<string, unknown>;
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new InputError('keys file must hold a JSON object', src.at(''));
  const problems: JsonProblem[] = [];
  const missing = [...HEX_FIELDS.map(([n]) => n), 'password', 'hls_secret'].filter((n) => j[n] === undefined);
  if (missing.length) problems.push({ pointer: '', message: `keys file: missing ${missing.length > 1 ? 'fields' : 'field'} ${missing.map((n) => `"${n}"`).join(', ')}` });
  const bytes = (name: string, lengths: readonly number[]): Uint8Array => {
    const v = j[name];
    if (v === undefined) return new Uint8Array(0); // reported above with the other missing fields
    const b = typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v) ? Uint8Array.from(Buffer.from(v, 'hex')) : undefined;
    if (!b) problems.push({ pointer: `/${name}`, message: `"${name}" must be a hex string` });
    else if (!lengths.includes(b.length)) problems.push({ pointer: `/${name}`, message: `"${name}" must be ${lengths.join(' or ')} bytes, got ${b.length}` });
    return b ?? new Uint8Array(0);
  };
  const [guek, gak, kek, cst, sst] = HEX_FIELDS.map(([n, l]) => bytes(n, l)) as Uint8Array[];
  const password = j.password;
  if (password !== undefined && typeof password !== 'string') problems.push({ pointer: '/password', message: '"password" must be a string' });
  const secret = j.hls_secret;
  if (secret !== undefined && (typeof secret !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(secret))) problems.push({ pointer: '/hls_secret', message: '"hls_secret" must be a non-empty hex string' });
  if (problems.length) throw jsonProblemsError(src, problems);
  const keys: DlmsKeys = {
    guek: guek!,
    gak: gak!,
    kek: kek!,
    clientSystemTitle: cst!,
    serverSystemTitle: sst!,
    password: password as string,
    hlsSecret: Uint8Array.from(Buffer.from(secret as string, 'hex')),
  };
  const pem = (name: string) => {
    const v = j[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new InputError(`"${name}" must be a file path`, src.at(`/${name}`));
    const p = isAbsolute(v) ? v : resolve(dirname(path), v);
    try {
      return loadPemKey(p);
    } catch (e) {
      throw new InputError(`"${name}": ${(e as Error).message}`, src.at(`/${name}`));
    }
  };
  keys.clientKey = pem('client_key_pem');
  keys.serverKey = pem('server_key_pem');
  return keys;
}
