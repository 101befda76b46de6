// The central system's command plaintexts are the bytes the meter's modules accept: each encoded command goes to
// the firmware's own logic — CS security's routing (firmware/cs) and the core's checks (firmware/core), compiled
// and run on the emulated board through test/firmware's harness — and is accepted (result OK in the module's log
// entry); the replies they produce decode to what they hold.
import { describe, expect, it } from 'vitest';
import { decodeUplink, encodeCommand } from '../../host/central/messages.ts';
import { loadModule, Msg, u16le, u32le } from '../firmware/harness.ts';

const OUT_CS = { CORE: 1, OFFSWITCH: 2, DC: 4, LOGS: 8, LOG: 16, CLOCK: 32 };

describe('command plaintexts ↔ the firmware', () => {
  it('CS security routes every command to its module and takes the privacy settings', async () => {
    const cs = await loadModule('cs', true);
    const route = (kind: string, args: Record<string, unknown> = {}) => cs.input('csCommand', encodeCommand(kind, args));
    expect(route('tariff', { prices: [150], switches: [{ minute: 0, tariff: 0 }] })).toBe(OUT_CS.CORE);
    expect(route('prepaid', { mode: 'on', threshold: -5000 })).toBe(OUT_CS.CORE);
    expect(route('topup', { amount: 20000, token: 1 })).toBe(OUT_CS.CORE);
    expect(route('appliance', { appliance: 1, on: false })).toBe(OUT_CS.CORE);
    expect(route('read')).toBe(OUT_CS.CORE);
    for (const k of ['disconnect', 'reconnect', 'unlock']) expect(route(k)).toBe(OUT_CS.OFFSWITCH);
    expect(route('log-read', { log: 'security', index: 0 })).toBe(OUT_CS.LOGS);
    expect(route('time', { t: 1_764_892_800 })).toBe(OUT_CS.CLOCK);
    expect(route('privacy', { round_wh: 50, omit_per_1024: 100, pseudonym_halfhours: 720, key: 'a0'.repeat(16) })).toBe(OUT_CS.LOG);
    const l = cs.read(cs.call('t_log'), 8);
    expect([l[0], l[1], u16le(l, 2), u32le(l, 4)]).toEqual([5, 0, 720, (100 << 16) | 50]); // EV_PRIVACY OK
    // a reading after the countermeasures (rounding only now), decoded as the central system stores it
    expect(route('privacy', { round_wh: 50, key: 'a0'.repeat(16) })).toBe(OUT_CS.LOG);
    expect(cs.input('csReading', new Msg().u32(1_764_892_800).u32(1234).u16(2).u16(0).get())).toBe(1);
    expect(decodeUplink(cs.read(cs.call('t_reading'), 16))).toEqual({ type: 'reading', t: 1_764_892_800, wh: 1250, tariff: 2, pseudonym: 0 });
  }, 180_000);

  it('the core accepts tariff, prepaid, top-up and appliance commands as encoded; its register reply decodes', async () => {
    const core = await loadModule('core', true);
    const T0 = 20000 * 86400;
    core.call('coreTick', T0);
    const sec = () => {
      const b = core.read(core.call('t_box', 1), 8);
      return { kind: b[0], result: b[1], aux: u16le(b, 2), value: u32le(b, 4) };
    };
    const cmd = (kind: string, args: Record<string, unknown> = {}) => core.input('coreCommand', encodeCommand(kind, args));
    cmd('tariff', { prices: [150, 300], switches: [{ minute: 420, tariff: 1 }, { minute: 1320, tariff: 0 }] });
    expect(sec()).toMatchObject({ kind: 3, result: 0 });
    cmd('prepaid', { mode: 'on', threshold: -5000 });
    expect(sec()).toMatchObject({ kind: 1, result: 0, aux: 1, value: -5000 >>> 0 });
    cmd('topup', { amount: 20000, token: 7 });
    expect(sec()).toMatchObject({ kind: 2, result: 0, aux: 7, value: 20000 });
    cmd('appliance', { appliance: 2, on: false });
    expect(sec()).toMatchObject({ kind: 4, result: 0, aux: 0x200 });
    core.input('coreEnergy', new Msg().u32(1000).u32(2000).get());
    cmd('read');
    const reply = decodeUplink(core.read(core.call('t_box', 6), 32));
    // 1000 Wh at tariff 0 (150 mills/kWh before 07:00): 150 mills off the 20,000 topped up
    expect(reply).toEqual({ type: 'registers', t: T0, total_wh: 1000, tariff_wh: [1000, 0, 0, 0], credit_mills: 20000 - 150 });
  }, 180_000);
});
