// The openMSP430 core behaviours of research/openmsp430.md §4 and §1 (bus), one small program each.
import { describe, expect, it } from 'vitest';
import { machineFor, PROLOGUE } from './asm.ts';

function run(body: string, board = 'openmsp430') {
  const r = machineFor(`${PROLOGUE}\n${body}\n  dint\nhalt:\n  jmp halt\n`, board);
  const res = r.m.run({ maxCycles: 100_000 });
  expect(res.stop).toBe('halt');
  return { ...r, res, word: (a: number) => r.m.bus.peekWord(a) };
}

describe('core behaviour (research §4)', () => {
  it('autoincrement is applied at the end: mov @r4+, 2(r4) with r4 = 0x300 writes 0x302', () => {
    const { m, word } = run('mov #0x0300, r4\n  mov #0xbeef, &0x0300\n  mov @r4+, 2(r4)');
    expect(word(0x302)).toBe(0xbeef);
    expect(word(0x304)).toBe(0);
    expect(m.r[4]).toBe(0x302);
  });

  it('a register destination write wins over the increment of the same register', () => {
    const { m } = run('mov #0x0300, r4\n  mov #0x0011, &0x0300\n  add @r4+, r4');
    expect(m.r[4]).toBe(0x0311);
  });

  it('byte @SP+ steps SP by 2; byte @Rn+ by 1', () => {
    const { m } = run('push #0x1234\n  mov.b @sp+, r5\n  mov #0x0300, r6\n  mov.b @r6+, r7');
    expect(m.r[1]).toBe(0x600);
    expect(m.r[5]).toBe(0x34);
    expect(m.r[6]).toBe(0x301);
  });

  it('SP bit 0 is always 0', () => {
    expect(run('mov #0x05f1, sp').m.r[1]).toBe(0x5f0);
  });

  it('PUSH.B writes only the low byte of the new stack word', () => {
    const { word } = run('mov #0xaaaa, &0x05fe\n  mov #0x1234, r5\n  push.b r5');
    expect(word(0x5fe)).toBe(0xaa34);
  });

  it('PUSH with SP operands uses the decremented SP; push @sp+ leaves SP unchanged', () => {
    const a = run('push sp');
    expect(a.word(0x5fe)).toBe(0x5fe);
    const b = run('mov #0x1111, &0x05fc\n  push #0x2222\n  push @sp'); // reads at the new SP (0x5fc)
    expect(b.word(0x5fc)).toBe(0x1111);
    const c = run('push #0x7777\n  push 2(sp)'); // new SP 0x5fc + 2 → reads 0x5fe (the old SP + 2 would be 0x600)
    expect(c.word(0x5fc)).toBe(0x7777);
    const d = run('push #0x4444\n  .word 0x1231'); // push @sp+
    expect(d.m.r[1]).toBe(0x5fe);
  });

  it('SR keeps bits 0–5, 7, 8 only (bis #0xfe40, sr leaves 0)', () => {
    expect(run('bis #0xfe40, sr\n  mov sr, r5').m.r[5]).toBe(0);
  });

  it('flag-setting writes into SR take C/Z/N/V from the ALU: SR = 3, xor #1, sr → 1', () => {
    expect(run('mov #3, sr\n  xor #1, sr\n  mov sr, r5').m.r[5]).toBe(1);
    expect(run('mov #0x01e5, r5\n  mov r5, sr\n  bic #0x20, sr\n  mov sr, r6').m.r[6]).toBe(0x185); // MOV/BIC: the (masked) value
  });

  it('R3 stores writes and reads them as a destination operand', () => {
    const { m } = run('mov #5, r3\n  cmp #5, r3\n  mov sr, r5\n  mov r3, r6');
    expect(m.r[5]! & 2).toBe(2); // Z: the stored 5 was compared
    expect(m.r[6]).toBe(0); // as a source, r3 is the constant generator
  });

  it('PC as a source is the address of the next instruction, also with a destination extension word', () => {
    const { m, sym, word } = run('mov #0x0300, r4\nhere:\n  mov pc, 2(r4)');
    expect(word(0x302)).toBe(sym('here') + 4);
    expect(m.r[4]).toBe(0x300);
  });

  it('DADD: BCD, non-BCD digits ((s+6) mod 32), carry and V from the operands and the BCD result', () => {
    expect(run('clrc\n  mov #0x0999, r5\n  dadd #0x0001, r5').m.r[5]).toBe(0x1000);
    const nb = run('setc\n  mov #0x000f, r5\n  dadd #0x000f, r5\n  mov sr, r6');
    expect(nb.m.r[5]).toBe(0x0005); // 0xF + 0xF + 1 = 31 → 37 mod 32 = 5, carry 0
    expect(nb.m.r[6]! & 1).toBe(0);
    const v = run('clrc\n  mov #0x4000, r5\n  dadd #0x4000, r5\n  mov sr, r6');
    expect(v.m.r[5]).toBe(0x8000);
    expect(v.m.r[6]! & 0x104).toBe(0x104); // N and V (both operands positive, result negative)
    const byte = run('setc\n  mov #0x1299, r5\n  dadd.b #0x01, r5\n  mov sr, r6');
    expect(byte.m.r[5]).toBe(0x0001); // 0x99 + 0x01 + 1 = 0x101: byte result 0x01, carry out of digit 1
    expect(byte.m.r[6]! & 1).toBe(1);
  });

  it('byte operations on a register clear its high byte', () => {
    expect(run('mov #0x1234, r5\n  add.b #1, r5').m.r[5]).toBe(0x35);
  });

  it('word accesses ignore address bit 0; byte accesses use the exact byte', () => {
    const { m, word } = run('mov #0x1234, &0x0300\n  mov &0x0301, r5\n  mov.b &0x0301, r6\n  mov #0xabcd, &0x0311');
    expect(m.r[5]).toBe(0x1234);
    expect(m.r[6]).toBe(0x12);
    expect(word(0x310)).toBe(0xabcd);
  });

  it('program memory is not writable by the CPU; unmapped space reads 0', () => {
    const { m, word } = run('mov #0x1234, &0xf800\n  mov &0x0800, r5\n  mov #0x5555, &0x0800');
    expect(word(0xf800)).toBe(0);
    expect(m.r[5]).toBe(0);
  });

  it('an invalid instruction stops the run with its PC and word (the extension point for Sancus words)', () => {
    const { m, sym } = machineFor(`${PROLOGUE}\nbad:\n  .word 0x1380\nhalt: jmp halt\n`);
    const res = m.run();
    expect(res).toMatchObject({ stop: 'invalid', pc: sym('bad'), word: 0x1380 });
    // an extension decodes it
    const { m: m2 } = machineFor(`${PROLOGUE}\n  .word 0x1380\n  dint\nhalt: jmp halt\n`);
    m2.extensions.push({ translate: (w, addr, mach) => (w === 0x1380 ? { fn: () => ((mach.r[15] = 0x42), (mach.r[0] = addr + 2), 1), words: 1, cycles: 1 } : undefined) });
    expect(m2.run().stop).toBe('halt');
    expect(m2.r[15]).toBe(0x42);
  });

  it('code written to RAM and executed there; rewriting it invalidates the predecoded copy', () => {
    const { m } = run(`
  mov #0x4315, &0x0300   ; mov #1, r5
  mov #0x4130, &0x0302   ; ret
  call #0x0300
  mov r5, r6
  mov #0x4325, &0x0300   ; mov #2, r5
  call #0x0300`);
    expect(m.r[6]).toBe(1);
    expect(m.r[5]).toBe(2);
  });

  it('Machine.call runs a function to its return and counts its cycles', () => {
    const { m, sym } = machineFor(`${PROLOGUE}\n  dint\nhalt: jmp halt\nadd3:\n  add r13, r12\n  add r14, r12\n  ret\n`);
    m.run();
    const res = m.call(sym('add3'), [1, 2, 3], { sp: 0x600 });
    expect(res.stop).toBe('return');
    expect(res.registers[12]).toBe(6);
    expect(res.cycles).toBe(1 + 1 + 3);
  });
});
