// The remote party's side of the module runtime's protocol (toolchain/sancus/module/runtime.ts): what the deployer,
// holding the module keys (it derives them from the node key as the infrastructure provider, or gets them from
// the vendor), computes to attest a module, install a connection key and check events. Hardware SpongeWrap
// semantics (all messages have even lengths and non-empty associated data, so they match the C library too).
import { mac, unwrap, wrap } from '../../toolchain/sancus/index.ts';

export const CHALLENGE_BYTES = 16;

const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
/** The last value of a connection's event counter (32 bits, toolchain/sancus/module/runtime.ts COUNTER_BYTES; seed
 * §3.4.2: a value never comes back under the same key, so the key is used up there). */
export const MAX_EVENT_COUNTER = 0xffffffff;
/** An event's AD: the connection's counter, 32-bit big-endian (toolchain/sancus/module/runtime.ts COUNTER_BYTES). */
function counterAd(counter: number): Uint8Array {
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_EVENT_COUNTER) throw new RangeError(`event counter must be 0..2^32-1, got ${counter}`);
  return Uint8Array.from([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]);
}

/** The tag a genuine module returns for `challenge`: MAC(K_SM, challenge). */
export function attestationTag(moduleKey: Uint8Array, challenge: Uint8Array): Uint8Array {
  return mac(moduleKey, challenge);
}

/** set_key request: AD = conn id ‖ io id ‖ nonce (big-endian 16-bit), the connection key wrapped under K_SM. */
export function setKeyRequest(moduleKey: Uint8Array, connId: number, ioId: number, nonce: number, connKey: Uint8Array): Uint8Array {
  const ad = Uint8Array.from([...be16(connId), ...be16(ioId), ...be16(nonce)]);
  const w = wrap(moduleKey, ad, connKey);
  return Uint8Array.from([...ad, ...w.cipher, ...w.tag]);
}

/** An event on a connection: cipher ‖ tag with AD = the connection's counter (big-endian 32-bit). */
export function sealEvent(connKey: Uint8Array, counter: number, payload: Uint8Array): Uint8Array {
  if (payload.length % 2) throw new RangeError('event payloads are whole 16-bit words');
  const w = wrap(connKey, counterAd(counter), payload);
  return Uint8Array.from([...w.cipher, ...w.tag]);
}

export function openEvent(connKey: Uint8Array, counter: number, sealed: Uint8Array): Uint8Array | null {
  const n = sealed.length - 8;
  return unwrap(connKey, counterAd(counter), sealed.slice(0, n), sealed.slice(n));
}
