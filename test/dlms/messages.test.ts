import { describe, expect, it } from 'vitest';
import { DlmsClient } from '../../host/dlms/client.ts';
import { connect } from '../../host/dlms/connect.ts';
import { defaultServerConfig } from '../../host/dlms/server/config.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import { channelTo, clientOptions, demoKeys, makeServer } from './helpers.ts';

// Issue 16 item 5: a refusal says what differs and which side refused.

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);

describe('messages that say what differs (issue 16)', () => {
  it('a suite-1 client against a suite-0 server is told the two suites', async () => {
    const server = new DlmsServer(defaultServerConfig(demoKeys, 'standard', 0));
    const open = (sap: number) => channelTo(server, 'wrapper', { clientSap: sap, serverSap: 1 });
    const e = await failure(connect(open, { ...clientOptions({ mechanism: 'hls-gmac', profile: 'standard', suite: 1 }), clientSap: 1 }));
    expect(e?.message).toBe('association refused by the server: it runs security suite 0, this client suite 1 (use --suite 0)');
  });

  it('same suite, other keys: the keys are named as what differs', async () => {
    const server = new DlmsServer(defaultServerConfig(demoKeys, 'standard', 0));
    const open = (sap: number) => channelTo(server, 'wrapper', { clientSap: sap, serverSap: 1 });
    const keys = { ...demoKeys, guek: new Uint8Array(16).fill(1) };
    const e = await failure(connect(open, { ...clientOptions({ mechanism: 'hls-gmac', profile: 'standard', keys }), clientSap: 1 }));
    expect(e?.message).toMatch(/both sides run suite 0.*GUEK\/GAK differ/);
  });

  it('a standard-profile client against a hardened server: the server names the profile, the client the likely cause', async () => {
    const { server } = makeServer('hardened');
    const session = server.session();
    const ch = { address: { clientSap: 4, serverSap: 1 }, request: async (a: Uint8Array) => session.handle({ clientSap: 4, serverSap: 1 }, a)!, close: async () => {} };
    const c = new DlmsClient(ch, clientOptions({ mechanism: 'hls-sha256', profile: 'standard', ciphered: true }));
    const e = await failure(c.associate());
    expect(e?.message).toMatch(/^association refused by the server: authentication failure \(this client: hls-sha256, standard profile, suite 0\) — .*hardened profile/);
    expect(session.lastError?.message).toMatch(/refused by this server: it runs the hardened profile .* the client speaks the standard profile/);
  });

  it('a hardened client against a standard server: this client refuses, and says the server is standard', async () => {
    const { server } = makeServer('standard');
    const c = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 1, serverSap: 1 }), clientOptions({ mechanism: 'hls-gmac', profile: 'hardened' }));
    const e = await failure(c.associate());
    expect(e?.message).toMatch(/^refused by this client: .* the server runs the standard profile, this client hardened/);
  });

  it('a wrong LLS password: the server refused, and the password is what differs', async () => {
    const { server } = makeServer('standard');
    const c = new DlmsClient(await channelTo(server, 'loopback', { clientSap: 17, serverSap: 1 }), clientOptions({ mechanism: 'lls', profile: 'standard', keys: { ...demoKeys, password: 'nope' } }));
    expect((await failure(c.associate()))?.message).toMatch(/refused by the server: authentication failure .* the password differs/);
  });
});
