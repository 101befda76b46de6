// hasm deploy: the two-module example end to end (library and CLI), attestation of a tampered image, a confidential
// load, and descriptor errors that name the file and the place.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, OperationError } from '../../toolchain/common/errors.ts';
import { loadDescriptor, parseDescriptor } from '../../host/deploy/descriptor.ts';
import { deploy } from '../../host/deploy/deploy.ts';
import { seededBytes } from './vectors.ts';

const EXAMPLE = 'host/deploy/examples/two-modules.json';
const base = () => JSON.parse(execFileSync('cat', [EXAMPLE], { encoding: 'utf8' }));

describe('hasm deploy', () => {
  it('the example: two modules attested, linked, an authenticated event passes, forged and replayed refused', async () => {
    const r = await deploy(loadDescriptor(EXAMPLE), { random: seededBytes(7) });
    expect(r.ok).toBe(true);
    expect(r.modules.map((m) => [m.name, m.id, m.attestation.ok])).toEqual([['meter', 1, true], ['relay', 2, true]]);
    expect(r.connections).toEqual([{ id: 1, from: 'meter.reading', to: 'relay.switch', keys_installed: true }]);
    expect(r.script.map((s) => [s.kind, s.events.map((e) => e.accepted)])).toEqual([
      ['call', [true]], ['call', []], ['forge', [false]], ['replay', [false]], ['call', []], ['call', []],
    ]);
    expect(r.violations).toEqual([]);
  });

  it('loading through the serial debug interface and copying directly give the same deployment', async () => {
    const d = base();
    expect(d.nodes[0].loader).toBe('debug-uart');
    const viaDebug = await deploy(parseDescriptor(JSON.stringify(d), join(process.cwd(), EXAMPLE)), { random: seededBytes(9) });
    d.nodes[0].loader = 'direct';
    const direct = await deploy(parseDescriptor(JSON.stringify(d), join(process.cwd(), EXAMPLE)), { random: seededBytes(9) });
    expect(viaDebug.nodes[0]!.loader).toBe('debug-uart');
    expect({ ...viaDebug, nodes: [], startup: [] }).toEqual({ ...direct, nodes: [], startup: [] }); // start-up cycles differ by loader
  });

  it('fresh challenges: two runs with different randomness give different attestation tags', async () => {
    const a = await deploy(loadDescriptor(EXAMPLE), { random: seededBytes(1) });
    const b = await deploy(loadDescriptor(EXAMPLE), { random: seededBytes(2) });
    expect(a.modules[0]!.attestation.tag).not.toBe(b.modules[0]!.attestation.tag);
  });

  it('attestation of a tampered image fails (one byte of the relay text changed before enable)', async () => {
    const tamper = (node: import('../../host/deploy/node.ts').EmulatedNode) => {
      const l = node.module('relay').layout;
      const at = l.textEnd - 2;
      node.machine.bus.poke(at, node.machine.bus.mem[at]! ^ 0x01);
    };
    await expect(deploy(loadDescriptor(EXAMPLE), { beforeEnable: tamper })).rejects.toThrow(OperationError);
    await expect(deploy(loadDescriptor(EXAMPLE), { beforeEnable: tamper })).rejects.toThrow(/attestation of module 'relay' on node 'node1' failed/);
  });

  it('a confidential load (text travels wrapped under the vendor key) deploys and attests', async () => {
    const d = base();
    d.modules[1].confidential_nonce = '0x4242';
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    const file = join(dir, 'd.json');
    for (const f of ['meter.s', 'relay.s']) writeFileSync(join(dir, f), execFileSync('cat', [`host/deploy/examples/${f}`]));
    writeFileSync(file, JSON.stringify(d));
    const r = await deploy(loadDescriptor(file), { random: seededBytes(3) });
    expect(r.ok).toBe(true);
    expect(r.modules[1]!.confidential).toBe(true);
  });

  it('two nodes: the event crosses from node1 to node2 through the event manager', async () => {
    const d = base();
    d.nodes.push({ name: 'node2' });
    d.modules[1].node = 'node2';
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    const file = join(dir, 'd.json');
    for (const f of ['meter.s', 'relay.s']) writeFileSync(join(dir, f), execFileSync('cat', [`host/deploy/examples/${f}`]));
    writeFileSync(file, JSON.stringify(d));
    const r = await deploy(loadDescriptor(file), { random: seededBytes(4) });
    expect(r.ok).toBe(true);
    expect(r.nodes.map((n) => n.modules)).toEqual([['meter'], ['relay']]);
    expect(r.modules.map((m) => [m.node, m.id])).toEqual([['node1', 1], ['node2', 1]]);
    expect(r.script[0]!.events[0]!.accepted).toBe(true);
  });

  it('an AssemblyScript module in the descriptor is compiled, packaged, attested and called', async () => {
    const d = base();
    d.modules.push({ name: 'tariff', node: 'node1', vendor_id: 7, source: join(process.cwd(), 'test/sancus/fixtures/tariff.ts'), entries: [{ name: 'add' }, { name: 'bill' }] });
    d.script.push({ call: 'tariff.add', args: [5, 0], expect: 5 }, { call: 'tariff.bill', expect: 35 });
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    const file = join(dir, 'd.json');
    for (const f of ['meter.s', 'relay.s']) writeFileSync(join(dir, f), execFileSync('cat', [`host/deploy/examples/${f}`]));
    writeFileSync(file, JSON.stringify(d));
    const r = await deploy(loadDescriptor(file), { random: seededBytes(5) });
    expect(r.ok).toBe(true);
    expect(r.modules.find((m) => m.name === 'tariff')).toMatchObject({ id: 3, attestation: { ok: true } });
    expect(r.script.slice(-2).map((s) => s.result)).toEqual([5, 35]);
  });

  it('the CLI: --json prints one report object, exit 0; a bad descriptor exits 2 with file:line', async () => {
    const out = execFileSync('node', ['bin/hasm.mjs', 'deploy', EXAMPLE, '--json'], { encoding: 'utf8' });
    const r = JSON.parse(out);
    expect(r.ok).toBe(true);
    expect(r.script[2].events[0].accepted).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    const file = join(dir, 'bad.json');
    const d = base();
    d.connections[0].to = 'relay.nothing';
    writeFileSync(file, JSON.stringify(d, null, 2));
    const p = spawnSync('node', ['bin/hasm.mjs', 'deploy', file, '--json'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stdout + p.stderr).toMatch(/bad\.json:\d+:\d+: descriptor \/connections\/0\/to: module 'relay' has no input 'nothing' \(its inputs: switch\)/);
  });
});

describe('descriptor errors', () => {
  const bad = (mutate: (d: any) => void) => {
    const d = base();
    mutate(d);
    return () => parseDescriptor(JSON.stringify(d, null, 2), 'x.json');
  };
  it('schema violations name the path', async () => {
    expect(bad((d) => (d.modules[0].vendor_id = '0x12345'))).toThrow(/x\.json:\d+:\d+: descriptor \/modules\/0\/vendor_id/);
    expect(bad((d) => (d.nodes[0].colour = 'red'))).toThrow(/descriptor \/nodes\/0: unknown field "colour"/);
    expect(bad((d) => delete d.modules)).toThrow(/descriptor \(top level\): missing field "modules"/);
  });
  it('cross-references are checked', async () => {
    expect(bad((d) => (d.modules[0].node = 'node9'))).toThrow(/module 'meter' is on node 'node9', which is not in "nodes"/);
    expect(bad((d) => (d.connections[0].from = 'relay.switch'))).toThrow(/module 'relay' has no output 'switch'/);
    expect(bad((d) => d.connections.push({ id: 1, from: 'meter.reading', to: 'relay.switch' }))).toThrow(/connection id 1 is used twice/);
    expect(bad((d) => (d.script[0].call = 'meter.nope'))).toThrow(/module 'meter' has no entry 'nope'/);
    expect(bad((d) => (d.modules[0].confidential_nonce = 0))).toThrow(/must not be 0/);
    expect(() => parseDescriptor('{"nodes": [', 'y.json')).toThrow(InputError);
  });
});
