import type { CosemData } from '../../host/dlms/axdr.ts';
import { DlmsClient, type ClientOptions } from '../../host/dlms/client.ts';
import { MemoryCounterStore } from '../../host/dlms/counter-store.ts';
import { HdlcChannel } from '../../host/dlms/hdlc.ts';
import { loadKeys, type DlmsKeys } from '../../host/dlms/keys.ts';
import { parseObis } from '../../host/dlms/obis.ts';
import type { Profile } from '../../host/dlms/security/hls.ts';
import { defaultServerConfig, type ServerConfig } from '../../host/dlms/server/config.ts';
import { noSuchAttribute, type CosemObject } from '../../host/dlms/server/object.ts';
import { DlmsServer } from '../../host/dlms/server/server.ts';
import type { PeerAddress } from '../../host/dlms/server/session.ts';
import { ServerState } from '../../host/dlms/server/state.ts';
import { serveHdlc } from '../../host/dlms/hdlc.ts';
import { pipePair } from '../../host/dlms/stream.ts';
import { LoopbackChannel, type ApduChannel } from '../../host/dlms/transport.ts';
import { serveWrapper, WrapperChannel } from '../../host/dlms/wrapper.ts';

export const demoKeys: DlmsKeys = loadKeys();

/** A test-only COSEM object whose method 1 echoes its parameter: exercises ACTION with blocks both ways. */
export class EchoObject implements CosemObject {
  readonly classId = 1;
  readonly version = 0;
  readonly attributeCount = 2;
  readonly methodCount = 1;
  readonly settable: readonly number[] = [2];
  readonly invocable: readonly number[] = [1];
  readonly ln = parseObis('0.0.96.99.0.255');
  value: CosemData = { type: 'octet-string', value: new Uint8Array(0) };
  get(attr: number) {
    if (attr === 1) return { type: 'octet-string' as const, value: this.ln };
    if (attr === 2) return this.value;
    return noSuchAttribute(attr);
  }
  set(attr: number, v: CosemData) {
    if (attr !== 2) return noSuchAttribute(attr);
    this.value = v;
    return undefined;
  }
  action(_m: number, params: CosemData | undefined) {
    return params ? { data: params } : {};
  }
}

export function makeServer(profile: Profile, patch: Partial<ServerConfig> = {}, state?: ServerState) {
  const echo = new EchoObject();
  const cfg = { ...defaultServerConfig(demoKeys, profile), ...patch };
  const server = new DlmsServer(cfg, state ?? new ServerState(undefined), [echo]);
  return { server, echo };
}

export type Framing = 'loopback' | 'wrapper' | 'hdlc';

/** A channel into `server` over the named framing (in-process pipe for wrapper and HDLC). */
export async function channelTo(server: DlmsServer, framing: Framing, address: PeerAddress, maxInfo?: number): Promise<ApduChannel> {
  const session = server.session();
  if (framing === 'loopback') return new LoopbackChannel(session, address);
  const [c, s] = pipePair();
  if (framing === 'wrapper') {
    serveWrapper(s, session);
    return new WrapperChannel(c, address, 2000);
  }
  serveHdlc(s, session, { logicalDevices: [address.serverSap], maxInfo });
  const ch = new HdlcChannel(c, { clientSap: address.clientSap, server: { logical: address.serverSap, size: 1 }, timeoutMs: 2000, maxInfo });
  await ch.connect();
  return ch;
}

export function clientOptions(o: Partial<ClientOptions> & Pick<ClientOptions, 'mechanism' | 'profile'>): ClientOptions {
  return { keys: demoKeys, counters: new MemoryCounterStore(), ...o };
}

export async function associated(server: DlmsServer, framing: Framing, sap: number, o: ClientOptions): Promise<DlmsClient> {
  const ch = await channelTo(server, framing, { clientSap: sap, serverSap: 1 });
  const c = new DlmsClient(ch, o);
  await c.associate();
  return c;
}

/** Deterministic PRNG for the fuzz test. */
export { mulberry32 as prng } from '../seeded.ts';

/** A channel that shows every exchange (request, then response) to `seen`: for tests that read what went on the wire. */
export class Tap implements ApduChannel {
  constructor(
    private readonly inner: ApduChannel,
    private readonly seen: (req: Uint8Array, resp: Uint8Array) => void,
  ) {}
  get address() {
    return this.inner.address;
  }
  async request(apdu: Uint8Array) {
    const resp = await this.inner.request(apdu);
    this.seen(apdu, resp);
    return resp;
  }
  close() {
    return this.inner.close();
  }
}
