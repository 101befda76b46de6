// The `hasm disas` listing as a first user reads it (issue 15 item 3): absolute jump targets with the function and
// offset they land in, cycles per line, the compiler's functions by their export names, runtime branches by name,
// and runs of zero bytes as `...`. The llvm syntax stays llvm-objdump's (test/oracles/disassembler.test.ts).
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { formatListing } from '../../host/cli/commands/disas.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { link } from '../../toolchain/link/link.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { disassembleImage } from '../../toolchain/msp430/disassemble.ts';
import { SymbolTable } from '../../toolchain/msp430/symbols.ts';

// Shaped like the compiler's output: a function symbol by index (__m_f0) with its export name at the same
// address, a trap stub branching to the runtime's handler, and zero-filled padding and data.
const SOURCE = `
  .text
  .global __m_f0
  .type __m_f0, @function
__m_f0:
  .global crc16
crc16:
  mov #0xffff, r13
  clr r14
.Lloop:
  cmp r15, r14
  jhs .Ldone
  xor @r12+, r13
  inc r14
  jmp .Lloop
.Ldone:
  mov r13, r12
  ret
.Lbounds:
  mov #2, r12
  br #__hasm_trap
  .word 0, 0, 0, 0, 0
__hasm_trap:
  mov r12, &__hasm_trap_reason
  dint
  nop
__hasm_halt:
  jmp __hasm_halt
  .global _start
_start:
  call #crc16
  br #__hasm_halt
  .data
__hasm_trap_reason:
  .word 0
table:
  .word 1
  .skip 16
`;

const image = imageFromLinked(link([assemble(SOURCE, 'crc.s')], { board: loadBoard('emulated') }), 'crc.elf');
const listing = disassembleImage(image);
const text = listing.find((l) => l.name === '.text')!;
const lineAt = (a: number) => text.lines.find((l) => l.address === a)!;
const crc16 = image.symbols.find((s) => s.name === 'crc16')!.address;

describe('disas listing', () => {
  it('jumps: absolute target and <function+0xN>; cycles on every line', () => {
    const jhs = lineAt(crc16 + 8);
    expect(jhs.text).toBe(`jhs\t0x${(crc16 + 0x10).toString(16)}`);
    expect(jhs.target).toBe('crc16+0x10');
    const out = formatListing(listing);
    expect(out).toContain(`  ${(crc16 + 8).toString(16)}:  032c            2  jhs\t0x${(crc16 + 0x10).toString(16)} <crc16+0x10>`);
    expect(out).toContain(`  ${crc16.toString(16)}:  3d40ffff        2  mov\t#0xffff, r13`);
    expect(out).toContain(`  ${(crc16 + 0xe).toString(16)}:  fb3f            2  jmp\t0x${(crc16 + 6).toString(16)} <crc16+0x6>`);
    expect(out).toMatch(/:  ff3f            2  jmp\t0x[0-9a-f]{4} <__hasm_halt>$/m);
  });

  it("the compiler's index symbol gives way to the export name; runtime branches by name", () => {
    expect(lineAt(crc16).labels).toEqual(['crc16', '__m_f0']);
    const out = formatListing(listing);
    expect(out).toContain('br\t#__hasm_trap');
    expect(out).toContain('call\t#crc16');
    expect(out).toContain('br\t#__hasm_halt');
    expect(out).not.toMatch(/#__m_f0|<__m_f0/);
  });

  it('runs of zero bytes collapse to ... as objdump shows them; a label ends a run', () => {
    const out = formatListing(listing).split('\n');
    const i = out.findIndex((l) => l.includes('br\t#__hasm_trap'));
    expect(out.slice(i + 1, i + 3)).toEqual(['  ...', '__hasm_trap:']);
    const from = out.indexOf('section .data at 0x0200 (data):');
    // A labelled zero word stays (2 bytes are below objdump's threshold); the 16 bytes of .skip are one line.
    expect(out.slice(from, out.indexOf('', from))).toEqual(['section .data at 0x0200 (data):', '__hasm_trap_reason:', '  0200:  0000          .word\t0x0000', 'table:', '  0202:  0100          .word\t0x0001', '  ...']);
  });

  it('llvm syntax is unchanged: relative jumps, no targets', () => {
    const llvm = disassembleImage(image, 'llvm').find((l) => l.name === '.text')!;
    const jhs = llvm.lines.find((l) => l.address === crc16 + 8)!;
    expect(jhs.text).toBe('jhs\t$+8');
    expect(jhs.target).toBeUndefined();
  });

  it('SymbolTable: preferred names, containing function, size bounds', () => {
    const t = new SymbolTable([
      { name: '__m_f3', address: 0x4000, code: true, size: 0 },
      { name: 'tick', address: 0x4000, code: true, size: 0 },
      { name: '.Ltmp0', address: 0x4004, code: true, size: 0 },
      { name: 'small', address: 0x4010, code: true, size: 4 },
      { name: 'buffer', address: 0x0200, code: false, size: 8 },
    ]);
    expect(t.at(0x4000)).toBe('tick');
    expect(t.at(0x4004)).toBeUndefined();
    expect(t.describe(0x4006)).toBe('tick+0x6');
    expect(t.describe(0x4012)).toBe('small+0x2');
    expect(t.describe(0x4014)).toBeUndefined();
    expect(t.describe(0x0202)).toBeUndefined();
  });
});
