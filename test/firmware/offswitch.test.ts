// Off-switch security (seed §4.5, §4.3.4, §4.6.3, §4.6.4 requirement 3), on the emulator and V8 (harness.ts). Each
// behaviour with its attack or negative twin: who may open the relay, who may close it, and what is logged.
import { beforeEach, describe, expect, it } from 'vitest';
import { loadModule, type Module } from './harness.ts';

const OUT_RELAY = 1, OUT_LOG = 2;
const DISCONNECT = 0x10, RECONNECT = 0x11, UNLOCK = 0x12;
const EXHAUSTED = 1, RESTORED = 2;
const BUTTON = 1, TAMPER = 2, CONTACT = 3;
const EV = { DISCONNECT: 16, RECONNECT: 17, UNLOCK: 18, CREDIT_TRIP: 19, CREDIT_ARM: 20, BUTTON: 21, TAMPER: 22, CONTACT: 23 };
const R = { OK: 0, BAD_FORMAT: 1, BAD_VALUE: 2, NO_CHANGE: 5, LOCKED: 7 };

let m: Module;
// A fresh module per test: the state machine starts connected.
beforeEach(async () => {
  m = await loadModule('offswitch');
}, 120_000);

const cmd = (c: number) => m.input('offCommand', [c, 0]);
const credit = (c: number) => m.input('offCredit', [c, 0]);
const local = (c: number, v = 0) => m.input('offLocal', [c, v]);
const relayOn = () => (m.call('offState') & 1) === 1;
const relayBox = () => m.read(m.call('t_relay'), 1)[0];
const lastLog = () => {
  const b = m.read(m.call('t_log'), 2);
  return { kind: b[0], result: b[1] };
};

describe('off-switch', () => {
  it('a central-system disconnect opens the relay and is logged; the button alone does not close it again', () => {
    expect(relayOn()).toBe(true);
    expect(cmd(DISCONNECT)).toBe(OUT_RELAY | OUT_LOG);
    expect(relayBox()).toBe(0);
    expect(lastLog()).toEqual({ kind: EV.DISCONNECT, result: R.OK });
    expect(local(BUTTON)).toBe(0); // nothing armed: no relay change, nothing logged
    expect(relayOn()).toBe(false);
  });

  it('a remote reconnect only arms; the local button closes the relay (§4.3.4 local confirmation)', () => {
    cmd(DISCONNECT);
    expect(cmd(RECONNECT)).toBe(OUT_LOG); // no relay output
    expect(lastLog()).toEqual({ kind: EV.RECONNECT, result: R.OK });
    expect(relayOn()).toBe(false);
    expect(local(BUTTON)).toBe(OUT_RELAY | OUT_LOG);
    expect(relayBox()).toBe(1);
    expect(lastLog()).toEqual({ kind: EV.BUTTON, result: R.OK });
    expect(relayOn()).toBe(true);
  });

  it('credit exhaustion disconnects locally and is logged once; a top-up arms, the button reconnects', () => {
    expect(credit(EXHAUSTED)).toBe(OUT_RELAY | OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.CREDIT_TRIP, result: R.OK });
    expect(credit(EXHAUSTED)).toBe(0); // repeated: already held, not logged again
    expect(local(BUTTON)).toBe(0);
    expect(credit(RESTORED)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.CREDIT_ARM, result: R.OK });
    expect(relayOn()).toBe(false);
    expect(local(BUTTON)).toBe(OUT_RELAY | OUT_LOG);
    expect(relayOn()).toBe(true);
  });

  it('the core cannot lift a remote disconnect: credit restored + button leaves the supply off', () => {
    cmd(DISCONNECT);
    credit(EXHAUSTED);
    credit(RESTORED);
    expect(local(BUTTON)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.BUTTON, result: R.LOCKED }); // released credit, still held remotely
    expect(relayOn()).toBe(false);
    // The core's input carries only credit messages: a disconnect or reconnect code there does nothing.
    expect(credit(RECONNECT)).toBe(0);
    expect(m.input('offCredit', [DISCONNECT, 0])).toBe(0);
    expect(relayOn()).toBe(false);
    cmd(RECONNECT);
    local(BUTTON);
    expect(relayOn()).toBe(true);
  });

  it('tamper locks the supply off; a remote reconnect is refused in the lock; only unlock + button restores it', () => {
    expect(local(TAMPER)).toBe(OUT_RELAY | OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.TAMPER, result: R.OK });
    expect(local(TAMPER)).toBe(0); // a bouncing switch is not a log flood
    expect(cmd(RECONNECT)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.RECONNECT, result: R.LOCKED });
    expect(local(BUTTON)).toBe(0);
    expect(relayOn()).toBe(false);
    expect(cmd(UNLOCK)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.UNLOCK, result: R.OK });
    expect(relayOn()).toBe(false); // supply off until the button
    expect(local(BUTTON)).toBe(OUT_RELAY | OUT_LOG);
    expect(relayOn()).toBe(true);
  });

  it('after tamper and unlock, a hold released before stays released and a hold still in force stays in force', () => {
    cmd(DISCONNECT);
    cmd(RECONNECT);
    local(TAMPER);
    cmd(UNLOCK);
    local(BUTTON);
    // the remote hold was released before the tamper: unlock + button reconnect
    expect(relayOn()).toBe(true);
    cmd(DISCONNECT);
    local(TAMPER);
    cmd(UNLOCK);
    local(BUTTON);
    expect(relayOn()).toBe(false); // the disconnect still holds
  });

  it('every central-system command is logged, valid or not', () => {
    expect(cmd(UNLOCK)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.UNLOCK, result: R.NO_CHANGE });
    expect(cmd(RECONNECT)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.RECONNECT, result: R.NO_CHANGE });
    expect(cmd(0x42)).toBe(OUT_LOG);
    expect(lastLog()).toEqual({ kind: EV.DISCONNECT, result: R.BAD_FORMAT });
    expect(m.input('offCommand', [DISCONNECT])).toBe(OUT_LOG); // wrong length: refused, logged, relay untouched
    expect(lastLog().result).toBe(R.BAD_FORMAT);
    expect(relayOn()).toBe(true);
  });

  it('contact feedback that disagrees with the commanded relay is logged; agreeing feedback is not', () => {
    cmd(DISCONNECT);
    expect(local(CONTACT, 0)).toBe(0); // opened as commanded
    expect(local(CONTACT, 1)).toBe(OUT_LOG); // closed while commanded open (welded contact, bypass)
    expect(lastLog()).toEqual({ kind: EV.CONTACT, result: R.BAD_VALUE });
  });
});
