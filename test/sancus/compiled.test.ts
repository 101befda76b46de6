// An AssemblyScript module compiled by toolchain/compiler, packaged as a Sancus module: enabled, attested, called
// through its entries; its globals are protected like any module data.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { compiledModuleSpec } from '../../toolchain/sancus/module/compiled.ts';
import { expectedModuleKey } from '../../toolchain/sancus/module/package.ts';
import { DEFAULT_NODE_KEY, deriveVendorKey } from '../../toolchain/sancus/index.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { compileAs } from '../../host/deploy/compile-as.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { attestationTag } from '../../host/deploy/protocol.ts';

const SRC = fileURLToPath(new URL('./fixtures/tariff.ts', import.meta.url));

describe('compiled (AssemblyScript) module', () => {
  it('packages, enables, attests and runs through its entries; its globals are module data', async () => {
    const board = loadBoard('emulated');
    const build = await buildSource(SRC, board);
    const spec = compiledModuleSpec('tariff', 0x7a11, build.backend);
    expect(spec.entries.map((e) => [e.export ?? e.name, e.results])).toEqual([['__sm_tariff__hasm_init', 0], ['add', 2], ['setRate', 0], ['bill', 2]]);
    const built = buildNodeImage(board, [spec]);
    // The unit's standalone entry (_start: stack, watchdog, halt) is linked in a standalone image, never in the module.
    expect(build.image.symbols.some((x) => x.name === '_start')).toBe(true);
    expect(Object.keys(built.modules[0]!.symbols).filter((k) => /standalone|_start$/.test(k) && !k.endsWith('text_start') && !k.endsWith('data_start'))).toEqual([]);
    const node = new EmulatedNode('n', board, built.image, built.modules);
    expect(node.enable('tariff')).toBe(1);
    node.callEntry('tariff', 3); // the wasm start function (global initialisers)
    const u32 = (r: number[]) => r[12]! | (r[13]! << 16);
    expect(u32(node.callEntry('tariff', 4, [1000, 0]).registers)).toBe(1000);
    expect(u32(node.callEntry('tariff', 4, [0x2345, 1]).registers)).toBe(1000 + 0x12345);
    expect(u32(node.callEntry('tariff', 6).registers)).toBe((1000 + 0x12345) * 7);
    node.callEntry('tariff', 5, [3, 0]);
    expect(u32(node.callEntry('tariff', 6).registers)).toBe((1000 + 0x12345) * 3);
    // Attestation under the key the deployer derives for this image.
    const info = built.modules[0]!;
    const key = expectedModuleKey(info, deriveVendorKey(DEFAULT_NODE_KEY, 0x7a11));
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => i * 3);
    node.write(node.mailbox, challenge);
    expect(node.callEntry('tariff', 0, [node.mailbox, node.mailbox + 16]).registers[12]).toBe(1);
    expect(Buffer.from(node.read(node.mailbox + 16, 8)).toString('hex')).toBe(Buffer.from(attestationTag(key, challenge)).toString('hex'));
    // The linear memory/globals are inside the module's data: unprotected code cannot read them.
    // (a module without memory instructions has no linear memory: its globals are the state)
    const mem = info.symbols['__sm_tariff__hasm_mem'] ?? Object.entries(info.symbols).find(([k]) => k.startsWith('__sm_tariff__m_g_'))?.[1];
    expect(mem).toBeGreaterThanOrEqual(info.layout.dataStart);
    expect(mem).toBeLessThan(info.layout.dataEnd);
    const before = node.sancus.violations.length;
    expect(Array.from(node.read(mem!, 2))).toEqual([0, 0]);
    expect(node.sancus.violations.slice(before).map((v) => [v.kind, v.address, v.module])).toEqual([['read', mem, 1], ['read', mem! + 1, 1]]);
  });
});

describe('copy_out (hasm.copy_out: into unprotected memory only)', () => {
  it('writes unprotected memory, refuses the module\'s own text and data and a range that wraps', async () => {
    const board = loadBoard('emulated');
    // Compiled without linking (the glue comes with the packaging), as hasm build does.
    const c = await compileAs(fileURLToPath(new URL('./fixtures/copy-out.ts', import.meta.url)), board);
    const built = buildNodeImage(board, [compiledModuleSpec('co', 0x7a12, c.backend)]);
    const node = new EmulatedNode('n', board, built.image, built.modules);
    expect(node.enable('co')).toBeGreaterThan(0);
    node.callEntry('co', 3);
    const l = built.modules[0]!.layout;
    const nvm = board.memory.find((m) => m.kind === 'nvm')!.start;
    const out = (dst: number, hi = 0) => node.callEntry('co', 4, [dst, hi]).registers[12];
    expect(out(nvm, 1)).toBe(0); // an absolute address past 16 bits: refused (decided before the glue is called)
    expect(out(nvm)).toBe(1);
    expect([...node.read(nvm, 4)]).toEqual([0x11, 0x22, 0x33, 0x44]);
    for (const dst of [l.dataStart, l.dataEnd - 2, l.dataStart - 3, l.textStart, 0xfffe]) expect(out(dst)).toBe(0);
    expect(out(l.dataEnd)).toBe(1); // just past its data: unprotected
  }, 120_000);
});

describe('calls out of a compiled module', () => {
  it('refuses a module that leaves its text for an outside routine, by a call or by a tail call\'s jump', async () => {
    const board = loadBoard('emulated');
    const { backend } = await compileAs(fileURLToPath(new URL('./fixtures/calls-out.ts', import.meta.url)), board);
    expect(backend.asm).toMatch(/\bbr\s+#rt_wan_tx\b/); // the tail call: no `call` left to find
    expect(() => compiledModuleSpec('out', 0x7a12, backend)).toThrow(/calls 'rt_wan_tx' outside the module/);
    // the same code called, not jumped to
    const called = { ...backend, asm: backend.asm.replace(/\bbr(\s+#rt_wan_tx)\b/, 'call$1\n  ret') };
    expect(() => compiledModuleSpec('out', 0x7a12, called)).toThrow(/calls 'rt_wan_tx' outside the module/);
  });
});
