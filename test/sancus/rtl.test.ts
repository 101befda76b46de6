import { describe, expect, it } from 'vitest';
import { FlatMemory, readKeyFromMemory, SancusCryptoUnit } from '../../toolchain/sancus/crypto-unit.ts';
import {
  disableCycles, enableCycles, ID_CYCLES, rangeWords, unwrapCycles, verifyCycles, wrapCycles,
} from '../../toolchain/sancus/cycles.ts';
import { DEFAULT_NODE_KEY } from '../../toolchain/sancus/params.ts';
import { bytes, hex, rtlCases, type RtlCase } from './vectors.ts';

// rtl-vectors.json: runs of sancus-core's crypto unit RTL (crypto_control.v, sponge_wrap.v, spongent*.v at
// commit b6b53bb, SECURITY 64, MASTER_KEY deadbeefcafebabe) under Icarus Verilog with a bus model around it —
// odd lengths, empty ranges, keys from memory or from the module slot, a stale data register, confidential loads
// with good and bad tags, verify hits and misses, disable. Each must come out of our model word for word, with
// the same r15, the same hang, and the cycle count our formula gives.

function setUp(c: RtlCase) {
  const mem = new FlatMemory();
  for (const s of c.mem) mem.load(s.addr, bytes(s.hex));
  const unit = new SancusCryptoUnit();
  unit.dataIn = c.stale;
  const r = c.regs;
  const layout = { textStart: r.ps!, textEnd: r.pe!, dataStart: r.ss!, dataEnd: r.se! };
  return { mem, unit, r, layout };
}

function regionsOf(mem: FlatMemory, c: RtlCase) {
  return c.expect.regions.map((g) => ({ addr: g.addr, hex: hex(mem.slice(g.addr, g.hex.length / 2)) }));
}

describe('crypto unit model vs the sancus-core RTL', () => {
  it('has cases of every kind, including hangs and failures', () => {
    const kinds = new Set(rtlCases.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['disable', 'enable', 'id', 'unwrap', 'verify', 'wrap']);
    expect(rtlCases.filter((c) => c.expect.hang).length).toBeGreaterThan(0);
    expect(rtlCases.filter((c) => c.expect.r15 === '0000').length).toBeGreaterThan(10);
  });

  rtlCases.forEach((c, i) => {
    const r0 = c.regs;
    const name = `#${i} ${c.kind} ` + (c.kind === 'wrap' || c.kind === 'unwrap'
      ? `ad ${r0.r11! - r0.r10!} body ${r0.r13! - r0.r12!} key ${r0.r9 ? 'mem' : 'slot'}`
      : `text ${(r0.pe ?? 0) - (r0.ps ?? 0)} data ${(r0.se ?? 0) - (r0.ss ?? 0)}${r0.r10 ? ' confidential' : ''}`);
    it(name, () => {
      const { mem, unit, r, layout } = setUp(c);
      const e = c.expect;
      switch (c.kind) {
        case 'wrap':
        case 'unwrap': {
          const key = r.r9 ? readKeyFromMemory(mem, r.r9) : bytes(c.smkey);
          const res = c.kind === 'wrap'
            ? unit.wrap(mem, key, r.r10!, r.r11!, r.r12!, r.r13!, r.r14!, r.r15!)
            : unit.unwrap(mem, key, r.r10!, r.r11!, r.r12!, r.r13!, r.r14!, r.r15!);
          expect(res.hang).toBe(e.hang);
          if (!e.hang) expect(res.ok ? '0001' : '0000').toBe(e.r15);
          expect(regionsOf(mem, c)).toEqual(e.regions);
          const a = rangeWords(r.r10!, r.r11!), b = rangeWords(r.r12!, r.r13!);
          const cycles = c.kind === 'wrap' ? wrapCycles(a, b, r.r9 !== 0) : unwrapCycles(a, b, r.r9 !== 0);
          if (e.hang) expect(cycles).toBe(Infinity);
          else expect(cycles).toBe(e.cycles);
          break;
        }
        case 'enable': {
          const conf = r.r10 ? { nonce: r.r10, tagPtr: r.r9! } : undefined;
          const res = unit.enable(mem, DEFAULT_NODE_KEY, r.r11!, layout, conf);
          expect(res.ok ? '0001' : '0000').toBe(e.r15);
          if (res.ok) expect(hex(res.key)).toBe(e.smkey);
          expect(regionsOf(mem, c)).toEqual(e.regions); // in-place decryption, even when the tag fails
          const mode = !conf ? 'no' : res.ok ? 'ok' : 'bad';
          expect(enableCycles(rangeWords(layout.textStart, layout.textEnd), mode)).toBe(e.cycles);
          break;
        }
        case 'verify': {
          const res = unit.verify(mem, layout, r.r15!);
          expect(res.ok ? '0001' : '0000').toBe(e.r15);
          expect(verifyCycles(rangeWords(layout.textStart, layout.textEnd))).toBe(e.cycles);
          break;
        }
        case 'disable': {
          unit.disable(mem, layout);
          expect(regionsOf(mem, c)).toEqual(e.regions);
          expect(e.r15).toBe('1234'); // disable writes r15 (the continuation) to the PC
          expect(disableCycles(rangeWords(layout.textStart, layout.textEnd), rangeWords(layout.dataStart, layout.dataEnd))).toBe(e.cycles);
          break;
        }
        case 'id':
          expect(ID_CYCLES).toBe(e.cycles);
          break;
      }
    });
  });
});

describe('hardware quirks the vectors pin down', () => {
  const key = bytes('0102030405060708');
  it('a MAC of nothing does not depend on the key (empty blocks replace the key blocks)', () => {
    const tags = [key, bytes('f0e1d2c3b4a59687')].map((k) => {
      const mem = new FlatMemory();
      new SancusCryptoUnit().wrap(mem, k, 0x200, 0x200, 0x400, 0x400, 0x600, 0x700);
      return hex(mem.slice(0x700, 8));
    });
    expect(tags[0]).toBe(tags[1]);
  });
  it('unwrap with empty AD and empty cipher never completes', () => {
    const res = new SancusCryptoUnit().unwrap(new FlatMemory(), key, 0x200, 0x200, 0x400, 0x400, 0x600, 0x700);
    expect(res).toMatchObject({ ok: false, hang: true });
  });
});
