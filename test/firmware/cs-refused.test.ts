// Issue 18 item 7 (the hook of issue 19's brief): a central-system command the generated input path refuses —
// forged (tag not made with the key), replayed, reordered — is logged in the security log by CS security's refusal
// handler (`export function refused(conn, len)`, toolchain/sancus/module/runtime.ts IoSpec.refused), while the
// payload never reaches the module and the connection's counter stays: the genuine twin of a forged command, under
// the same counter, is still accepted after it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorFile } from '../descriptor-file.ts';
import { deploySession } from '../../host/deploy/deploy.ts';
import { openEvent, sealEvent } from '../../host/deploy/protocol.ts';
import { seededBytes } from '../sancus/vectors.ts';
import { eventTable } from '../../host/meter/events.ts';

const FW = join(process.cwd(), 'firmware');
const { kinds, results } = eventTable();
const code = (m: Map<string, number>, n: string) => m.get(n) ?? NaN;

function descriptor() {
  return descriptorFile({
    nodes: [{ name: 'meter', runtime: 'firmware' }],
    modules: [{ name: 'cs', node: 'meter', vendor_id: '0x0e21', source: join(FW, 'cs') }],
    connections: [
      { id: 1, from: 'wan.central', to: 'cs.command' },
      { id: 2, from: 'cs.log', to: 'wan.seclog' },
    ],
  }, 'cs-refused-');
}

describe('CS security logs the commands its input path refuses', () => {
  it('forged, replayed and reordered commands are logged (connection, length); the genuine twin still passes', async () => {
    const { session } = await deploySession(descriptor(), { random: seededBytes(19) });
    try {
      const cs = session.modules.get('cs')!;
      const central = session.wanEnds.get(1)!;
      const logKey = session.wanEnds.get(2)!.key;
      let logCounter = 0;
      const logs: { kind: number; result: number; aux: number; value: number }[] = [];
      const send = async (counter: number, plain: Uint8Array, tamper = false) => {
        const sealed = sealEvent(central.key, counter, plain);
        if (tamper) sealed[sealed.length - 1]! ^= 1;
        const ok = await cs.node.wan!.event(1, sealed);
        for (const e of cs.node.wan!.takeOutputs().filter((x) => x.connection === 2)) {
          const p = openEvent(logKey, logCounter++, e.sealed);
          expect(p).not.toBeNull();
          const dv = new DataView(p!.buffer, p!.byteOffset);
          logs.push({ kind: p![0]!, result: p![1]!, aux: dv.getUint16(2, true), value: dv.getUint32(4, true) });
        }
        return ok;
      };
      const refusedEntry = (len: number) => ({ kind: code(kinds, 'refused'), result: code(results, 'unauthentic'), aux: 1, value: len });
      // An unknown command byte: accepted by the input path, refused by CS security's routing (EV_CS_REJECT).
      const unknown = Uint8Array.of(0x7e, 0);

      // Forged (its tag flipped): refused by the input path and logged — the entry carries no payload byte.
      expect(await send(0, unknown, true)).toBe(false);
      expect(logs).toEqual([refusedEntry(2)]);
      // Its genuine twin under the same counter: the counter did not move, so it passes (and CS logs the reject).
      expect(await send(0, unknown)).toBe(true);
      expect(logs.slice(1)).toEqual([{ kind: code(kinds, 'cs_reject'), result: code(results, 'bad_format'), aux: 0x7e, value: 2 }]);
      // Replayed (counter 0 again) and reordered (counter 2 before 1): refused and logged, 4-byte length kept.
      expect(await send(0, Uint8Array.of(0x7e, 0, 0, 0))).toBe(false);
      expect(await send(2, unknown)).toBe(false);
      expect(logs.slice(2)).toEqual([refusedEntry(4), refusedEntry(2)]);
      // The next genuine command (counter 1) passes.
      expect(await send(1, unknown)).toBe(true);
      expect(logs).toHaveLength(5);
    } finally {
      await session.close();
    }
  }, 300_000);
});
