import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, equalPublicBytes } from '../../host/dlms/bytes.ts';
import { DlmsSecurityError } from '../../host/dlms/errors.ts';
import { unwrapKey, wrapKey } from '../../host/dlms/security/keywrap.ts';
import { DlmsClient } from '../../host/dlms/client.ts';
import { channelTo, clientOptions, demoKeys, makeServer } from './helpers.ts';

// Issue 16 item 2: every comparison of a secret or a MAC in host/dlms goes through constantTimeEqual — the one name
// for it — and the early-exit comparison is named for what it may compare (public bytes only).

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `file: the first argument` of every call of `fn` in host/dlms (definitions excluded). */
function callSites(fn: string): string[] {
  const out: string[] = [];
  for (const file of sources('host/dlms')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(new RegExp(`(?<!function )\\b${fn}\\(([^,]+),`, 'g'))) out.push(`${relative('host/dlms', file)}: ${m[1]!.trim()}`);
  }
  return out.sort();
}

describe('constant-time comparisons (issue 16)', () => {
  it('secrets and MACs are compared by constantTimeEqual at exactly these call sites', () => {
    expect(callSites('constantTimeEqual')).toEqual([
      'security/gcm.ts: expect', // GCM tag of an authenticated+encrypted APDU
      'security/gcm.ts: expect', // GMAC tag of an authenticated-only APDU
      'security/hls.ts: hlsResponse(p', // HLS-GMAC f(StoC)/f(CtoS)
      'security/hls.ts: hlsResponse(p', // HLS MD5/SHA-1/SHA-256 responses
      'security/keywrap.ts: a', // RFC 3394 integrity value after unwrapping
      'server/session.ts: ctos', // LLS password
    ]);
  });

  it('the early-exit comparison only ever sees public bytes (titles, OBIS codes, challenges, transaction ids)', () => {
    const sites = callSites('equalPublicBytes');
    expect(sites.length).toBeGreaterThan(0);
    for (const s of sites) expect(s).not.toMatch(/pw|password|secret|tag|mac|response|key/i);
  });

  it('no second comparison function hides under the old name', () => {
    for (const file of [...sources('host/dlms'), 'toolchain/sancus/spongewrap-library.ts']) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/function equalBytes\b/);
      expect(text, file).not.toMatch(/timingSafeEqual|Buffer\.compare|\.equals\(/);
    }
  });

  it('constantTimeEqual is right on equal, different and differently long inputs', () => {
    const a = Uint8Array.of(1, 2, 3, 4);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 3, 5))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.of(9, 2, 3, 4))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 3))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 3, 4, 0))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(constantTimeEqual(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
    expect(equalPublicBytes(a, Uint8Array.of(1, 2, 3, 4))).toBe(true);
  });

  it('an altered wrapped key fails the integrity check; an intact one unwraps', () => {
    const kek = demoKeys.kek;
    const wrapped = wrapKey(kek, new Uint8Array(16).fill(7));
    expect(unwrapKey(kek, wrapped)).toEqual(new Uint8Array(16).fill(7));
    for (const i of [0, 7, 8, 23]) {
      const bad = wrapped.slice();
      bad[i]! ^= 1;
      expect(() => unwrapKey(kek, bad)).toThrow(DlmsSecurityError);
    }
  });

  it('LLS: the right password associates, one of another length or with a last-byte difference does not', async () => {
    const { server } = makeServer('standard');
    const ok = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 17, serverSap: 1 }), clientOptions({ mechanism: 'lls', profile: 'standard' }));
    await ok.associate();
    for (const password of [demoKeys.password.slice(0, -1) + 'y', demoKeys.password + 'x', demoKeys.password.slice(0, -1)]) {
      const c = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 17, serverSap: 1 }), clientOptions({ mechanism: 'lls', profile: 'standard', keys: { ...demoKeys, password } }));
      await expect(c.associate()).rejects.toThrow(/authentication/);
    }
  });
});
