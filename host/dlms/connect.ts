import { DlmsClient, DlmsSecurityErrorWithCounter, type ClientOptions } from './client.ts';
import { MemoryCounterStore, ownCounterKey } from './counter-store.ts';
import { DlmsDecodeError, DlmsSecurityError } from './errors.ts';
import { OperationError } from '../../toolchain/common/errors.ts';
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

/** The security suite the server runs (Security setup 0.0.43.0.0.255 attribute 3, read as the public client). */
export async function readServerSuite(open: ChannelFactory, opts: ConnectOptions): Promise<number> {
  const ch = await open(opts.publicSap ?? 16);
  try {
    const pub = new DlmsClient(ch, { ...opts, mechanism: 'none', ciphered: false, counters: new MemoryCounterStore() });
    await pub.associate();
    const v = await pub.get(64, '0.0.43.0.0.255', 3);
    await pub.release();
    if (v.type !== 'enum') throw new DlmsDecodeError(`security_suite has type ${v.type}, not enum`);
    return v.value;
  } finally {
    await ch.close();
  }
}

/**
 * A refused decipherment says only "could not decipher"; name what differs (issue 16): ask the server its suite. When
 * it cannot be asked (a meter whose public client may not read Security setup), the refusal stays as it was.
 */
async function explainDecipherRefusal(open: ChannelFactory, opts: ConnectOptions, e: DlmsSecurityError): Promise<Error> {
  let theirs: number;
  try {
    theirs = await readServerSuite(open, opts);
  } catch (probe) {
    if (probe instanceof OperationError) return e; // the probe is a courtesy: its failure leaves the first answer
    throw probe;
  }
  const ours = opts.suite ?? 0;
  if (theirs !== ours) return new DlmsSecurityError(`association refused by the server: it runs security suite ${theirs}, this client suite ${ours} (use --suite ${theirs})`, 'policy');
  return new DlmsSecurityError(`association refused by the server: both sides run suite ${ours}, and it could not decipher our AARQ — its GUEK/GAK differ from this client's keys`, 'tag-mismatch');
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
    if (e instanceof DlmsSecurityError && e.reason === 'tag-mismatch' && /AARQ/.test(e.message)) throw await explainDecipherRefusal(open, o, e);
    if (!(e instanceof DlmsSecurityErrorWithCounter)) throw e;
    const key = ownCounterKey(opts.keys);
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
