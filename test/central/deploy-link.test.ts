// The central system's link over host/deploy and the CS security module (firmware/cs) on an emulated node with the
// firmware runtime: commands go out sealed under the wan.central → cs.command connection key with counters the
// central system reserved; the module's authenticated outputs (its security log events, its uplink of readings
// after the chapter 5 countermeasures) come back and are stored. The rest of the meter (core, off-switch, logs) is
// not deployed here — firmware/meter.json has not landed — so the test plays the core's reading output itself,
// through a connection from the WAN into cs.reading.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployLink } from '../../host/central/deploy-link.ts';
import { queueCommand } from '../../host/central/queue.ts';
import { openDatabase } from '../../host/central/open.ts';
import { CentralSystem } from '../../host/central/service.ts';
import { CentralStore } from '../../host/central/store.ts';
import { deploySession, type DeploySession } from '../../host/deploy/deploy.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import { sealEvent } from '../../host/deploy/protocol.ts';

const seeded = (seed: number) => (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = seed = (seed * 1103515245 + 12345) & 0xff;
  return out;
};

describe('central system ↔ CS security module on an emulated node (host/deploy)', () => {
  let dir = '';
  let session: DeploySession;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasm-central-link-'));
    const d = {
      nodes: [{ name: 'meter1', runtime: 'firmware' }],
      modules: [{ name: 'cs', node: 'meter1', vendor_id: '0x4353', source: join(process.cwd(), 'firmware/cs') }],
      connections: [
        { id: 1, from: 'wan.central', to: 'cs.command' },
        { id: 2, from: 'cs.uplink', to: 'wan.uplink' },
        { id: 3, from: 'cs.log', to: 'wan.events' },
        { id: 4, from: 'wan.core', to: 'cs.reading' },
      ],
    };
    const file = join(dir, 'meter1.json');
    writeFileSync(file, JSON.stringify(d, null, 2));
    session = (await deploySession(parseDescriptor(JSON.stringify(d, null, 2), file), { random: seeded(21) })).session;
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('privacy settings go out sealed; the module logs them and applies them to the readings it uplinks', async () => {
    const db = await openDatabase(join(dir, 'central.sqlite'));
    const store = new CentralStore(db);
    const central = new CentralSystem(store);
    try {
      // Two links cannot share an identity: the central system's link takes over the command connection's end.
      const link = new DeployLink('meter1', session, { command: 'central' });
      await central.attach(link, { deployment: { descriptor: 'meter1.json' }, attested: true });
      expect(link.identity).toMatch(/^meter1\/sancus-connection-1\/[0-9a-f]{16}$/);
      expect(await store.activeKey('meter1', 'cs-command')).toMatchObject({ key_hex: link.keyHex });

      const key = '000102030405060708090a0b0c0d0e0f';
      const c = await queueCommand(store, 'meter1', 'privacy', { round_wh: 100, omit_per_1024: 0, pseudonym_halfhours: 0, key });
      const [sent] = await central.dispatch();
      expect(sent).toMatchObject({ command: c.id, status: 'delivered', counter: 0 });
      expect(await store.privacy('meter1')).toMatchObject({ round_wh: 100, status: 'delivered' });
      // the module's log event (EV_PRIVACY = 5, OK) came back authenticated on cs.log → wan.events
      const got = await central.collect();
      expect(got.map((g) => g.uplink)).toEqual([{ type: 'event', kind: 5, result: 0, aux: 0, value: 100 }]);
      expect((await store.logs('meter1')).map((l) => [l.kind, l.result, l.value])).toEqual([[5, 0, 100]]);

      // The core's half-hourly reading [t][Wh][tariff u16][0] into cs.reading: the uplink carries it rounded.
      const core = session.wanEnds.get(4)!;
      const reading = new Uint8Array(12);
      const v = new DataView(reading.buffer);
      v.setUint32(0, 1800 * 7, true);
      v.setUint32(4, 1234, true);
      v.setUint16(8, 1, true);
      expect(await session.modules.get('cs')!.node.wan!.event(4, sealEvent(core.key, core.counter++, reading))).toBe(true);
      await central.collect();
      expect(await store.readings('meter1')).toEqual([{ t: 12600, wh: 1200, tariff: 1, pseudonym: 0 }]);

      // A second command takes the next counter; an unknown command byte is refused by CS security and logged.
      await store.queueCommand('meter1', 'bogus', {}, Uint8Array.of(0x77, 0));
      const [second] = await central.dispatch();
      expect(second).toMatchObject({ status: 'delivered', counter: 1 });
      await central.collect();
      expect((await store.logs('meter1'))[0]).toMatchObject({ kind: 6, result: 1, aux: 0x77 }); // EV_CS_REJECT, BAD_FORMAT
      expect(await store.nextCounter(link.identity)).toBe(2);

      // Somebody on the WAN without the key: a forged command is refused by the module, not by us.
      expect(await session.modules.get('cs')!.node.wan!.event(1, new Uint8Array(10))).toBe(false);
      expect(link.rejected).toBe(0);
    } finally {
      await db.close();
    }
  }, 300_000);
});
