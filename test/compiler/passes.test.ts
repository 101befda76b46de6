// One test per backend pass, each showing the machine IR before and after it (Binaryen-style pass tests).
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { compileWasm } from '../../toolchain/compiler/backend.ts';
import { dce } from '../../toolchain/compiler/dce.ts';
import { emitFunction } from '../../toolchain/compiler/emit.ts';
import { type LowerContext, lowerFunction } from '../../toolchain/compiler/lower.ts';
import { type MFunction, type MInstr, type Opnd, imm, p, printMFunction, v } from '../../toolchain/compiler/mir.ts';
import { readModuleInfo } from '../../toolchain/compiler/module-info.ts';
import { localWebs } from '../../toolchain/compiler/local-webs.ts';
import { exprInfo, walk } from '../../toolchain/compiler/ir-walk.ts';
import { allocate } from '../../toolchain/compiler/regalloc.ts';
import { splitWebs } from '../../toolchain/compiler/webs.ts';
import { cleanJumps, crossJump } from '../../toolchain/compiler/jumps.ts';
import { peephole } from '../../toolchain/compiler/peephole.ts';
import { InvalidIRError, type Pass, PIPELINE, runPasses, validateIR } from '../../toolchain/compiler/passes.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';

function ctx(mod: ReturnType<typeof readModuleInfo>): LowerContext {
  return {
    mod, funcSym: (n) => n, globalSym: (n) => `g_${n}`, memSize: 64, memSym: 'mem', tableSym: 'tab', tableTypesSym: 'tabt',
    sigId: () => 1, needHelper: () => {}, where: (f) => f.name, longBranches: false, needMultiplier: () => {}, rodataString: (t) => `str_${t.length}`,
  };
}

/** A one-function module built directly with binaryen (no AS front end needed). */
function oneFunction(build: (m: binaryen.Module) => number, params: number[], result: number): MFunction {
  const m = new binaryen.Module();
  m.addFunction('f', binaryen.createType(params), result, [], build(m));
  m.addFunctionExport('f', 'f');
  const info = readModuleInfo(m);
  return lowerFunction(info.byName.get('f')!, ctx(info));
}

const body = (f: MFunction) => printMFunction(f).split('\n').slice(1).join('\n');
const fn = (code: MInstr[], nextV = 10): MFunction => ({ name: 't', sym: 't', code, nextV, outArea: 0, exported: true });

describe('lower.ts: wasm → 16-bit machine IR', () => {
  it('a masked u16 add: constant high words fold; after DCE it is one add', () => {
    const f = oneFunction((m) => m.i32.and(m.i32.add(m.local.get(0, binaryen.i32), m.local.get(1, binaryen.i32)), m.i32.const(0xffff)), [binaryen.i32, binaryen.i32], binaryen.i32);
    // before DCE: the full 32-bit add (lo with add, hi with addc), the mask keeps only the low word
    expect(body(f)).toBe(['  mov r12, v0', '  mov r13, v1', '  mov r14, v2', '  mov r15, v3', '  mov v0, v4', '  mov v1, v5', '  add v2, v4', '  addc v3, v5', '.Lf_exit:', '  ret'].join('\n').replace('.Lf_exit:\n  ret', '  mov v4, r12\n  mov #0, r13\n.Lf_exit:\n  ret'));
    const after = dce(f);
    expect(body(after)).toBe(['  mov r12, v0', '  mov r14, v2', '  mov v0, v4', '  add v2, v4', '  mov v4, r12', '  mov #0, r13', '.Lf_exit:', '  ret'].join('\n'));
    const asm = emitFunction(allocate(after, new Set([0, 1, 2, 3])), { longBranches: false }).join('\n');
    expect(asm.match(/^\s+(add|addc|sub|subc|and|bic|bis|xor)\b/gm)).toEqual(['  add']);
  });

  it('u8 loads zero-extend for free; i32 compares of 16-bit values compare one word', () => {
    const f = oneFunction((m) => m.i32.lt_u(m.i32.load8_u(0, 1, m.local.get(0, binaryen.i32)), m.i32.const(200)), [binaryen.i32], binaryen.i32);
    const text = body(dce(f));
    expect(text).toContain('mov.b mem(v0), v2');
    expect(text).not.toMatch(/cmp #0, v3|cmp v3/); // the high word of the loaded byte is the constant 0
    expect(text.match(/\bcmp\b/g)!.length).toBe(3); // hi-zero check of the pointer, the bound, and one compare
  });
});

describe('dce.ts: flags', () => {
  const op = (o: string, src: Opnd | undefined, dst: Opnd): MInstr => ({ kind: 'op', op: o as 'add', src, dst });
  it('CLRC (bic #1, r2) gives the carry an RRC reads: a dead addc before it goes, a jump still keeps its flags', () => {
    const code: MInstr[] = [
      op('mov', imm(0), v(1)), op('add', v(0), v(0)), op('addc', v(1), v(1)), // v1 (the high word) never read
      op('bic', imm(1), p(2)), op('rrc', undefined, v(2)),
      op('mov', v(2), p(12)), op('mov', v(0), p(13)), { kind: 'ret', uses: [12, 13] },
    ];
    const text = body(dce(fn(code)));
    expect(text).not.toMatch(/addc|v1/);
    expect(text).toMatch(/bic #1, r2\n\s+rrc v2/);
    // without the CLRC the addc's carry is what the RRC reads: it stays
    const noClrc = code.filter((i) => !(i.kind === 'op' && i.op === 'bic'));
    expect(body(dce(fn(noClrc)))).toMatch(/addc v1, v1\n\s+rrc v2/);
    // a conditional jump after the CLRC reads the add's Z and N: the add stays (its result is read anyway), the addc
    // (flags after it) too
    const jump: MInstr[] = [op('mov', imm(0), v(1)), op('add', v(0), v(0)), op('addc', v(1), v(1)), op('bic', imm(1), p(2)), { kind: 'jump', cond: 'jeq', target: 'x' }, { kind: 'label', name: 'x' }, op('mov', v(0), p(12)), { kind: 'ret', uses: [12] }];
    expect(body(dce(fn(jump)))).toMatch(/addc v1, v1/);
  });
});

describe('lower.ts: conditions', () => {
  it('if (x & C) tests with bit, never computing the and', () => {
    const f = oneFunction((m) => m.if(m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(0x8000)), m.i32.const(1), m.i32.const(2)), [binaryen.i32], binaryen.i32);
    const text = body(dce(f));
    expect(text).toMatch(/bit #32768, v0\n\s+jeq/);
    expect(text).not.toMatch(/\b(and|bic)\b/);
  });
});

describe('local-webs.ts (in lower.ts): a reused local becomes one local per web', () => {
  it('a counter and an unrelated value sharing local 1: the counter keeps a 16-bit range, the other value its own', () => {
    const m = new binaryen.Module();
    const i = () => m.local.get(1, binaryen.i32);
    const body = m.block(null, [
      // for (i = 0; i < 10; i++) acc += i   — local 1 is the counter
      m.loop('L', m.if(m.i32.lt_s(i(), m.i32.const(10)), m.block(null, [m.local.set(2, m.i32.add(m.local.get(2, binaryen.i32), i())), m.local.set(1, m.i32.add(i(), m.i32.const(1))), m.br('L')]))),
      // then local 1 holds a full 32-bit value
      m.local.set(1, m.i32.mul(m.local.get(0, binaryen.i32), m.local.get(2, binaryen.i32))),
      i(),
    ], binaryen.i32);
    m.addFunction('f', binaryen.createType([binaryen.i32]), binaryen.i32, [binaryen.i32, binaryen.i32], body);
    m.addFunctionExport('f', 'f');
    const info = readModuleInfo(m);
    const webs = localWebs(info.byName.get('f')!);
    const sets: number[] = [];
    const gets: number[] = [];
    walk(body, (e) => {
      const x = exprInfo(e);
      if (x.index === 1 && x.id === binaryen.LocalSetId) sets.push(webs.webOf.get(e)!);
      if (x.index === 1 && x.id === binaryen.LocalGetId) gets.push(webs.webOf.get(e)!);
    });
    expect(new Set(sets).size).toBe(2); // the increment and the product: two webs
    expect(gets.slice(0, 3).every((w) => w === sets[0])).toBe(true); // the counter's reads are the increment's web
    expect(gets.at(-1)).toBe(sets[1]); // the final read is the product's
    const text = printMFunction(lowerFunction(info.byName.get('f')!, ctx(info)));
    expect(text).toContain('cmp #10, '); // the counter compares one word
    expect(text).not.toMatch(/jl \S+\n\s+jne/); // no two-word signed compare
  });
});

describe('narrow.ts (in lower.ts): guarded loop counters are 16-bit', () => {
  const loop = (m: binaryen.Module, step: number, inner = false) => {
    const i = () => m.local.get(1, binaryen.i32);
    const inc = m.local.set(1, m.i32.add(i(), m.i32.const(step)));
    const body = inner ? m.loop('in', m.block(null, [inc, m.br('in', m.i32.lt_s(i(), m.i32.const(5)))])) : inc;
    return m.block(null, [
      m.loop('L', m.if(m.i32.lt_s(i(), m.i32.const(100)), m.block(null, [m.local.set(0, m.i32.add(m.local.get(0, binaryen.i32), i())), body, m.br('L')]))),
      m.local.get(0, binaryen.i32),
    ], binaryen.i32);
  };
  function build(step: number, inner = false): MFunction {
    const m = new binaryen.Module();
    m.addFunction('f', binaryen.createType([binaryen.i32]), binaryen.i32, [binaryen.i32], loop(m, step, inner));
    m.addFunctionExport('f', 'f');
    const info = readModuleInfo(m);
    return lowerFunction(info.byName.get('f')!, ctx(info));
  }
  it('for (i = 0; i < 100; i++): the counter is one word (compare and increment 16-bit)', () => {
    const after = body(dce(build(1)));
    expect(after).toContain('cmp #100, v2');
    expect(after).not.toMatch(/addc #0, v3|cmp #0, v3/);
  });
  it('an increment inside an inner loop (re-run without a fresh check) keeps both words', () => {
    const after = body(dce(build(1, true)));
    expect(after).toMatch(/addc #0, v3/);
  });
});

describe('ranges.ts (in lower.ts): value ranges remove bounds checks and high words', () => {
  const load = (addr: (m: binaryen.Module) => number) =>
    oneFunction((m) => m.i32.load8_u(0, 1, addr(m)), [binaryen.i32], binaryen.i32);
  it('an address masked into the mapped memory (64 bytes here) is not checked; its high word is the constant 0', () => {
    const f = load((m) => m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(63)));
    expect(body(dce(f))).toBe(['  mov r12, v0', '  mov v0, v2', '  bic #65472, v2', '  mov.b mem(v2), v4', '  mov v4, r12', '  mov #0, r13', '.Lf_exit:', '  ret'].join('\n'));
  });
  it('an address that may leave the memory keeps both checks (high word zero, low word below the limit)', () => {
    const f = load((m) => m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(127)));
    const text = body(dce(f));
    expect(text).toContain('cmp #64, v2');
    expect(text).toContain('jhs .Lf_trap_memory');
    expect(text).toMatch(/\.Lf_trap_memory:\n\s+mov #2, r12/);
  });
  it('x + C folds into the displacement when x is bounded: one register, no add', () => {
    const f = load((m) => m.i32.add(m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(15)), m.i32.const(40)));
    const text = body(dce(f));
    expect(text).toContain('mov.b mem+40(v2), v4');
    expect(text).not.toMatch(/\badd\b|cmp/);
  });
});

describe('dce.ts', () => {
  it('removes dead definitions, keeps flag producers a live consumer needs', () => {
    const before = fn([
      { kind: 'op', op: 'mov', src: p(12), dst: v(0) },
      { kind: 'op', op: 'mov', src: p(13), dst: v(1) },
      { kind: 'op', op: 'add', src: imm(1), dst: v(0) }, // dead: v0 is never read after
      { kind: 'op', op: 'cmp', src: imm(5), dst: v(1) }, // kept: the jump reads its flags
      { kind: 'jump', cond: 'jeq', target: 'L' },
      { kind: 'op', op: 'mov', src: imm(7), dst: v(2) }, // dead
      { kind: 'label', name: 'L' },
      { kind: 'op', op: 'mov', src: v(1), dst: p(12) },
      { kind: 'ret', uses: [12] },
    ]);
    expect(body(dce(before))).toBe(['  mov r13, v1', '  cmp #5, v1', '  jeq L', 'L:', '  mov v1, r12', '  ret'].join('\n'));
  });
  it('keeps the low-word add when the high-word addc is live', () => {
    const before = fn([
      { kind: 'op', op: 'add', src: p(14), dst: p(12) },
      { kind: 'op', op: 'mov', src: p(13), dst: v(0) },
      { kind: 'op', op: 'addc', src: p(15), dst: v(0) },
      { kind: 'op', op: 'mov', src: v(0), dst: p(13) },
      { kind: 'ret', uses: [12, 13] },
    ]);
    expect(dce(before).code).toHaveLength(5);
  });
});

describe('webs.ts', () => {
  it('a local reused for two unrelated values becomes two registers; a loop-carried value stays one', () => {
    const before = fn([
      { kind: 'op', op: 'mov', src: imm(0), dst: v(0) }, // first value: a counter
      { kind: 'label', name: 'L' },
      { kind: 'op', op: 'add', src: imm(1), dst: v(0) },
      { kind: 'op', op: 'cmp', src: imm(8), dst: v(0) },
      { kind: 'jump', cond: 'jlo', target: 'L' },
      { kind: 'op', op: 'mov', src: p(12), dst: v(0) }, // second value, unrelated
      { kind: 'op', op: 'xor', src: imm(5), dst: v(0) },
      { kind: 'op', op: 'mov', src: v(0), dst: p(12) },
      { kind: 'ret', uses: [12] },
    ], 1);
    expect(body(before)).toContain('add #1, v0');
    const after = splitWebs(before);
    expect(body(after)).toBe(['  mov #0, v1', 'L:', '  add #1, v1', '  cmp #8, v1', '  jlo L', '  mov r12, v2', '  xor #5, v2', '  mov v2, r12', '  ret'].join('\n'));
  });
});

describe('jumps.ts', () => {
  it('drops a jump to the next label, code no label reaches and labels nothing refers to', () => {
    const before = fn([
      { kind: 'op', op: 'cmp', src: imm(3), dst: p(12) },
      { kind: 'jump', cond: 'jeq', target: '.LA' },
      { kind: 'jump', cond: 'jmp', target: '.LB' }, // to the next instruction: only labels between
      { kind: 'label', name: '.LA' },
      { kind: 'label', name: '.LB' },
      { kind: 'op', op: 'mov', src: imm(1), dst: p(12) },
      { kind: 'ret', uses: [12] },
      { kind: 'op', op: 'mov', src: imm(2), dst: p(12) }, // unreachable: after ret, no label
      { kind: 'label', name: '.Lstub' }, // a stub no jump refers to any more
      { kind: 'op', op: 'mov', src: imm(2), dst: p(12) },
      { kind: 'jump', cond: 'jmp', target: '__hasm_trap' },
    ]);
    expect(body(cleanJumps(before))).toBe(['  cmp #3, r12', '  jeq .LA', '.LA:', '  mov #1, r12', '  ret'].join('\n'));
  });

  it('cross-jumping: blocks ending in the same instructions and jump keep one tail; the other jumps to it', () => {
    const tail = (): MInstr[] => [{ kind: 'op', op: 'mov', src: imm(2), dst: p(13) }, { kind: 'op', op: 'mov', src: imm(0), dst: p(14) }, { kind: 'jump', cond: 'jmp', target: '.LE' }];
    const before = fn([
      { kind: 'op', op: 'cmp', src: imm(3), dst: p(12) },
      { kind: 'jump', cond: 'jeq', target: '.LB' },
      { kind: 'op', op: 'mov', src: imm(7), dst: p(15) },
      ...tail(),
      { kind: 'label', name: '.LB' },
      { kind: 'op', op: 'mov', src: imm(8), dst: p(15) }, // differs: stays
      ...tail(),
      { kind: 'label', name: '.LE' },
      { kind: 'ret', uses: [13, 14, 15] },
    ]);
    const after = body(crossJump(before));
    expect(after).toBe(['  cmp #3, r12', '  jeq .LB', '  mov #7, r15', '.Lt$xj0:', '  mov #2, r13', '  mov #0, r14', '  jmp .LE', '.LB:', '  mov #8, r15', '  jmp .Lt$xj0', '.LE:', '  ret'].join('\n'));
  });

  it('threads jumps to a jump, and turns a conditional jump over a jump into its inverse', () => {
    const before = fn([
      { kind: 'op', op: 'cmp', src: imm(3), dst: p(12) },
      { kind: 'jump', cond: 'jlo', target: '.LA' }, // .LA only jumps on: goes to .LC directly
      { kind: 'jump', cond: 'jmp', target: '.LB' }, // jlo over a jmp: jhs .LB
      { kind: 'label', name: '.LA' },
      { kind: 'jump', cond: 'jmp', target: '.LC' },
      { kind: 'label', name: '.LB' },
      { kind: 'op', op: 'mov', src: imm(2), dst: p(12) },
      { kind: 'label', name: '.LC' },
      { kind: 'ret', uses: [12] },
      { kind: 'label', name: '.LL' }, // a loop of jumps: left alone (it never ends either way)
      { kind: 'jump', cond: 'jmp', target: '.LL' },
    ]);
    const after = body(cleanJumps(before));
    // jlo .LA → jlo .LC; then `jlo .LC; jmp .LB; .LB:` — the jmp to the next label goes, .LA's jump is unreachable.
    expect(after).toBe(['  cmp #3, r12', '  jlo .LC', '  mov #2, r12', '.LC:', '  ret', '.LL:', '  jmp .LL'].join('\n'));
    // Over a jump that does not go to the next label: the inverse.
    const over = fn([
      { kind: 'op', op: 'cmp', src: imm(3), dst: p(12) },
      { kind: 'jump', cond: 'jeq', target: '.LA' },
      { kind: 'jump', cond: 'jmp', target: '.LC' },
      { kind: 'label', name: '.LA' },
      { kind: 'op', op: 'mov', src: imm(2), dst: p(12) },
      { kind: 'label', name: '.LC' },
      { kind: 'ret', uses: [12] },
    ]);
    expect(body(cleanJumps(over))).toBe(['  cmp #3, r12', '  jne .LC', '  mov #2, r12', '.LC:', '  ret'].join('\n'));
  });
});

describe('lower-arith.ts: constant multiplies', () => {
  it('x * 7 with a 16-bit result: shifts and a subtract, no multiplier, no high word', () => {
    const f = oneFunction((m) => m.i32.mul(m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(63)), m.i32.const(7)), [binaryen.i32], binaryen.i32);
    const text = body(dce(f));
    expect(text).not.toMatch(/MPY|OP2|call/);
    expect(text.match(/^\s+add (v\d+), \1$/gm)!.length).toBe(3); // << 3
    expect(text).toMatch(/^\s+sub v\d+, v\d+$/m); // − x
    expect(text).not.toMatch(/addc|subc/);
  });
  it('a byte shifted left by 8: one swpb, no mask, no high word', () => {
    const f = oneFunction((m) => m.i32.shl(m.i32.load8_u(0, 1, m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(31))), m.i32.const(8)), [binaryen.i32], binaryen.i32);
    const text = body(dce(f));
    expect(text).toMatch(/swpb v\d+/);
    expect(text).not.toMatch(/\b(bic|and)\b #255|bic #255/);
    expect(text).toContain('mov #0, r13');
  });
  it('a constant with many binary digits keeps the multiplier', () => {
    const f = oneFunction((m) => m.i32.mul(m.i32.and(m.local.get(0, binaryen.i32), m.i32.const(63)), m.i32.const(0x2d5)), [binaryen.i32], binaryen.i32);
    expect(body(dce(f))).toMatch(/&OP2/);
  });
});

describe('lower-cond.ts: short-circuit conditions', () => {
  it('if (a < 10 && b != 0) branches twice, never materialising a 0/1 value', () => {
    const g = (i: number) => m0.local.get(i, binaryen.i32);
    const m0 = new binaryen.Module();
    const cond = m0.if(m0.i32.lt_u(g(0), m0.i32.const(10)), m0.i32.ne(g(1), m0.i32.const(0)), m0.i32.const(0));
    m0.addFunction('f', binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.i32, [], m0.if(cond, m0.i32.const(7), m0.i32.const(9)));
    m0.addFunctionExport('f', 'f');
    const info = readModuleInfo(m0);
    const text = body(cleanJumps(dce(lowerFunction(info.byName.get('f')!, ctx(info)))));
    expect(text).not.toMatch(/mov #1, v/); // no boolean temporary (its 1 before the test)
    expect(text).toMatch(/mov #7, v\d+\n/);
    expect(text.match(/\bcmp\b/g)!.length).toBe(4); // a: high word and low word; b: both words
  });
});

describe('regalloc.ts', () => {
  it('coalesces copies into the EABI registers and keeps values across calls in callee-saved registers', () => {
    const before = fn([
      { kind: 'op', op: 'mov', src: p(12), dst: v(0) },
      { kind: 'op', op: 'mov', src: v(0), dst: v(1) },
      { kind: 'op', op: 'add', src: imm(3), dst: v(1) },
      { kind: 'op', op: 'mov', src: v(1), dst: p(12) },
      { kind: 'call', target: imm('g'), uses: [12] },
      { kind: 'op', op: 'add', src: v(0), dst: p(12) },
      { kind: 'ret', uses: [12] },
    ]);
    const a = allocate(before, new Set([0]));
    const text = body(a.fn);
    // v0 lives across the call: a callee-saved register (saved in the prologue); v1 shares r12 with the argument
    expect(a.saved.length).toBe(1);
    expect(text).toMatch(new RegExp(`mov r12, r${a.saved[0]}`));
    expect(text).toContain('add #3, r12');
    expect(text).toMatch(new RegExp(`add r${a.saved[0]}, r12`));
    expect(a.spills).toBe(0);
  });
  it('spills to frame slots under pressure, used in place as x(r1) operands', () => {
    const n = 14;
    const code: MInstr[] = [];
    for (let i = 0; i < n; i++) code.push({ kind: 'op', op: 'mov', src: imm(i + 1), dst: v(i) });
    for (let i = 1; i < n; i++) code.push({ kind: 'op', op: 'add', src: v(i), dst: v(0) });
    code.push({ kind: 'op', op: 'mov', src: v(0), dst: p(12) }, { kind: 'ret', uses: [12] });
    const a = allocate(fn(code, n), new Set());
    expect(a.spills).toBeGreaterThan(0);
    expect(body(a.fn)).toMatch(/\d+\(r1\)/);
    expect(a.frame).toBe(2 * a.spills);
  });
});

describe('peephole.ts', () => {
  it('drops a move back of a register pair just copied, and self moves; keeps one whose register changed between', () => {
    const mk = (code: MInstr[]) => ({ fn: fn(code), saved: [], frame: 0, spills: 0 });
    const mv = (a: number, b: number): MInstr => ({ kind: 'op', op: 'mov', src: p(a), dst: p(b) });
    const before = mk([mv(9, 12), mv(10, 13), mv(12, 9), mv(13, 10), mv(5, 5), { kind: 'ret', uses: [12, 13] }]);
    expect(body(peephole(before).fn)).toBe(['  mov r9, r12', '  mov r10, r13', '  ret'].join('\n'));
    const changed = mk([mv(9, 12), { kind: 'op', op: 'add', src: imm(1), dst: p(12) }, mv(12, 9), { kind: 'ret', uses: [] }]);
    expect(peephole(changed).fn.code).toHaveLength(4);
  });
  it('drops cmp #0 after an op that set Z from the same register, unless a later reader needs C, N or V', () => {
    const mk = (code: MInstr[]) => ({ fn: fn(code), saved: [], frame: 0, spills: 0 });
    const head: MInstr[] = [
      { kind: 'op', op: 'add', src: imm(288), dst: p(12) },
      { kind: 'op', op: 'addc', src: imm(0), dst: p(13) },
      { kind: 'op', op: 'cmp', src: imm(0), dst: p(13) },
      { kind: 'jump', cond: 'jne', target: '.Ltrap' },
    ];
    const stub: MInstr[] = [{ kind: 'label', name: '.Ltrap' }, { kind: 'op', op: 'mov', src: imm(2), dst: p(12) }, { kind: 'jump', cond: 'jmp', target: '__hasm_trap' }];
    const ok = peephole(mk([...head, { kind: 'op', op: 'cmp', src: imm(1310), dst: p(12) }, { kind: 'jump', cond: 'jhs', target: '.Ltrap' }, { kind: 'ret', uses: [] }, ...stub]));
    expect(body(ok.fn)).not.toContain('cmp #0, r13');
    // the fall-through reads the carry the compare would have set: the compare stays
    const kept = peephole(mk([...head, { kind: 'op', op: 'addc', src: imm(0), dst: p(14) }, { kind: 'ret', uses: [] }, ...stub]));
    expect(body(kept.fn)).toContain('cmp #0, r13');
  });
});

describe('emit.ts', () => {
  it('branch relaxation: a jump that does not reach gets the long form, sized from the table; the rest stay short', () => {
    const filler = (k: number): MInstr[] => Array.from({ length: k }, () => ({ kind: 'op', op: 'mov', src: imm(1234), dst: { k: 'abs', sym: 'x', off: 0 } }) as MInstr);
    const code: MInstr[] = [
      { kind: 'op', op: 'cmp', src: imm(5), dst: p(12) },
      { kind: 'jump', cond: 'jeq', target: 'far' },
      { kind: 'jump', cond: 'jlo', target: 'near' },
      ...filler(10),
      { kind: 'label', name: 'near' },
      ...filler(200), // 200 × 6 bytes: past the ±1 KiB reach
      { kind: 'label', name: 'far' },
      { kind: 'ret', uses: [] },
    ];
    const asm = emitFunction(allocate(fn(code), new Set()), { longBranches: false });
    expect(asm).toContain('  jne .Lt$sk0');
    expect(asm[asm.indexOf('  jne .Lt$sk0') + 1]).toBe('  br #far');
    expect(asm).toContain('  jlo near');
    const src = `  .set x, 0x200\n${asm.join('\n').replace(/^(far|near):/gm, '$1:')}\n`;
    expect(() => assemble(src, 't.s')).not.toThrow();
    // one instruction fewer in the filler and the jump reaches: the boundary is where the table's sizes put it
    const reach = (k: number) => emitFunction(allocate(fn([{ kind: 'jump', cond: 'jeq', target: 'L' }, ...filler(k), { kind: 'label', name: 'L' }, { kind: 'ret', uses: [] }]), new Set()), { longBranches: false });
    expect(reach(170)).toContain('  jeq L'); // 1020 bytes
    expect(reach(171)).not.toContain('  jeq L'); // 1026 bytes
  });
  it('jump islands: long jumps sharing a target go short to one `br` placed where nothing falls through; a lone one stays long', () => {
    const filler = (k: number): MInstr[] => Array.from({ length: k }, () => ({ kind: 'op', op: 'mov', src: imm(1234), dst: { k: 'abs', sym: 'x', off: 0 } }) as MInstr);
    const check = (n: number): MInstr[] => [{ kind: 'op', op: 'cmp', src: imm(n), dst: p(12) }, { kind: 'jump', cond: 'jhs', target: 'trap' }];
    const code: MInstr[] = [
      ...check(1),
      ...filler(20),
      ...check(2),
      { kind: 'jump', cond: 'jmp', target: 'body' }, // nothing falls through after it: an island's place
      { kind: 'label', name: 'body' },
      ...check(3),
      ...filler(200), // past the reach of the checks
      ...check(4), // alone near the end, but the trap is close: short
      { kind: 'ret', uses: [] },
      { kind: 'label', name: 'trap' },
      { kind: 'op', op: 'mov', src: imm(2), dst: p(12) },
      { kind: 'jump', cond: 'jmp', target: '__hasm_trap' },
    ];
    const asm = emitFunction(allocate(fn(code), new Set()), { longBranches: false });
    expect(asm.filter((l) => l === '  jhs .Lt$is0')).toHaveLength(3);
    expect(asm.slice(asm.indexOf('.Lt$is0:'), asm.indexOf('.Lt$is0:') + 2)).toEqual(['.Lt$is0:', '  br #trap']);
    expect(asm[asm.indexOf('.Lt$is0:') - 1]).toBe('  jmp body');
    expect(asm).toContain('  jhs trap');
    expect(asm.some((l) => l.includes('$sk'))).toBe(false);
    expect(() => assemble(`  .set x, 0x200\n  .set __hasm_trap, 0xf000\n${asm.join('\n')}\n`, 't.s')).not.toThrow();
    // one far check alone: an island would cost what it saves, the long form stays
    const lone = emitFunction(allocate(fn([...check(1), { kind: 'jump', cond: 'jmp', target: 'b' }, { kind: 'label', name: 'b' }, ...filler(200), { kind: 'ret', uses: [] }, ...code.slice(-3)]), new Set()), { longBranches: false });
    expect(lone).toContain('  jlo .Lt$sk0');
    expect(lone.some((l) => l.includes('$is'))).toBe(false);
  });
  it('checks every instruction against the instruction table', () => {
    const bad = allocate(fn([{ kind: 'op', op: 'swpb', b: true, dst: p(12) }, { kind: 'ret', uses: [] }]), new Set());
    expect(() => emitFunction(bad, { longBranches: false })).toThrow(/no byte form/);
  });
});

describe('passes.ts: the pipeline is a list that prints and validates between passes', () => {
  it('prints the IR after lowering and after each pass, in order', () => {
    const m = new binaryen.Module();
    m.addFunction('f', binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.i32, [], m.i32.and(m.i32.add(m.local.get(0, binaryen.i32), m.local.get(1, binaryen.i32)), m.i32.const(0xffff)));
    m.addFunctionExport('f', 'f');
    const seen: [string, string][] = [];
    compileWasm(m.emitBinary(), { heap: 0, stackTop: 0x2a00, passes: { print: (pass, _fn, text) => void seen.push([pass, text]) } });
    expect(seen.map(([p]) => p)).toEqual(['lower', ...PIPELINE.map((p) => p.name), 'regalloc']);
    expect(seen[0]![1]).toContain('addc'); // the high word's add, before dce
    expect(seen.find(([p]) => p === 'dce')![1]).not.toContain('addc');
    expect(seen.at(-1)![1]).not.toMatch(/\bv\d/); // after allocation: physical registers only
  });
  it('a pass that breaks an invariant is named', () => {
    const broken: Pass = { name: 'drop-labels', run: (f) => ({ ...f, code: f.code.filter((i) => i.kind !== 'label') }) };
    const f = fn([{ kind: 'jump', cond: 'jmp', target: '.Lx' }, { kind: 'label', name: '.Lx' }, { kind: 'ret', uses: [] }]);
    expect(() => runPasses(f, { passes: [broken] })).toThrow(/invalid after 'drop-labels': jump to undefined label \.Lx/);
    expect(() => validateIR(fn([{ kind: 'op', op: 'mov', src: v(12), dst: v(0) }, { kind: 'ret', uses: [] }], 5), 'x')).toThrow(InvalidIRError);
  });
});

describe('backend.ts', () => {
  it('a module without memory or table still gets its trap handler and entry', () => {
    const m = new binaryen.Module();
    m.addFunction('f', binaryen.none, binaryen.i32, [], m.i32.const(0x12345));
    m.addFunctionExport('f', 'f');
    const r = compileWasm(m.emitBinary(), { heap: 0, stackTop: 0x2a00 });
    expect(r.asm).toMatch(/^f:\n\s+mov #9029, r12\n\s+mov #1, r13/m);
    expect(r.asm).toContain('__hasm_trap:');
    expect(r.asm).toContain('_start:');
  });
  it('an output call passes data and len as 16-bit words (r12, r13); a high word not known 0 is tested: the memory trap', () => {
    const m = new binaryen.Module();
    m.addFunctionImport('o', 'output', 'o', binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none);
    m.addFunction('f', binaryen.createType([binaryen.i32]), binaryen.none, [], m.call('o', [m.i32.const(16), m.local.get(0, binaryen.i32)], binaryen.none));
    m.addFunctionExport('f', 'f');
    const asm = compileWasm(m.emitBinary(), { heap: 0, stackTop: 0x2a00 }).asm;
    const body = asm.slice(asm.indexOf('\nf:'), asm.indexOf('.size', asm.indexOf('\nf:')));
    // len's high word (r13 on entry) tested; data (16) in r12, len's low word in r13; nothing in r14/r15; the call
    // last in a function without saved registers or frame is a tail call (jumps.ts tailCalls).
    expect(body.trim().split('\n').map((l) => l.trim())).toEqual(['f:', 'mov r12, r14', 'cmp #0, r13', 'jne .L__m_f1_trap_memory', 'mov #16, r12', 'mov r14, r13', 'br #__hasm_output_o', '.L__m_f1_trap_memory:', 'mov #2, r12', 'br #__hasm_trap']);
  });
  it('the same code whatever Binaryen settings the process was left with (asc sets its own inlining limits)', () => {
    // g has one caller and a body over asc's limits: whether it is inlined must not depend on them.
    const m = new binaryen.Module();
    let body = m.local.get(0, binaryen.i32);
    for (let k = 1; k < 40; k++) body = m.i32.xor(m.i32.add(body, m.i32.const(k * 7)), m.local.get(0, binaryen.i32));
    m.addFunction('g', binaryen.createType([binaryen.i32]), binaryen.i32, [], body);
    m.addFunction('f', binaryen.createType([binaryen.i32]), binaryen.i32, [], m.call('g', [m.local.get(0, binaryen.i32)], binaryen.i32));
    m.addFunctionExport('f', 'f');
    const wasm = m.emitBinary();
    const plain = compileWasm(wasm, { heap: 0, stackTop: 0x2a00 }).asm;
    const saved = [binaryen.getOneCallerInlineMaxSize(), binaryen.getFlexibleInlineMaxSize(), binaryen.getOptimizeLevel(), binaryen.getShrinkLevel()] as const;
    try {
      binaryen.setOneCallerInlineMaxSize(0); // as asc leaves them at -O3s2, or stricter
      binaryen.setFlexibleInlineMaxSize(0);
      binaryen.setOptimizeLevel(0);
      binaryen.setShrinkLevel(0);
      expect(compileWasm(wasm, { heap: 0, stackTop: 0x2a00 }).asm).toBe(plain);
      expect(binaryen.getOneCallerInlineMaxSize()).toBe(0); // and the caller's settings are given back
    } finally {
      binaryen.setOneCallerInlineMaxSize(saved[0]);
      binaryen.setFlexibleInlineMaxSize(saved[1]);
      binaryen.setOptimizeLevel(saved[2]);
      binaryen.setShrinkLevel(saved[3]);
    }
  });
});
