import { describe, expect, it } from 'vitest';
import { InputError } from '../../toolchain/common/errors.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { contents } from '../../toolchain/link/object.ts';

const bytes = (src: string, section = '.text') => Buffer.from(contents(assemble(src, 't.s').sections.find((s) => s.name === section)!)).toString('hex');
const words = (src: string) => {
  const b = Buffer.from(bytes(src), 'hex');
  return Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16LE(2 * i));
};
function errorOf(src: string): InputError {
  try {
    assemble(src, 'bad.s');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('assembler', () => {
  it('encodes the basic forms (TI guide examples)', () => {
    expect(words('mov r4, r5')).toEqual([0x4405]);
    expect(words('mov.b @r5+, 2(r6)')).toEqual([0x45f6, 0x0002]);
    expect(words('add #0x1234, &0x0200')).toEqual([0x50b2, 0x1234, 0x0200]);
    expect(words('rrc.b r7')).toEqual([0x1047]);
    expect(words('reti')).toEqual([0x1300]);
    expect(words('jmp $')).toEqual([0x3fff]);
    expect(words('jne $+4')).toEqual([0x2001]);
  });

  it('uses the constant generator only for values known at that point (as llvm-mc)', () => {
    expect(words('.equ K, 4\n mov #K, r5')).toEqual([0x4225]);
    expect(words(' mov #K, r5\n .equ K, 4')).toEqual([0x4035, 4]);
    expect(words('mov #-1, r5')).toEqual([0x4335]);
    expect(words('mov #0xffff, r5')).toEqual([0x4035, 0xffff]);
    expect(words('call #8')).toEqual([0x12b0, 8]); // llvm-mc keeps CALL's word
  });

  it('resolves labels, numeric local labels, symbolic and absolute operands', () => {
    // symbolic: the word holds target − its own address (GNU semantics)
    expect(words('mov lab, r5\nlab: .word 7')).toEqual([0x4015, 0x0002, 7]);
    expect(words('1: dec r5\n jnz 1b\n jmp 2f\n nop\n2: ret')).toEqual([0x8315, 0x23fe, 0x3c01, 0x4303, 0x4130]);
    const o = assemble('mov &ext, r5\n call #ext\n jmp ext', 't.s');
    const relocs = o.sections[0]!.relocs.map((r) => `${r.offset}:${r.kind}:${r.symbol}`);
    expect(relocs).toEqual(['2:abs16:ext', '6:abs16:ext', '8:pcrel10:ext']);
    expect(o.symbols.find((s) => s.name === 'ext')).toMatchObject({ defined: false, binding: 'global' });
  });

  it('data directives and expressions', () => {
    expect(bytes('.byte 1, 2+3*4, -1, \'a\'')).toBe('010eff61');
    expect(bytes('.word 0x1234, (1 << 8) | 2')).toBe('34120201');
    expect(bytes('.long 0x12345678')).toBe('78563412');
    expect(bytes('.ascii "ab\\n"\n.asciz "c"')).toBe('61620a6300');
    expect(bytes('.ascii "\\0\\12\\177x"')).toBe('000a7f78'); // octal escapes, as clang emits them
    const common = assemble('.comm buf, 5, 2\n.lcomm tmp, 1\nmov &buf, r5', 'c.s');
    expect(common.sections.find((s) => s.name === '.bss')).toMatchObject({ nobits: true, size: 6 });
    expect(common.symbols.find((s) => s.name === 'buf')).toMatchObject({ section: '.bss', value: 0, binding: 'global' });
    expect(common.symbols.find((s) => s.name === 'tmp')).toMatchObject({ section: '.bss', value: 5, binding: 'local' });
    expect(bytes('.byte 1\n.align 1\n.word 2')).toBe('01000200');
    expect(bytes('.skip 3, 0xaa')).toBe('aaaaaa');
    expect(bytes('a: .word 0\nb: .word b - a, . - a')).toBe('000002000400');
    expect(bytes('.org 4\n.byte 9')).toBe('0000000009');
    const o = assemble('.section .dmem,"aw",@nobits\n.org 0x30\nV: \n.global V', 't.s');
    expect(o.sections[0]).toMatchObject({ name: '.dmem', nobits: true, size: 0x30 });
    expect(o.symbols.find((s) => s.name === 'V')).toMatchObject({ section: '.dmem', value: 0x30, binding: 'global' });
  });

  it('reports errors with file and line', () => {
    expect(errorOf('nop\n frob r5').message).toBe("bad.s:2: unknown instruction 'frob'");
    expect(errorOf('mov r5, #3').message).toMatch(/^bad.s:1: an immediate cannot be a destination/);
    expect(errorOf('mov #0x10000, r5').message).toMatch(/^bad.s:1: value 65536 does not fit in 16 bits/);
    expect(errorOf('swpb.b r5').message).toMatch(/^bad.s:1: 'swpb' has no .b form/);
    expect(errorOf('x: nop\nx: nop').message).toBe("bad.s:2: symbol 'x' is already defined");
    expect(errorOf('jmp 1b').message).toMatch(/^bad.s:1: '1b' refers to no earlier '1:' label/);
    expect(errorOf('jmp far\n.skip 2000\nfar: nop').message).toMatch(/^bad.s:1: jump target is 2000 bytes away: out of range/);
    expect(errorOf('mov r5').message).toMatch(/^bad.s:1: 'mov' takes 2 operands, got 1/);
    expect(errorOf('.bss\n mov r4, r5').message).toMatch(/nobits/);
    expect(errorOf('.frobnicate 3').message).toBe("bad.s:1: unknown directive '.frobnicate'");
    expect(errorOf('mov @r5x, r6').message).toMatch(/^bad.s:1: operand '@r5x'/);
  });
});
