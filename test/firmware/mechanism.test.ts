// The off-switch path through the module mechanism (firmware/README.md "The mechanism"; seed §4.6.1 authentic
// execution, §4.6.3 "only the central system may issue commands to change the system's supply state"): the
// off-switch module and the relay driver, compiled from firmware/ and deployed on an emulated node with the firmware
// runtime (reached only through WAN frames). A central-system command sealed under the wan→offswitch key moves the
// board's relay; a forged, replayed or reordered one does not; a remote reconnect closes the relay only after the
// board's reconnect button is pressed; every command leaves a sealed off-switch log entry only the key holder opens.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorFile } from '../descriptor-file.ts';
import { callModule, deploySession, type Placed } from '../../host/deploy/deploy.ts';
import { openEvent, sealEvent } from '../../host/deploy/protocol.ts';
import { seededBytes } from '../sancus/vectors.ts';

const FW = join(process.cwd(), 'firmware');
const HZ = 20_000_000;

function descriptor() {
  const d = {
    nodes: [{ name: 'meter', runtime: 'firmware' }],
    modules: [
      { name: 'offswitch', node: 'meter', vendor_id: '0x0e01', source: join(FW, 'offswitch') },
      { name: 'relay', node: 'meter', vendor_id: '0x0e02', source: join(FW, 'relay') },
    ],
    connections: [
      { id: 1, from: 'wan.cs', to: 'offswitch.command' },
      { id: 2, from: 'offswitch.relay', to: 'relay.relay' },
      { id: 3, from: 'relay.local', to: 'offswitch.local' },
      { id: 4, from: 'offswitch.log', to: 'wan.offlog' },
    ],
  };
  return descriptorFile(d, 'meter-mech-');
}

const entry = (p: Placed, name: string) => 3 + p.spec.entries.findIndex((e) => (e.export ?? e.name) === name);

describe('off-switch and relay driver through inputs and outputs', () => {
  it('genuine CS commands move the relay; forged, replayed, reordered ones do not; reconnect needs the button', async () => {
    const { report, session } = await deploySession(descriptor(), { random: seededBytes(18) });
    try {
      expect(report.modules.map((m) => [m.name, m.attestation.ok])).toEqual([['offswitch', true], ['relay', true]]);
      const off = session.modules.get('offswitch')!;
      const relay = session.modules.get('relay')!;
      const node = off.node.firmware!;
      const board = node.machine.devices;
      const coil = board.find((d) => d.name === 'relay') as unknown as { closed: boolean };
      const button = board.find((d) => d.name === 'button') as unknown as { press(c: number): void };
      const cs = session.wanEnds.get(1)!;
      const logKey = session.wanEnds.get(4)!.key;
      let logCounter = 0;
      const logs: number[][] = [];
      const collect = (events: { connection: number; sealed: Uint8Array }[]) => {
        for (const e of events.filter((x) => x.connection === 4)) {
          const p = openEvent(logKey, logCounter++, e.sealed);
          expect(p).not.toBeNull();
          logs.push([p![0]!, p![1]!]);
        }
      };
      const send = async (counter: number, cmd: number, tamperTag = false) => {
        const sealed = sealEvent(cs.key, counter, Uint8Array.from([cmd, 0]));
        if (tamperTag) sealed[sealed.length - 1]! ^= 1;
        const ok = await off.node.wan!.event(1, sealed);
        collect(off.node.wan!.takeOutputs());
        return ok;
      };
      const poll = async () => {
        node.advance(HZ / 20); // 50 ms: the relay's contacts follow the coil
        const r = await callModule(relay, entry(relay, 'poll'), []);
        collect(r.events);
        return r.registers[0];
      };

      // Power-up: the relay driver drives the coil (supply on, the off-switch's initial state).
      await poll();
      await poll();
      expect(coil.closed).toBe(true);

      // A forged disconnect (tag not made with the key) never reaches the handler: relay unchanged, nothing logged.
      expect(await send(0, 0x10, true)).toBe(false);
      await poll();
      expect(coil.closed).toBe(true);
      expect(logs).toEqual([]);

      // The genuine one opens the relay and is logged (EV_DISCONNECT, OK).
      expect(await send(0, 0x10)).toBe(true);
      await poll();
      expect(coil.closed).toBe(false);
      expect(logs).toEqual([[16, 0]]);

      // Replayed and reordered commands are refused by the input path.
      expect(await send(0, 0x10)).toBe(false);
      expect(await send(2, 0x11)).toBe(false);

      // A genuine remote reconnect only arms; the button closes the relay.
      expect(await send(1, 0x11)).toBe(true);
      await poll();
      expect(coil.closed).toBe(false);
      button.press(HZ / 100);
      await poll();
      await poll();
      expect(coil.closed).toBe(true);
      expect(logs).toEqual([[16, 0], [17, 0], [21, 0]]);

      // The untrusted side cannot drive the relay module's input itself: an event on connection 2 not sealed by
      // the off-switch module is refused.
      expect(await off.node.wan!.event(2, sealEvent(new Uint8Array(8), 0, Uint8Array.from([0, 0])))).toBe(false);
      await poll();
      expect(coil.closed).toBe(true);
    } finally {
      await session.close();
    }
  }, 300_000);
});
