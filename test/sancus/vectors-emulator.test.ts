// The key-hierarchy vectors of ../shared/vectors/sancus.json through the emulator's instructions: SM_ENABLE (plain
// and confidential) derives the vectors' module keys from the node key, SM_VERIFY_ADDR accepts the identity MACs.
// (The wrap/unwrap vectors go through SM_AE_WRAP/UNWRAP in isa.test.ts; the raw permutation has no instruction.)
import { describe, expect, it } from 'vitest';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus, type SancusUnit } from '../../toolchain/emulator/sancus/unit.ts';
import { deriveModuleKeyFromVendorKey } from '../../toolchain/sancus/index.ts';
import { boardWith } from './emu.ts';
import { bytes, hex, layoutOf, sancusVectors, str } from './vectors.ts';

const CODE = 0x4000; // where the single instruction under test is placed
const TAG = 0x2000; // expected-tag buffer in data memory, outside every vector's data range

function machine(nodeKey: string): { m: Machine; u: SancusUnit } {
  const m = new Machine(boardWith({ node_key: nodeKey }));
  const u = attachSancus(m, { stopOnViolation: true })!;
  m.bus.poke(0x0120, 0x80); // watchdog: hold (as the prologue of a program would)
  m.bus.poke(0x0121, 0x5a);
  return { m, u };
}

/** Executes one Sancus instruction word at CODE with the given registers. */
function exec(m: Machine, word: number, regs: Record<number, number>): void {
  m.bus.poke(CODE, word & 0xff);
  m.bus.poke(CODE + 1, word >> 8);
  m.r[0] = CODE;
  m.r[1] = 0x2a00;
  for (const [r, v] of Object.entries(regs)) m.r[Number(r)] = v;
  expect(m.step().stop).toBe('stopped');
}

const poke = (m: Machine, at: number, b: Uint8Array) => b.forEach((x, i) => m.bus.poke(at + i, x));
const vec = (primitive: string) => sancusVectors.filter((v) => v.primitive === primitive);

describe('sancus.json key hierarchy through SM_ENABLE / SM_VERIFY_ADDR', () => {
  it('module-key vectors: enable with the vector\'s node key and vendor id derives the vector\'s module key', () => {
    const vs = vec('sancus_module_key');
    expect(vs.length).toBe(3);
    for (const v of vs) {
      const from = v.vendor_key_from as { node_key: string; vendor_id: string };
      const l = layoutOf(v);
      const { m, u } = machine(from.node_key);
      poke(m, l.textStart, bytes(str(v, 'text')));
      exec(m, 0x1381, { 9: 0, 10: 0, 11: parseInt(from.vendor_id, 16), 12: l.textStart, 13: l.textEnd, 14: l.dataStart, 15: l.dataEnd });
      expect(m.r[15], v.id).toBe(1);
      expect(hex(u.moduleById(1)!.key), v.id).toBe(str(v, 'module_key'));
    }
  });

  it('vendor-key vectors: the module key enable derives under each node key equals the one from the vector\'s vendor key', () => {
    const vs = vec('sancus_vendor_key');
    expect(vs.length).toBe(3);
    const text = Uint8Array.of(0x30, 0x41, 0x03, 0x43); // ret; nop
    const l = { textStart: 0x8000, textEnd: 0x8004, dataStart: 0x0400, dataEnd: 0x0410 };
    for (const v of vs) {
      const { m, u } = machine(str(v, 'node_key'));
      poke(m, l.textStart, text);
      exec(m, 0x1381, { 9: 0, 10: 0, 11: parseInt(str(v, 'vendor_id'), 16), 12: l.textStart, 13: l.textEnd, 14: l.dataStart, 15: l.dataEnd });
      expect(hex(u.moduleById(1)!.key), v.id).toBe(hex(deriveModuleKeyFromVendorKey(bytes(str(v, 'vendor_key')), text, l)));
    }
  });

  it('identity-MAC vectors: SM_VERIFY_ADDR returns the module ID for the vector\'s MAC, 0 for a flipped one', () => {
    const vs = vec('sancus_identity_mac_zero_key');
    expect(vs.length).toBe(3);
    for (const v of vs) {
      const l = layoutOf(v);
      const { m } = machine('deadbeefcafebabe');
      poke(m, l.textStart, bytes(str(v, 'text')));
      exec(m, 0x1381, { 10: 0, 11: 1, 12: l.textStart, 13: l.textEnd, 14: l.dataStart, 15: l.dataEnd });
      poke(m, TAG, bytes(str(v, 'mac')));
      exec(m, 0x1382, { 14: l.textStart, 15: TAG });
      expect(m.r[15], v.id).toBe(1);
      poke(m, TAG, bytes(str(v, 'mac')).map((x, i) => (i === 5 ? x ^ 4 : x)));
      exec(m, 0x1382, { 14: l.textEnd - 2, 15: TAG });
      expect(m.r[15], v.id).toBe(0);
    }
  });

  it('confidential-load vector: the cipher decrypts in place under the vendor key; the module key is that of the plaintext', () => {
    const [v] = vec('sancus_confidential_text_wrap');
    const from = v!.vendor_key_from as { node_key: string; vendor_id: string };
    const text = bytes(str(v!, 'text'));
    const l = { textStart: 0x8000, textEnd: 0x8000 + text.length, dataStart: 0x0400, dataEnd: 0x0420 };
    const { m, u } = machine(from.node_key);
    poke(m, l.textStart, bytes(str(v!, 'cipher')));
    poke(m, TAG, bytes(str(v!, 'tag')));
    exec(m, 0x1381, { 9: TAG, 10: parseInt(str(v!, 'nonce'), 16), 11: parseInt(from.vendor_id, 16), 12: l.textStart, 13: l.textEnd, 14: l.dataStart, 15: l.dataEnd });
    expect(m.r[15]).toBe(1);
    expect(hex(m.bus.mem.slice(l.textStart, l.textEnd))).toBe(str(v!, 'text'));
    expect(hex(u.moduleById(1)!.key)).toBe(hex(deriveModuleKeyFromVendorKey(bytes(str(v!, 'vendor_key')), text, l)));
  });
});
