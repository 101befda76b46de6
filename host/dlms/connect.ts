import { DlmsClient, DlmsSecurityErrorWithCounter, type ClientOptions } from './client.ts';
import { MemoryCounterStore } from './counter-store.ts';
import { DlmsSecurityError } from './errors.ts';
import type { ApduChannel } from './transport.ts';

// Association with invocation-counter recovery, what integrators otherwise script by hand: when the server
// refuses our counter, learn its value (from the refusal, else by reading the frame-counter object as the public
// client on a connection of its own) and re-associate above it — never further than the jump threshold, so a
// forged refusal cannot push our counter towards exhaustion.

export interface ConnectOptions extends ClientOptions {
  clientSap: number;
  publicSap?: number; // 16
  frameCounterObis?: string; // 0.0.43.1.0.255
}

export type ChannelFactory = (clientSap: number) => Promise<ApduChannel>;

export async function readFrameCounter(open: ChannelFactory, opts: ConnectOptions): Promise<number> {
  const ch = await open(opts.publicSap ?? 16);
  try {
    const pub = new DlmsClient(ch, { ...opts, mechanism: 'none', ciphered: false, counters: new MemoryCounterStore() });
    await pub.associate();
    const v = await pub.get(1, opts.frameCounterObis ?? '0.0.43.1.0.255', 2);
    await pub.release();
    if (v.type !== 'double-long-unsigned' && v.type !== 'long64-unsigned') throw new DlmsSecurityError(`frame counter has type ${v.type}`, 'invocation-counter');
    return Number(v.value);
  } finally {
    await ch.close();
  }
}

export async function connect(open: ChannelFactory, opts: ConnectOptions): Promise<DlmsClient> {
  const counters = opts.counters ?? new MemoryCounterStore();
  const o = { ...opts, counters };
  const ch = await open(opts.clientSap);
  const first = new DlmsClient(ch, o);
  try {
    await first.associate();
    return first;
  } catch (e) {
    await ch.close();
    if (!(e instanceof DlmsSecurityErrorWithCounter)) throw e;
    const key = Buffer.from(opts.keys.serverSystemTitle).toString('hex');
    const c = counters.get(key);
    const learned = e.serverCounter ?? (await readFrameCounter(open, o));
    const threshold = opts.counterJumpThreshold ?? 1_000_000;
    if (learned > c.own + threshold && c.own !== 0) {
      throw new DlmsSecurityError(`server claims counter ${learned}, more than ${threshold} above ours (${c.own}): not following`, 'counter-jump');
    }
    if (learned > c.own) counters.set(key, { ...c, own: learned });
    const ch2 = await open(opts.clientSap);
    const second = new DlmsClient(ch2, o);
    try {
      await second.associate();
    } catch (e2) {
      await ch2.close();
      throw e2;
    }
    return second;
  }
}
