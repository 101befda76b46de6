// A `.vectors.*` section (issue 20, seed §4.6.4: the vector table inside a protected module's text): the linker
// places it so that its last 30 bytes are interrupt vectors 0–14 (0xFFE0–0xFFFD), the reset vector its own section.
// Then, on the emulated node, a module whose text is that section owns the table: an untrusted write to 0xFFE0 is a
// Sancus write violation and is suppressed, while interrupts are still vectored through it (the frontend's vector
// fetch is no data access of the interrupted code).
import { describe, expect, it } from 'vitest';
import { loadBoard, type Board } from '../../boards/board.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { link } from '../../toolchain/link/link.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus } from '../../toolchain/emulator/sancus/unit.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

const word = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);

/** Code, then the 15 vectors: every line to `isr`. */
const VECTOR_TEXT = [
  '  .section .vectors.owner, "ax"',
  '  .global owner_start, owner_end, isr',
  'owner_start:',
  'isr:',
  '  inc &hits',
  '  bic.b #1, &0x0023', // P1IFG.0 (the test's maskable interrupt)
  '  reti',
  ...Array.from({ length: 15 }, () => '  .word isr'),
  'owner_end:',
  '  .data',
  '  .global hits',
  'hits: .word 0',
].join('\n');

describe('linker: code that ends with the interrupt vector table', () => {
  const board = loadBoard('openmsp430');

  it('is placed to end at 0xFFFE: vectors 0-14 are its last words, the reset vector stays its own section', () => {
    const img = link([assemble(VECTOR_TEXT, 'owner.s'), assemble('  .section __interrupt_vector_16, "ax"\n  .word main\n  .text\n  .global main\nmain: jmp main', 'rt.s')], { board });
    const s = img.sections.find((x) => x.name === '.vectors.owner')!;
    expect(s.address + s.size).toBe(0xfffe);
    expect(s.exec).toBe(true);
    const isr = img.symbols.find((x) => x.name === 'isr')!.address;
    expect(isr).toBe(s.address);
    for (let v = 0; v < 15; v++) expect(word(s.bytes, 0xffe0 + 2 * v - s.address)).toBe(isr);
    expect(img.symbols.find((x) => x.name === 'owner_end')!.address).toBe(0xfffe);
    expect(img.entry).toBe(img.symbols.find((x) => x.name === 'main')!.address);
  });

  it('refuses a second vector of its lines, a table cut short and an odd size', () => {
    const clash = assemble('  .section __interrupt_vector_10, "ax"\n  .word 0x4000', 'clash.s');
    expect(() => link([assemble(VECTOR_TEXT, 'owner.s'), clash], { board })).toThrow(/overlap/);
    expect(() => link([assemble('  .section .vectors.short, "ax"\n  .word 1, 2, 3', 's.s')], { board })).toThrow(InputError);
    expect(() => link([assemble('  .section .vectors.short, "ax"\n  .word 1, 2, 3', 's.s')], { board })).toThrow(/vector table/);
    expect(() => link([assemble('  .section .vectors.odd, "ax"\n  .space 31', 'o.s')], { board })).toThrow(/whole number of words/);
  });
});

/** The emulated board with the violation interrupt (line 13 through the table too) and no time limits. */
function emulatedIrq(): Board {
  const b = loadBoard('emulated');
  return { ...b, sancus: { ...b.sancus, violation: 'irq' } } as Board;
}

describe('a protected module whose text ends with the vector table', () => {
  function node() {
    const board = emulatedIrq();
    const untrusted = [
      '  .section __interrupt_vector_16, "ax"',
      '  .word main',
      '  .text',
      '  .global main',
      // Protect [owner_start, owner_end) with a data section over `hits`, then write vector 9 (Timer_A CCR0 on
      // this board: 0xFFF2) and vector 0 from unprotected code, then take a P1 interrupt (line 2, 0xFFE4).
      'main:',
      '  mov #0x5a80, &0x0120', // the watchdog stopped
      '  mov #0x2a00, sp',
      '  mov #0, r10',
      '  mov #0x1234, r11',
      '  mov #owner_start, r12',
      '  mov #owner_end, r13',
      '  mov #hits, r14',
      '  mov #hits+2, r15',
      '  .word 0x1381',
      '  mov r15, &enabled',
      '  mov #0x4444, &0xfff2',
      '  mov #0x4444, &0xffe0',
      '  eint',
      '  bis.b #1, &0x0025', // P1IE.0
      '  bis.b #1, &0x0023', // P1IFG.0: the interrupt pending
      '  nop',
      '  dint',
      'halt: jmp halt',
      '  .data',
      '  .global enabled',
      'enabled: .word 0',
    ].join('\n');
    const img = imageFromLinked(link([assemble(VECTOR_TEXT, 'owner.s'), assemble(untrusted, 'rt.s')], { board }), 'rt.s');
    const m = new Machine(board);
    const u = attachSancus(m)!;
    m.load(img);
    const res = m.run({ maxCycles: 200_000 });
    const sym = (n: string) => img.symbols.find((s) => s.name === n)!.address;
    return { m, u, res, sym };
  }

  it('refuses untrusted writes to the table (write violations, the vectors unchanged) and still vectors through it', () => {
    const { m, u, res, sym } = node();
    expect(res.stop).toBe('halt');
    expect(m.bus.peekWord(sym('enabled'))).toBe(1);
    expect(m.bus.peekWord(0xfff2)).toBe(sym('isr'));
    expect(m.bus.peekWord(0xffe0)).toBe(sym('isr'));
    const writes = u.violations.filter((v) => v.kind === 'write');
    expect(writes.map((v) => v.address)).toEqual([0xfff2, 0xffe0]);
    expect(u.violations.every((v) => v.from === 0 && v.module === 1)).toBe(true);
    // Two violation interrupts (line 13 through the module's table) and the P1 interrupt: the isr ran three times,
    // with no read violation for fetching the vectors from the module's text.
    expect(u.violations.filter((v) => v.kind === 'read')).toEqual([]);
    expect(m.bus.peekWord(sym('hits'))).toBe(3);
  });
});
