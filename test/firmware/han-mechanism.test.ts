// Consumer feedback end to end (seed §4.3.4; §4.6.4 requirement 1, SMIP: the HAN gateway gets an update at least
// every 10 s) and exact billing (issue 18 item 7): the clock and metrology drivers, the core and the HAN gateway
// deployed on an emulated node with the firmware runtime, which polls the drivers periodically. Over a minute of
// virtual time with a constant load, frames appear on the board's transmit-only HAN UART at least every 10 s, and
// the energy they show is what the ADE7953 front end counted, to its resolution.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorFile } from '../descriptor-file.ts';
import { deploySession } from '../../host/deploy/deploy.ts';
import { seededBytes } from '../sancus/vectors.ts';

const FW = join(process.cwd(), 'firmware');
const HZ = 20_000_000;

function descriptor() {
  const d = {
    nodes: [{ name: 'meter', runtime: 'firmware' }],
    modules: [
      { name: 'clock', node: 'meter', vendor_id: '0x0e21', source: join(FW, 'clock'), periodic: [{ entry: 'poll', every_ms: 500 }] },
      { name: 'metrology', node: 'meter', vendor_id: '0x0e22', source: join(FW, 'metrology'), periodic: [{ entry: 'poll', every_ms: 1000 }] },
      { name: 'core', node: 'meter', vendor_id: '0x0e23', source: join(FW, 'core') },
      { name: 'han', node: 'meter', vendor_id: '0x0e24', source: join(FW, 'han') },
    ],
    connections: [
      { id: 1, from: 'clock.tick', to: 'core.tick' },
      { id: 2, from: 'metrology.energy', to: 'core.energy' },
      { id: 3, from: 'core.han', to: 'han.status' },
    ],
  };
  return descriptorFile(d, 'meter-han-');
}

/** HAN frames from the UART's bytes: [7E][type][seq][n][n bytes][crc lo][crc hi]. */
function frames(bytes: number[]): { type: number; seq: number; payload: number[] }[] {
  const out = [];
  for (let i = 0; i + 4 <= bytes.length; ) {
    if (bytes[i] !== 0x7e) {
      i++;
      continue;
    }
    const n = bytes[i + 3]!;
    if (i + 6 + n > bytes.length) break;
    out.push({ type: bytes[i + 1]!, seq: bytes[i + 2]!, payload: bytes.slice(i + 4, i + 4 + n) });
    i += 6 + n;
  }
  return out;
}
const be32 = (b: number[], o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

describe('HAN gateway through inputs and outputs', () => {
  it('a status at least every 10 s of virtual time, its energy equal to what the front end counted', async () => {
    const { report, session } = await deploySession(descriptor(), { random: seededBytes(44) });
    try {
      expect(report.modules.every((m) => m.attestation.ok)).toBe(true);
      const fw = session.modules.get('core')!.node.firmware!;
      const ade = fw.machine.devices.find((d) => d.name === 'metrology') as unknown as { setSupply(c: boolean): void; setLoad(w: number): void; lsbFed(): bigint };
      ade.setSupply(true); // the relay's contacts closed (the relay driver is not in this deployment)
      ade.setLoad(7200); // 2 Wh per second
      const start = fw.hanBytes.length;
      const times: number[] = [];
      for (let s = 0; s < 60; s++) {
        fw.advance(HZ);
        const got = frames(fw.hanBytes.slice(start)).filter((f) => f.type === 1).length;
        if (got > times.length) times.push(s + 1);
      }
      const status = frames(fw.hanBytes.slice(start)).filter((f) => f.type === 1);
      expect(status.length).toBeGreaterThanOrEqual(6);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.max(times[0]!, ...gaps)).toBeLessThanOrEqual(10);
      // sequence numbers count up with no gap
      status.forEach((f, i) => expect(f.seq).toBe((status[0]!.seq + i) & 255));
      // the last frame's energy (1.0.1.8.0, item 2) is at most what the chip counted and within the last status
      // period's energy of it (the core reports every 5 s; the driver keeps sub-Wh remainders)
      const last = status[status.length - 1]!.payload;
      expect(last.slice(11, 17)).toEqual([1, 0, 1, 8, 0, 255]);
      const wh = be32(last, 18);
      const counted = Number(ade.lsbFed()) / 1000;
      expect(wh).toBeLessThanOrEqual(counted);
      expect(counted - wh).toBeLessThan(2 * 6 + 1);
      expect(wh).toBeGreaterThan(90);
      expect(be32(last, 29)).toBe(7200); // power (1.0.1.7.0)
    } finally {
      await session.close();
    }
  }, 600_000);
});
