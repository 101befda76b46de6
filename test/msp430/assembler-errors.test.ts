// The assembler lists every error of a file (up to MAX_ERRORS), each as file:line, and knows r16 is no register
// (issue 15 item 3).
import { describe, expect, it } from 'vitest';
import { MAX_ERRORS, assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { InputError } from '../../toolchain/common/errors.ts';
import { main } from '../../host/cli/main.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const errorOf = (source: string): InputError => {
  try {
    assemble(source, 'x.s');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('assembled');
};

describe('assembler errors', () => {
  it('every error of the file, in line order, each as file:line', () => {
    const e = errorOf(['start: nop', '  mov #1, #2', '  frob r4', '  jmp .Lnowhere', '  mov r4, r5', '  add.b 1, 2, 3'].join('\n'));
    expect(e.message.split('\n')).toEqual([
      'x.s:2: an immediate cannot be a destination',
      "x.s:3: unknown instruction 'frob'",
      "x.s:4: undefined local label '.Lnowhere'",
      "x.s:6: 'add' takes 2 operands, got 3",
    ]);
    // The error's own location is the first one's, for tools that read it.
    expect(e.location).toEqual({ file: 'x.s', line: 2 });
  });

  it(`at most ${MAX_ERRORS} listed; the rest counted`, () => {
    const e = errorOf(Array.from({ length: 25 }, () => '  frob').join('\n'));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(MAX_ERRORS + 1);
    expect(lines[MAX_ERRORS - 1]).toBe(`x.s:${MAX_ERRORS}: unknown instruction 'frob'`);
    expect(lines[MAX_ERRORS]).toBe('(5 more errors not shown)');
  });

  it('r16 is not a register, whatever the addressing mode', () => {
    expect(errorOf('  mov r16, r5').message).toBe("x.s:1: operand 'r16': 'r16' is not a register (r0–r15)");
    expect(errorOf('  mov @R16+, r5').message).toBe("x.s:1: operand '@R16+': 'R16' is not a register (r0–r15)");
    expect(errorOf('  mov 2(r16), r5').message).toBe("x.s:1: operand '2(r16)': 'r16' is not a register (r0–r15)");
    expect(errorOf('  mov r5, r99').message).toBe("x.s:1: operand 'r99': 'r99' is not a register (r0–r15)");
    // r0–r15 and the aliases still are; a symbol that merely starts with r is still a symbol.
    expect(() => assemble('  mov r15, r0\n  mov @sp+, pc\n  mov rate, r5\n  .global rate', 'x.s')).not.toThrow();
  });

  it('hasm as lists the errors of every input file, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asm-errors-'));
    const a = join(dir, 'a.s');
    const b = join(dir, 'b.s');
    writeFileSync(a, '  mov r16, r4\n  nop\n  frob\n');
    writeFileSync(b, '  nop\n  mov #1, #2\n');
    const err: string[] = [];
    const status = await main(['as', a, b, '-o', join(dir, 'x.elf')], { out: () => {}, err: (t) => void err.push(t) });
    expect(status).toBe(2);
    expect(err.join('\n').split('\n')).toEqual([
      `hasm as: ${a}:1: operand 'r16': 'r16' is not a register (r0–r15)`,
      `${a}:3: unknown instruction 'frob'`,
      `${b}:2: an immediate cannot be a destination`,
    ]);
  });
});
