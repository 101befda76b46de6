// Operand folding (toolchain/compiler/fold.ts) on hand-made allocated code: what folds, and what must not (a
// register still live, flags a byte form would change that an instruction reads). The differential corpus
// (corpus/fold.as) checks the folds on compiled AssemblyScript against V8.
import { describe, expect, it } from 'vitest';
import { fold } from '../../toolchain/compiler/fold.ts';
import { type MInstr, type Opnd, printMInstr } from '../../toolchain/compiler/mir.ts';

const r = (n: number): Opnd => ({ k: 'p', r: n });
const m = (off: number): Opnd => ({ k: 'abs', sym: '__hasm_mem', off });
const k = (v: number): Opnd => ({ k: 'imm', v });
const op = (o: string, src: Opnd | undefined, dst: Opnd, b = false): MInstr => ({ kind: 'op', op: o as 'mov', src, dst, b });
const ret = (...uses: number[]): MInstr => ({ kind: 'ret', uses });

function run(code: MInstr[]): string[] {
  const out = fold({ fn: { name: 't', sym: 't', code, nextV: 0, outArea: 0, exported: true }, saved: [], frame: 0, spills: 0 });
  return out.fn.code.map((i) => printMInstr(i).trim());
}

describe('operand folding', () => {
  it('copies memory to memory and uses a loaded value in place when the register dies', () => {
    expect(run([op('mov', m(4), r(12)), op('mov', r(12), m(8)), ret()])).toEqual(['mov &__hasm_mem+4, &__hasm_mem+8', 'ret']);
    expect(run([op('mov', m(4), r(12)), op('add', r(12), r(13)), ret(13)])).toEqual(['add &__hasm_mem+4, r13', 'ret']);
    expect(run([op('mov', m(4), r(12), true), op('mov', r(12), m(8), true), ret()])).toEqual(['mov.b &__hasm_mem+4, &__hasm_mem+8', 'ret']);
  });

  it('keeps the register when it is read later', () => {
    const code = [op('mov', m(4), r(12)), op('mov', r(12), m(8)), ret(12)];
    expect(run(code)).toEqual(code.map((i) => printMInstr(i).trim()));
  });

  it('never turns a zero-extended byte into a word operand', () => {
    const code = [op('mov', m(4), r(12), true), op('add', r(12), r(13)), ret(13)];
    expect(run(code)).toEqual(code.map((i) => printMInstr(i).trim()));
    const store = [op('mov', m(4), r(12), true), op('mov', r(12), m(8)), ret()];
    expect(run(store)).toEqual(store.map((i) => printMInstr(i).trim()));
  });

  it('updates memory in place; a byte update only where the flags it changes are not read', () => {
    expect(run([op('mov', m(4), r(12)), op('add', k(5), r(12)), op('mov', r(12), m(4)), { kind: 'jump', cond: 'jl', target: 'x' }, { kind: 'label', name: 'x' }, ret()]))
      .toEqual(['add #5, &__hasm_mem+4', 'jl x', 'x:', 'ret']);
    expect(run([op('mov', m(4), r(12), true), op('add', k(5), r(12)), op('mov', r(12), m(4), true), ret()])).toEqual(['add.b #5, &__hasm_mem+4', 'ret']);
    // the word add sets C from bit 15 of a zero-extended byte, the byte add from bit 7: an addc reads it
    const carry = [op('mov', m(4), r(12), true), op('add', k(5), r(12)), op('mov', r(12), m(4), true), op('addc', k(0), r(13)), ret(13)];
    expect(run(carry)).toEqual(carry.map((i) => printMInstr(i).trim()));
    // BIS sets no flags: always foldable
    expect(run([op('mov', m(4), r(12), true), op('bis', k(16), r(12)), op('mov', r(12), m(4), true), op('addc', k(0), r(13)), ret(13)]))
      .toEqual(['bis.b #16, &__hasm_mem+4', 'addc #0, r13', 'ret']);
  });

  it('compares a loaded byte in memory only for conditions its byte form decides alike', () => {
    const jump = (cond: 'jlo' | 'jl'): MInstr[] => [op('mov', m(4), r(12), true), op('cmp', k(5), r(12)), { kind: 'jump', cond, target: 'x' }, { kind: 'label', name: 'x' }, ret()];
    expect(run(jump('jlo'))).toEqual(['cmp.b #5, &__hasm_mem+4', 'jlo x', 'x:', 'ret']);
    expect(run(jump('jl'))).toEqual(jump('jl').map((i) => printMInstr(i).trim()));
  });

  it('moves a RAM read later, past register-only instructions, to its one use', () => {
    expect(run([op('mov', m(4), r(12)), op('mov', m(6), r(13)), op('mov', r(4), r(14)), op('sub', r(12), r(14)), op('subc', r(13), r(15)), ret(14, 15)]))
      .toEqual(['mov r4, r14', 'sub &__hasm_mem+4, r14', 'subc &__hasm_mem+6, r15', 'ret']);
    // a store in between may write S: the read stays where it was
    const store = [op('mov', m(4), r(12)), op('mov', r(5), m(4)), op('add', r(12), r(14)), ret(14)];
    expect(run(store)).toEqual(store.map((i) => printMInstr(i).trim()));
    // two peripheral registers are not read in the other order (a test or update reads its source T first)
    const order = [op('mov', { k: 'abs', sym: 'RESLO', off: 0 }, r(12)), op('cmp', { k: 'abs', sym: 'RESHI', off: 0 }, r(12)), ret()];
    expect(run(order)).toEqual(order.map((i) => printMInstr(i).trim()));
    expect(run([op('mov', m(4), r(12)), op('cmp', { k: 'abs', sym: 'RESHI', off: 0 }, r(12)), ret()])).toEqual(['cmp &RESHI, &__hasm_mem+4', 'ret']);
    // a peripheral register's read is not moved past other accesses
    const mmio = [op('mov', { k: 'abs', sym: 'RESLO', off: 0 }, r(12)), op('mov', { k: 'abs', sym: 'RESHI', off: 0 }, r(13)), op('add', r(12), r(14)), ret(13, 14)];
    expect(run(mmio)).toEqual(mmio.map((i) => printMInstr(i).trim()));
    // an instruction between that writes the register S is addressed by
    const base: MInstr[] = [op('mov', { k: 'mem', base: r(5), off: 2, sym: '__hasm_mem' }, r(12)), op('add', k(2), r(5)), op('add', r(12), r(14)), ret(5, 14)];
    expect(run(base)).toEqual(base.map((i) => printMInstr(i).trim()));
  });

  it('updates a 32-bit static in place, carry chain kept, and never past an access to it', () => {
    const add32 = [op('mov', m(4), r(14)), op('mov', m(6), r(15)), op('add', r(12), r(14)), op('addc', r(13), r(15)), op('mov', r(14), m(4)), op('mov', r(15), m(6)), ret()];
    expect(run(add32)).toEqual(['add r12, &__hasm_mem+4', 'addc r13, &__hasm_mem+6', 'ret']);
    // something between the OP and the store reads the static: it must see the old value
    const read = [op('mov', m(4), r(14)), op('add', r(12), r(14)), op('mov', m(4), r(13)), op('mov', r(14), m(4)), ret(13)];
    expect(run(read)).toEqual(read.map((i) => printMInstr(i).trim()));
    // a store through a register between may write it
    const viaReg: MInstr[] = [op('mov', m(4), r(14)), op('add', r(12), r(14)), op('mov', r(5), { k: 'mem', base: r(6), off: 0 }), op('mov', r(14), m(4)), ret()];
    expect(run(viaReg)).toEqual(viaReg.map((i) => printMInstr(i).trim()));
    // a board region symbol may name RAM: not known apart from the static
    const board: MInstr[] = [op('mov', m(4), r(14)), op('mov', r(5), { k: 'abs', sym: '__board_ram', off: 0 }), op('add', r(14), r(12)), ret(12)];
    expect(run(board)).toEqual(board.map((i) => printMInstr(i).trim()));
    // nor a constant address (`hasm.mmio_write16` at a number, intrinsics.ts): it may be the static itself
    const numeric: MInstr[] = [op('mov', m(4), r(14)), op('mov', r(5), { k: 'abs', sym: '0x0204', off: 0 }), op('add', r(14), r(12)), ret(12)];
    expect(run(numeric)).toEqual(numeric.map((i) => printMInstr(i).trim()));
    const update: MInstr[] = [op('mov', m(4), r(14)), op('add', r(12), r(14)), op('mov', r(5), { k: 'abs', sym: '516', off: 0 }), op('mov', r(14), m(4)), ret()];
    expect(run(update)).toEqual(update.map((i) => printMInstr(i).trim()));
  });

  it('forwards a value just stored to RAM to the load that reads it back', () => {
    expect(run([op('mov', r(12), m(8)), op('mov', m(8), r(13)), ret(13)])).toEqual(['mov r12, &__hasm_mem+8', 'mov r12, r13', 'ret']);
    expect(run([op('mov', r(12), m(8), true), op('mov', m(8), r(12), true), ret(12)])).toEqual(['mov.b r12, &__hasm_mem+8', 'mov.b r12, r12', 'ret']);
    const mmio = [op('mov', r(12), { k: 'abs', sym: 'OP2', off: 0 }), op('mov', { k: 'abs', sym: 'OP2', off: 0 }, r(13)), ret(13)];
    expect(run(mmio)).toEqual(mmio.map((i) => printMInstr(i).trim()));
  });

  it('drops a jlo after a compare with 0 (no borrow: never taken)', () => {
    expect(run([op('cmp', k(0), r(13)), { kind: 'jump', cond: 'jlo', target: 'x' }, { kind: 'jump', cond: 'jne', target: 'x' }, op('mov', k(1), r(12)), { kind: 'label', name: 'x' }, ret(12)]))
      .toEqual(['cmp #0, r13', 'jne x', 'mov #1, r12', 'x:', 'ret']);
  });
});
