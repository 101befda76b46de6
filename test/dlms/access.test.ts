import { describe, expect, it } from 'vitest';
import type { CosemData } from '../../host/dlms/axdr.ts';
import { DlmsRejectedError } from '../../host/dlms/errors.ts';
import { formatObis } from '../../host/dlms/obis.ts';
import type { Mechanism, Profile } from '../../host/dlms/security/hls.ts';
import { DAR } from '../../host/dlms/xdlms.ts';
import { associated, clientOptions, makeServer } from './helpers.ts';

// Issue 16 item 4: what an association's object list advertises is what the server enforces, and a refusal is
// logged with the rule (or the class capability) that refused it.

interface Entry {
  classId: number;
  ln: Uint8Array;
  attributes: number[];
  methods: number[];
}

function entries(list: CosemData): Entry[] {
  if (list.type !== 'array') throw new Error('object_list is not an array');
  return list.value.map((e) => {
    if (e.type !== 'structure') throw new Error('object_list entry is not a structure');
    const [cls, , ln, rights] = e.value;
    const modes = (x: CosemData | undefined) => (x?.type === 'array' ? x.value.map((s) => (s.type === 'structure' && s.value[1]?.type === 'enum' ? s.value[1].value : -1)) : []);
    if (cls?.type !== 'long-unsigned' || ln?.type !== 'octet-string' || rights?.type !== 'structure') throw new Error('bad object_list entry');
    return { classId: cls.value, ln: ln.value, attributes: modes(rights.value[0]), methods: modes(rights.value[1]) };
  });
}

async function darOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return DAR.success;
  } catch (e) {
    if (e instanceof DlmsRejectedError && typeof e.details?.dar === 'number') return e.details.dar;
    if (e instanceof DlmsRejectedError && typeof e.details?.result === 'number') return e.details.result;
    throw e;
  }
}

const CASES: [Profile, Mechanism, number][] = [
  ['standard', 'none', 16],
  ['standard', 'lls', 17],
  ['standard', 'hls-gmac', 1],
  ['hardened', 'hls-sha256', 4],
];

describe('access rights from one source (issue 16)', () => {
  for (const [profile, mechanism, sap] of CASES) {
    it(`${profile} ${mechanism}: every attribute's advertised read/write right is the one enforced`, async () => {
      const { server } = makeServer(profile);
      const refusals: string[] = [];
      server.onRefusal = (r) => refusals.push(r);
      const c = await associated(server, 'loopback', sap, clientOptions({ mechanism, profile }));
      const list = entries(await c.get(15, '0.0.40.0.0.255', 2));
      expect(list.length).toBeGreaterThan(3);
      let writesTried = 0;
      for (const e of list) {
        for (let attr = 1; attr <= e.attributes.length; attr++) {
          const mode = e.attributes[attr - 1]!;
          const where = `${formatObis(e.ln)}:${attr} mode ${mode}`;
          let current: CosemData | undefined;
          const readDar = await darOf(c.get(e.classId, e.ln, attr).then((v) => (current = v)));
          if (mode & 1) expect(readDar, where).not.toBe(DAR.readWriteDenied);
          else expect(readDar, where).toBe(DAR.readWriteDenied);
          // Write back what was read (or a null where nothing could be read): only the right is under test.
          const writeDar = await darOf(c.set(e.classId, e.ln, attr, current ?? { type: 'null' }));
          writesTried++;
          if (mode & 2) expect(writeDar, where).not.toBe(DAR.readWriteDenied);
          else expect(writeDar, where).toBe(DAR.readWriteDenied);
        }
      }
      // Methods: those advertised may be invoked (they may still fail on their parameters), the others are denied.
      // reply_to_HLS_authentication is left out: once associated it refuses by state, not by right.
      let methodsTried = 0;
      for (const e of list) {
        for (let m = 1; m <= e.methods.length; m++) {
          if (e.classId === 15 && m === 1) continue;
          const where = `${formatObis(e.ln)} method ${m} mode ${e.methods[m - 1]}`;
          const dar = await darOf(c.action(e.classId, e.ln, m, { type: 'null' }));
          methodsTried++;
          if (e.methods[m - 1]) expect(dar, where).not.toBe(DAR.readWriteDenied);
          else expect(dar, where).toBe(DAR.readWriteDenied);
        }
      }
      expect(writesTried).toBeGreaterThan(10);
      expect(methodsTried).toBeGreaterThan(0);
      // Every denied write was logged with the rule or capability behind it.
      expect(refusals.filter((r) => r.startsWith('SET refused')).length).toBeGreaterThan(0);
      for (const r of refusals.filter((x) => x.startsWith('SET refused'))) expect(r).toMatch(/by rule \{obis: '[^']+', write: [^}]+\}|the class does not allow writing it/);
    });
  }

  it('the energy register: the management list says read-only, SET is refused, and the log says why', async () => {
    const { server } = makeServer('standard');
    const refusals: string[] = [];
    server.onRefusal = (r) => refusals.push(r);
    const c = await associated(server, 'loopback', 1, clientOptions({ mechanism: 'hls-gmac', profile: 'standard' }));
    const reg = entries(await c.get(15, '0.0.40.0.0.255', 2)).find((e) => formatObis(e.ln) === '1.0.1.8.0.255')!;
    expect(reg.attributes).toEqual([1, 1, 1]);
    expect(reg.methods).toEqual([1]);
    expect(await darOf(c.set(3, '1.0.1.8.0.255', 2, { type: 'double-long-unsigned', value: 1 }))).toBe(DAR.readWriteDenied);
    expect(refusals.at(-1)).toBe(
      "SET refused: write of Register 1.0.1.8.0.255 attribute 2 denied to association 'management-gmac' (client SAP 1): the class does not allow writing it (writable: [])",
    );
    // The clock's time is advertised writable and is written.
    const clock = entries(await c.get(15, '0.0.40.0.0.255', 2)).find((e) => formatObis(e.ln) === '0.0.1.0.0.255')!;
    expect(clock.attributes[1]).toBe(3);
    await c.set(8, '0.0.1.0.0.255', 2, await c.get(8, '0.0.1.0.0.255', 2));
  });

  it('the public client: a SET is refused by its rule, named in the log', async () => {
    const { server } = makeServer('standard');
    const refusals: string[] = [];
    server.onRefusal = (r) => refusals.push(r);
    const c = await associated(server, 'loopback', 16, clientOptions({ mechanism: 'none', profile: 'standard' }));
    expect(await darOf(c.set(8, '0.0.1.0.0.255', 2, await c.get(8, '0.0.1.0.0.255', 2)))).toBe(DAR.readWriteDenied);
    expect(refusals.at(-1)).toBe("SET refused: write of Clock 0.0.1.0.0.255 attribute 2 denied to association 'public' (client SAP 16) by rule {obis: '0.0.1.0.0.255', write: none}");
  });
});
