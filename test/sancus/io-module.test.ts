// An AssemblyScript module with an input and an output (firmware/README.md "The mechanism"; issue 18 item 1),
// deployed on an emulated node with the firmware runtime (reached only through WAN frames) and with the minimal
// runtime: a genuine event reaches the input handler, forged, replayed and reordered ones never do; the handler sees
// only a pointer into its own linear memory; outputs leave sealed and open under the connection key; copy_in
// refuses the module's own text and data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callModule, deploySession, type DeploySession, type Placed } from '../../host/deploy/deploy.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import { openEvent, sealEvent } from '../../host/deploy/protocol.ts';
import { INPUT_OFFSET } from '../../toolchain/sancus/module/compiled.ts';
import { seededBytes } from './vectors.ts';

const SRC = join(process.cwd(), 'test/sancus/fixtures/io');

function descriptor(runtime: 'firmware' | 'minimal') {
  const d = {
    nodes: [{ name: 'node1', runtime }],
    modules: [
      { name: 'a', node: 'node1', vendor_id: '0x1234', source: SRC },
      { name: 'b', node: 'node1', vendor_id: '0x5678', source: SRC, inputs: ['in'], outputs: ['out'] },
    ],
    connections: [
      { id: 1, from: 'a.out', to: 'b.in' },
      { id: 2, from: 'wan.cmd', to: 'a.in' },
      { id: 3, from: 'b.out', to: 'wan.rep' },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'io-module-'));
  const file = join(dir, 'd.json');
  writeFileSync(file, JSON.stringify(d, null, 2));
  return parseDescriptor(JSON.stringify(d, null, 2), file);
}

const entry = (p: Placed, name: string) => 3 + p.spec.entries.findIndex((e) => (e.export ?? e.name) === name);
const r12 = async (p: Placed, name: string, args: number[] = []) => (await callModule(p, entry(p, name), args)).registers[0]!;
/** Delivers a sealed event from the WAN the way the deployment's transport does. */
async function fromWan(s: DeploySession, conn: number, sealed: Uint8Array): Promise<boolean> {
  const a = s.modules.get('a')!;
  if (a.node.wan) return a.node.wan.event(conn, sealed);
  const { EventManager } = await import('../../host/deploy/event-manager.ts');
  const em = new EventManager();
  em.routes.set(conn, { node: a.node.emulated!, module: 'a' });
  return em.deliver({ connection: conn, sealed });
}

for (const runtime of ['firmware', 'minimal'] as const) {
  describe(`AssemblyScript module with an input and an output (${runtime} runtime)`, () => {
    it('genuine events accepted; forged, replayed and reordered refused; the handler sees only its own memory', async () => {
      const { report, session } = await deploySession(descriptor(runtime), { random: seededBytes(11) });
      try {
        expect(report.modules.map((m) => [m.name, m.attestation.ok])).toEqual([['a', true], ['b', true]]);
        const a = session.modules.get('a')!;
        const b = session.modules.get('b')!;
        expect(a.spec.io!.io.map((x) => [x.kind, x.name])).toEqual([['output', 'out'], ['input', 'in']]);
        const cmd = session.wanEnds.get(2)!;
        const seal = (counter: number, bytes: number[]) => sealEvent(cmd.key, counter, Uint8Array.from(bytes));

        // a → b inside the node: a's output, sealed, routed by the untrusted side to b's input.
        const sent = await callModule(a, entry(a, 'emit'), [5, 0, 4, 0]);
        expect(sent.registers[0]).toBe(4);
        if (runtime === 'minimal') {
          // the host is the event manager here: it routes what it collected
          expect(sent.events.map((e) => e.connection)).toEqual([1]);
          const { EventManager } = await import('../../host/deploy/event-manager.ts');
          const em = new EventManager();
          em.routes.set(1, { node: b.node.emulated!, module: 'b' });
          expect(em.deliver(sent.events[0]!)).toBe(true);
        } else expect(sent.events).toEqual([]); // routed inside the node: the host never sees it
        expect(await r12(b, 'count')).toBe(1);
        expect(await r12(b, 'checksum')).toBe(5 + 6 + 7 + 8);
        expect(await r12(b, 'last_len')).toBe(4);
        // the handler's pointer is the input buffer inside b's own linear memory, never an outside address
        expect(await r12(b, 'last_ptr')).toBe(INPUT_OFFSET);

        // From the WAN (the host holds connection 2's key): the genuine event passes once.
        expect(await fromWan(session, 2, seal(0, [1, 2]))).toBe(true);
        expect(await r12(a, 'count')).toBe(1);
        expect(await r12(a, 'checksum')).toBe(3);
        // replayed: refused, the handler does not run
        expect(await fromWan(session, 2, seal(0, [1, 2]))).toBe(false);
        // forged: right counter, a tag made up without the key
        const forged = seal(1, [9, 9]);
        forged[forged.length - 1]! ^= 1;
        expect(await fromWan(session, 2, forged)).toBe(false);
        // a payload bit flipped under a genuine tag
        const flipped = seal(1, [9, 9]);
        flipped[0]! ^= 0x80;
        expect(await fromWan(session, 2, flipped)).toBe(false);
        // reordered: counter 2 before 1 is refused; 1 then 2 in order pass
        expect(await fromWan(session, 2, seal(2, [0, 4]))).toBe(false);
        expect(await fromWan(session, 2, seal(1, [0, 3]))).toBe(true);
        expect(await fromWan(session, 2, seal(2, [0, 4]))).toBe(true);
        expect(await r12(a, 'count')).toBe(3);
        expect(await r12(a, 'checksum')).toBe(3 + 3 + 4);

        // b's output to the WAN: sealed with the connection's counter; the host opens it, nobody else can.
        const out = await callModule(b, entry(b, 'emit'), [0x41, 0, 3, 0]);
        expect(out.events.map((e) => e.connection)).toEqual([3]);
        const rep = session.wanEnds.get(3)!;
        const plain = openEvent(rep.key, 0, out.events[0]!.sealed);
        expect(plain && Array.from(plain)).toEqual([0x41, 0x42, 0x43, 0]); // 3 bytes rounded up to a whole word
        expect(openEvent(cmd.key, 0, out.events[0]!.sealed)).toBeNull();

        // copy_in: the module's own data and text are refused (-1), unprotected memory is read
        const l = a.info.layout;
        expect(await r12(a, 'peek', [l.dataStart + 2, 0, 2, 0])).toBe(0xffff);
        expect(await r12(a, 'peek', [l.textStart, 0, 2, 0])).toBe(0xffff);
        expect(await r12(a, 'peek', [l.dataEnd - 1, 0, 4, 0])).toBe(0xffff); // straddling the end
        expect(await r12(a, 'peek', [l.textStart - 1, 0, 2, 0])).toBe(0xffff); // straddling the start
        expect(await r12(a, 'peek', [0xfffe, 0, 4, 0])).toBe(0xffff); // wrapping
        const bus = (a.node.firmware ?? a.node.emulated)!.machine.bus;
        expect(await r12(a, 'peek', [0xfffe, 0, 2, 0])).toBe(bus.peekWord(0xfffe) & 0xff); // the reset vector: unprotected
        const u = a.node.firmware?.sancus ?? a.node.emulated!.sancus;
        expect(u.violations).toEqual([]);
      } finally {
        await session.close();
      }
    }, 240_000);
  });
}
