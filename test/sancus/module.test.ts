// Module packaging through the emulator: entry stub dispatch, secure stack, register clearing, calls out and back,
// module-to-module calls, image metadata (layout, identity MAC, module key).
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import { DEFAULT_NODE_KEY, deriveVendorKey } from '../../toolchain/sancus/index.ts';
import { linkNode } from '../../toolchain/sancus/module/node-image.ts';
import { expectedModuleKey, type ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { HALT, PROLOGUE, W } from './emu.ts';

// A vault: set(secret) stores it, check(guess) says whether it matches, and leaves the secret in registers
// (r4, r9, r13–r15) on purpose — the stub must clear them.
export const VAULT: ModuleSpec = {
  name: 'vault',
  vendorId: 0x1234,
  entries: [{ name: 'vault_set', results: 0 }, { name: 'vault_check', results: 1 }, { name: 'vault_peek_out', results: 1 }],
  source: `
vault_set:
  mov r12, &vault_secret
  ret
vault_check:
  mov &vault_secret, r4
  mov r4, r9
  mov r4, r13
  mov r4, r14
  mov r4, r15
  cmp r4, r12
  mov #0, r12
  jne 1f
  mov #1, r12
1:
  ret
vault_peek_out:
  ; calls out to unprotected code (address in r12) with the secret's complement, then returns its answer + 1
  mov &vault_secret, r4
  mov r12, r11
  mov r4, r12
  inv r12
  call #__sm_vault_ocall
  inc r12
  add r4, r12
  sub &vault_secret, r12
  ret
  .section .data.sm.vault, "aw"
vault_secret: .word 0
`,
};

export function enableAsm(name: string, vendor: number): string {
  return `
  clr r10
  mov #${vendor}, r11
  mov #__sm_${name}_text_start, r12
  mov #__sm_${name}_text_end, r13
  mov #__sm_${name}_data_start, r14
  mov #__sm_${name}_data_end, r15
  ${W.enable}
`;
}

function node(main: string, modules: ModuleSpec[] = [VAULT]) {
  const board = loadBoard('emulated');
  const n = linkNode(board, [{ source: `${PROLOGUE}${main}${HALT}`, file: 'main.s' }], modules);
  const m = new Machine(board);
  const u = attachSancus(m, { stopOnViolation: true })!;
  m.load(n.image);
  const sym = (name: string) => n.image.symbols.find((s) => s.name === name)!.address;
  return { m, u, n, sym };
}

describe('module packaging', () => {
  it('the stub dispatches by index, keeps the caller\'s r4–r11, clears what the entry does not return', () => {
    const { m, u } = node(`${enableAsm('vault', 0x1234)}
  mov r15, r10
  mov #0x4321, r12
  mov #3, r6
  call #__sm_vault_entry
  mov #0xaaaa, r4
  mov #0xbbbb, r9
  mov #0x1111, r12
  mov #4, r6
  call #__sm_vault_entry
  mov r12, r7
  mov #0x4321, r12
  mov #4, r6
  call #__sm_vault_entry
  mov r12, r8
  mov #7, r6
  call #__sm_vault_entry
  mov r12, r5
`);
    const res = m.run({ maxCycles: 1e6 });
    expect(res.stop).toBe('halt');
    expect(u.violations).toEqual([]);
    expect(m.r[10]).toBe(1); // module ID
    expect(m.r[7]).toBe(0); // wrong guess
    expect(m.r[8]).toBe(1); // right guess
    expect(m.r[5]).toBe(0xffff); // index out of range
    // The secret 0x4321 is nowhere in the registers: r4/r9 are the caller's, r13–r15 cleared.
    expect(m.r[4]).toBe(0xaaaa);
    expect(m.r[9]).toBe(0xbbbb);
    expect([m.r[13], m.r[14], m.r[15]]).toEqual([0, 0, 0]);
    expect(Array.from(m.r).includes(0x4321)).toBe(false);
  });

  it('calls out to unprotected code and back through the entry, secrets not exposed to the callee', () => {
    const { m, u } = node(`${enableAsm('vault', 0x1234)}
  mov #0x0f0f, r12
  mov #3, r6
  call #__sm_vault_entry
  mov #helper, r12
  mov #5, r6
  call #__sm_vault_entry
  mov r12, r8
  mov &seen_r4, r7
  jmp halt
  .section .text.helper, "ax"
helper:
  ; unprotected: sees the complement (argument), records what r4 holds, returns 5
  mov r4, &seen_r4
  mov #5, r12
  ret
  .data
seen_r4: .word 0xffff
  .text
`);
    const res = m.run({ maxCycles: 1e6 });
    expect(res.stop).toBe('halt');
    expect(u.violations).toEqual([]);
    expect(m.r[8]).toBe(6); // 5 + 1, r4 restored by the return path
    expect(m.r[7]).toBe(0); // r4 (the secret) was cleared before the call out
  });

  it('a module that never calls out carries no call-out path (issue 18 TCB): no ocall, no ssp, 74 bytes less text', () => {
    // The vault without its calling-out entry: same stub otherwise.
    const quiet: ModuleSpec = { ...VAULT, name: 'quiet', entries: VAULT.entries.slice(0, 2).map((e) => ({ ...e, name: `q_${e.name}` })), source: VAULT.source.split('vault_peek_out:')[0]!.replace(/vault_/g, 'q_vault_') + '  .section .data.sm.quiet, "aw"\nq_vault_secret: .word 0\n' };
    const { m, u, n, sym } = node(`${enableAsm('quiet', 0x1234)}
  mov #0x4321, r12
  mov #3, r6
  call #__sm_quiet_entry
  mov #0x4321, r12
  mov #4, r6
  call #__sm_quiet_entry
  mov r12, r8
  mov #0x4321, r12
  mov #0x5a5a, r13
  mov #5, r6
  call #__sm_quiet_entry
  mov r12, r9
`, [quiet]);
    const res = m.run({ maxCycles: 1e6 });
    expect(res.stop).toBe('halt');
    expect(u.violations).toEqual([]);
    expect(m.r[8]).toBe(1);
    expect([m.r[9], m.r[13], m.r[6]]).toEqual([0xffff, 0x5a5a, 5]); // index 5 of 5: refused, nothing saved or run
    const names = n.image.symbols.map((x) => x.name);
    expect(names).not.toContain('__sm_quiet_ocall');
    expect(names).not.toContain('__sm_quiet_ssp');
    expect(names).toContain('__sm_quiet_usp');
    // The vault (it calls out) keeps both, and its stub is the longer by the call-out path.
    const vault = node(enableAsm('vault', 0x1234));
    expect(vault.n.image.symbols.map((x) => x.name)).toEqual(expect.arrayContaining(['__sm_vault_ocall', '__sm_vault_ssp']));
    const stubBytes = (k: typeof vault, mod: string) => k.sym(`__sm_${mod}_stub_end`) - k.sym(`__sm_${mod}_text_start`);
    // and one entry fewer (a word in each of the two tables), and the out-of-range index path: without calls out the
    // index is checked before anything is saved, with the SP check's refusal
    expect(stubBytes(vault, 'vault') - stubBytes({ m, u, n, sym }, 'quiet')).toBe(74 + 4 + 4);
  });

  it('image metadata: layout from the linker, identity MAC and the module key enable derives', () => {
    const { m, u, n } = node(enableAsm('vault', 0x1234));
    m.run({ maxCycles: 1e6 });
    const info = n.modules[0]!;
    expect(info.entry).toBe(info.layout.textStart);
    expect(info.layout.textEnd - info.layout.textStart).toBe(info.text.length / 2);
    const key = expectedModuleKey(info, deriveVendorKey(DEFAULT_NODE_KEY, 0x1234));
    expect(Buffer.from(u.moduleById(1)!.key).toString('hex')).toBe(Buffer.from(key).toString('hex'));
  });
});
