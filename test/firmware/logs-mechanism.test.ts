// The three logs through the module mechanism (seed §4.5 "Separate logs", §4.4.1: "fill up the logs with less
// critical events ... an adversary would be unable to flush out an off-switch command"): CS security, the core, the
// off-switch module and the logs module deployed on an emulated node with the firmware runtime. The central system
// sends a disconnect, then floods the meter with appliance commands and unknown commands; reading the logs back
// through CS security (sealed replies only the central system opens) shows the disconnect still in the off-switch
// log and the security log bounded at its capacity, every command counted.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorFile } from '../descriptor-file.ts';
import { deploySession } from '../../host/deploy/deploy.ts';
import { openEvent, sealEvent } from '../../host/deploy/protocol.ts';
import { seededBytes } from '../sancus/vectors.ts';
import { u32le } from './harness.ts';

const FW = join(process.cwd(), 'firmware');

function descriptor() {
  const d = {
    nodes: [{ name: 'meter', runtime: 'firmware' }],
    modules: ['cs', 'core', 'offswitch', 'logs'].map((name, i) => ({ name, node: 'meter', vendor_id: `0x0e1${i}`, source: join(FW, name) })),
    connections: [
      { id: 1, from: 'wan.cs', to: 'cs.command' },
      { id: 2, from: 'cs.to_core', to: 'core.command' },
      { id: 3, from: 'cs.to_offswitch', to: 'offswitch.command' },
      { id: 4, from: 'cs.to_logs', to: 'logs.read' },
      { id: 5, from: 'cs.log', to: 'logs.security_cs' },
      { id: 6, from: 'core.log_security', to: 'logs.security' },
      { id: 7, from: 'offswitch.log', to: 'logs.offswitch' },
      { id: 8, from: 'core.credit', to: 'offswitch.credit' },
      { id: 9, from: 'logs.entry', to: 'wan.logs' },
    ],
  };
  return descriptorFile(d, 'meter-logs-');
}

describe('logs through inputs and outputs', () => {
  it('a flood of minor commands cannot flush the off-switch entry; the security log stays bounded', async () => {
    const { report, session } = await deploySession(descriptor(), { random: seededBytes(33) });
    try {
      expect(report.modules.every((m) => m.attestation.ok)).toBe(true);
      const wan = session.modules.get('cs')!.node.wan!;
      const cs = session.wanEnds.get(1)!;
      const logKey = session.wanEnds.get(9)!.key;
      let counter = 0;
      let replies = 0;
      const send = async (bytes: number[]) => {
        expect(await wan.event(1, sealEvent(cs.key, counter++, Uint8Array.from(bytes)))).toBe(true);
        return wan.takeOutputs();
      };
      const read = async (log: number, index: number) => {
        const out = (await send([7, log, index & 255, index >> 8])).filter((e) => e.connection === 9);
        expect(out.length).toBe(1);
        const p = openEvent(logKey, replies++, out[0]!.sealed)!;
        expect(p).not.toBeNull();
        return { log: p[0], found: p[1], seq: u32le(p, 4), kind: p[12], result: p[13] };
      };

      await send([0x10, 0]); // disconnect: the off-switch log
      for (let k = 0; k < 60; k++) await send([4, k & 3, 0, 0]); // appliance commands: the security log
      for (let k = 0; k < 10; k++) await send([0x77, k]); // unknown commands, refused by CS security: the security log

      expect(await read(2, 0)).toMatchObject({ log: 2, found: 1, seq: 1, kind: 16, result: 0 });
      const newest = await read(1, 0);
      expect(newest).toMatchObject({ log: 1, found: 1, seq: 70, kind: 6, result: 1 }); // every command counted
      expect(await read(1, 31)).toMatchObject({ found: 1 });
      expect(await read(1, 32)).toMatchObject({ found: 0, seq: 70 }); // bounded at its 32 entries
      expect(await read(0, 0)).toMatchObject({ log: 0, found: 0, seq: 0 }); // the metrology log untouched
      expect(await read(2, 1)).toMatchObject({ found: 0, seq: 1 });
      const u = session.modules.get('cs')!.node.firmware!.sancus;
      expect(u.violations).toEqual([]);
    } finally {
      await session.close();
    }
  }, 300_000);
});
