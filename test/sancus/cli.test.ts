import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bytes, hex, layoutOf, sancusVectors, str, type SancusVector } from './vectors.ts';
import { wrap } from '../../toolchain/sancus/spongewrap.ts';

// `hasm sancus …` as a process (../shared/CLI.md § Sancus): every vector of sancus.json, the exit codes and the
// {"error"} object on a bad tag.

interface Run { code: number; out: string; err: string }

function hasm(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/hasm.mjs', 'sancus', ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** Runs the jobs a few at a time (each process pays tsx's start-up). */
async function all<T>(jobs: (() => Promise<T>)[], width = 4): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

const json = (r: Run) => JSON.parse(r.out) as Record<string, string>;

/** One CLI invocation per vector and what its JSON must be. Odd/empty AD vectors are library semantics. */
function casesFor(v: SancusVector): { args: string[]; want: Record<string, string> | null; code: number }[] {
  const lib = (ad: string, body: string) => (ad.length === 0 || (ad.length / 2) % 2 || (body.length / 2) % 2 ? ['--library'] : []);
  switch (v.primitive) {
    case 'spongent_permutation':
      return [{ args: ['permute', str(v, 'state_in'), '--json'], want: { state: str(v, 'state_out') }, code: 0 }];
    case 'spongewrap_wrap': {
      const [ad, body] = [str(v, 'ad'), str(v, 'body')];
      const c = [{ args: ['wrap', '--key', str(v, 'key'), '--ad', ad, '--body', body, '--json', ...lib(ad, body)], want: { cipher: str(v, 'cipher'), tag: str(v, 'tag') }, code: 0 }];
      if (body === '') c.push({ args: ['mac', '--key', str(v, 'key'), ad, '--json', ...lib(ad, body)], want: { tag: str(v, 'tag') } as never, code: 0 });
      return c;
    }
    case 'spongewrap_unwrap':
      return [{
        args: ['unwrap', '--key', str(v, 'key'), '--ad', str(v, 'ad'), '--cipher', str(v, 'cipher'), '--tag', str(v, 'tag'), '--json'],
        want: v.ok ? { body: str(v, 'body') } : null,
        code: v.ok ? 0 : 1,
      }];
    case 'sancus_vendor_key':
      return [{ args: ['vendor-key', '--node-key', str(v, 'node_key'), '--vendor', str(v, 'vendor_id'), '--json'], want: { key: str(v, 'vendor_key') }, code: 0 }];
    case 'sancus_module_key':
    case 'sancus_identity_mac_zero_key': {
      const l = layoutOf(v);
      const layout = [l.textStart, l.textEnd, l.dataStart, l.dataEnd].map((a) => '0x' + a.toString(16)).join(':');
      const vk = v.primitive === 'sancus_module_key' ? str(v, 'vendor_key') : '0000000000000000';
      const want = v.primitive === 'sancus_module_key' ? str(v, 'module_key') : str(v, 'mac');
      return [{ args: ['module-key', '--vendor-key', vk, '--text', str(v, 'text'), '--layout', layout, '--json'], want: { key: want }, code: 0 }];
    }
    case 'sancus_confidential_text_wrap':
      return [{ args: ['wrap', '--key', str(v, 'vendor_key'), '--ad', str(v, 'ad'), '--body', str(v, 'text'), '--json'], want: { cipher: str(v, 'cipher'), tag: str(v, 'tag') }, code: 0 }];
    default:
      throw new Error(`no CLI case for ${v.primitive}`);
  }
}

describe('hasm sancus', () => {
  it('reproduces every vector of sancus.json', async () => {
    const cases = sancusVectors.flatMap((v) => casesFor(v).map((c) => ({ ...c, id: v.id })));
    expect(cases.length).toBeGreaterThanOrEqual(sancusVectors.length);
    const runs = await all(cases.map((c) => () => hasm(c.args)));
    cases.forEach((c, i) => {
      const r = runs[i]!;
      expect(r.code, `${c.id}: ${r.err}`).toBe(c.code);
      if (c.want) expect(json(r), c.id).toEqual(c.want);
      else expect(json(r).error, c.id).toMatch(/tag mismatch/);
    });
  }, 120_000);

  it('hardware semantics by default, library on request, exit codes 1 and 2', async () => {
    const key = '0123456789abcdef';
    const hw = wrap(bytes(key), bytes('aabbcc'), bytes('112233'));
    const [a, b, bad, usage, short, unknown, layout] = await all([
      () => hasm(['wrap', '--key', key, '--ad', 'aabbcc', '--body', '112233', '--json']),
      () => hasm(['wrap', '--key', key, '--ad', 'aabbcc', '--body', '112233', '--json', '--library']),
      () => hasm(['unwrap', '--key', key, '--ad', 'aabbcc', '--cipher', hex(hw.cipher)!, '--tag', '0000000000000000', '--json']),
      () => hasm(['wrap', '--key', key, '--ad', 'aabbcc', '--json']),
      () => hasm(['mac', '--key', 'abcd', '00', '--json']),
      () => hasm(['frobnicate']),
      () => hasm(['module-key', '--vendor-key', key, '--text', '0011', '--layout', '0x8000:0x8004:0x200:0x210', '--json']),
    ]);
    expect(a!.code).toBe(0);
    expect(json(a!)).toEqual({ cipher: hex(hw.cipher), tag: hex(hw.tag) });
    expect(a!.err).toMatch(/odd length/);
    expect(b!.code).toBe(0);
    expect(json(b!).cipher).toHaveLength(6);
    expect(json(b!).tag).not.toBe(hex(hw.tag));
    expect(bad!.code).toBe(1);
    expect(json(bad!)).toHaveProperty('error');
    for (const r of [usage!, short!, unknown!, layout!]) expect(r.code).toBe(2);
    expect(json(usage!).error).toMatch(/--body/);
    expect(json(short!).error).toMatch(/8 bytes/);
    expect(json(layout!).error).toMatch(/2 bytes/);
  }, 60_000);
});
