// Emission: allocated machine IR → GNU/LLVM MSP430 assembly text for our assembler. Every mnemonic and
// operand mode is checked against the instruction table (isa.ts) here, so the compiler can only produce what
// the assembler, disassembler and emulator share.
import { constantEncoding, EXT_MODES, jumpInverse, OP_BY_NAME, type Mode } from '../msp430/isa.ts';
import type { Allocated } from './regalloc.ts';
import { CALLEE_SAVED, type MInstr, type Opnd } from './mir.ts';
import { withIslands } from './islands.ts';

function modeOf(o: Opnd): Mode {
  switch (o.k) {
    case 'p': return 'reg';
    case 'imm': return 'immediate';
    case 'mem': return 'indexed';
    case 'abs': return 'absolute';
    case 'slot': return 'indexed';
    default: throw new Error(`internal: unallocated operand ${o.k}`);
  }
}

function text(o: Opnd): string {
  switch (o.k) {
    case 'p': return `r${o.r}`;
    case 'imm': return `#${o.v}`;
    case 'mem': {
      const base = o.base.k === 'p' ? `r${o.base.r}` : '?';
      const disp = o.sym ? `${o.sym}${o.off > 0 ? `+${o.off}` : o.off < 0 ? `${o.off}` : ''}` : `${o.off}`;
      return `${disp}(${base})`;
    }
    case 'abs': return `&${o.sym}${o.off > 0 ? `+${o.off}` : o.off < 0 ? `${o.off}` : ''}`;
    case 'slot': return `${o.off}(r1)`;
    default: throw new Error(`internal: unallocated operand ${o.k}`);
  }
}

function checkOp(i: Extract<MInstr, { kind: 'op' }>): void {
  const def = OP_BY_NAME.get(i.op);
  if (!def || def.format === 'J') throw new Error(`internal: '${i.op}' is not an MSP430 ALU instruction`);
  if (i.b && !def.byteForm) throw new Error(`internal: '${i.op}' has no byte form`);
  if (def.format === 'I') {
    if (!i.src || !i.dst) throw new Error(`internal: '${i.op}' needs two operands`);
    const dm = modeOf(i.dst);
    if (dm !== 'reg' && !EXT_MODES.has(dm)) throw new Error(`internal: '${i.op}' destination mode ${dm}`);
    if (dm === 'immediate') throw new Error(`internal: '${i.op}' immediate destination`);
  } else if (i.src || !i.dst) throw new Error(`internal: format II '${i.op}' takes one operand`);
}

/** The shared function tails: `${EPILOGUE}k` pops r(3+k), …, r4 and returns (`epilogueRoutine`). */
export const EPILOGUE = '__hasm_epilog_';

/**
 * The shared tail a function returns through, if any: one that saved exactly r4…r(3+k), k ≥ 2 (the allocator takes
 * callee-saved registers in that order), ends in `br #__hasm_epilog_k` (4 bytes) instead of k pops and a return
 * (2k + 2 bytes); the stack at the `br` is what the pops expect. 3 cycles more per return.
 */
export function sharedEpilogue(saved: readonly number[]): number | undefined {
  const k = saved.length;
  return k >= 2 && saved.every((r, i) => r === CALLEE_SAVED[i]) ? k : undefined;
}

/** The tails for k = 1 … max: one chain of pops, entered at `${EPILOGUE}k` (2·max + 2 bytes in all). */
export function epilogueRoutine(max: number): string[] {
  const out = ['', '  .text', '  .balign 2'];
  for (let k = max; k >= 1; k--) out.push(`  .global ${EPILOGUE}${k}`, `${EPILOGUE}${k}:`, `  pop r${CALLEE_SAVED[k - 1]}`);
  out.push('  ret');
  return out;
}

export interface EmitOptions {
  /** Every branch in its long form (a test switch; by default only those that do not reach are). */
  longBranches: boolean;
  exported?: string[];
}

/** Jumps reach PC + 2 + 2·offset with a signed 10-bit word offset (TI guide §3.4.5): −1024..+1022 bytes. */
const JUMP_MIN = -1024;
const JUMP_MAX = 1022;

/**
 * Bytes of an operand's extension word: indexed, symbolic, absolute and immediate modes take one (isa.ts
 * EXT_MODES), except an immediate the constant generator makes (isa.ts constantEncoding; as a source only).
 */
function extBytes(o: Opnd | undefined, asSource: boolean): number {
  if (!o) return 0;
  if (o.k === 'imm') return asSource && typeof o.v === 'number' && o.v !== 0xffff && constantEncoding(o.v) ? 0 : 2;
  return EXT_MODES.has(modeOf(o)) ? 2 : 0;
}

/** Upper bounds of each instruction's bytes, long-form jumps as marked. */
function sizes(a: Allocated, long: ReadonlySet<number>): number[] {
  const { fn, saved, frame } = a;
  return fn.code.map((i, n) => {
    switch (i.kind) {
      case 'op': {
        const fmt1 = i.src !== undefined;
        return 2 + extBytes(i.src, true) + extBytes(i.dst, !fmt1);
      }
      case 'label': return 0;
      case 'jump':
        if (!long.has(n)) return 2;
        return i.cond === 'jmp' ? 4 : i.cond === 'jn' ? 8 : 6; // br #t; jinv +br; jn, jmp, br
      case 'call': return i.target.k === 'imm' ? 4 : 2 + extBytes(i.target, true);
      case 'ret': return (frame ? 4 : 0) + (sharedEpilogue(saved) ? 4 : 2 * saved.length + 2);
      case 'jtab': return 4;
      case 'asm': return 8; // an intrinsic's fixed text: at most two words of Sancus instruction (bound)
    }
  });
}

/** Each instruction's address (from the function's entry) and each label's, with `long` jumps in their long form. */
export function layout(a: Allocated, long: ReadonlySet<number>): { at: number[]; labels: Map<string, number> } {
  const size = sizes(a, long);
  const at: number[] = [];
  const labels = new Map<string, number>();
  let pc = 2 * a.saved.length + (a.frame ? 4 : 0);
  a.fn.code.forEach((i, n) => {
    at[n] = pc;
    if (i.kind === 'label') labels.set(i.name, pc);
    pc += size[n]!;
  });
  return { at, labels };
}

/** Whether jump `n` at `at[n]` reaches an address (the offset counts from the word after the jump). */
export function reaches(from: number, to: number, margin = 0): boolean {
  const d = to - (from + 2);
  return d >= JUMP_MIN + margin && d <= JUMP_MAX - margin;
}

/**
 * Branch relaxation: the conditional and unconditional jumps whose target lies out of a jump's reach get the long
 * form (an inverted short jump over `br #target`). Sizes only grow, so marking until nothing changes ends.
 */
export function longJumps(a: Allocated, all: boolean): Set<number> {
  const code = a.fn.code;
  const long = new Set<number>();
  code.forEach((i, n) => {
    if (i.kind === 'jump' && all) long.add(n);
  });
  for (;;) {
    const { at, labels } = layout(a, long);
    let changed = false;
    code.forEach((i, n) => {
      if (i.kind !== 'jump' || long.has(n)) return;
      const t = labels.get(i.target);
      if (t === undefined || !reaches(at[n]!, t)) {
        long.add(n);
        changed = true;
      }
    });
    if (!changed) return long;
  }
}

export function emitFunction(allocated: Allocated, opts: EmitOptions): string[] {
  const a = opts.longBranches ? allocated : withIslands(allocated);
  const { fn, saved, frame } = a;
  const long = longJumps(a, opts.longBranches);
  const out: string[] = [];
  out.push(`  .text`, `  .balign 2`, `  .global ${fn.sym}`, `  .type ${fn.sym}, @function`, `${fn.sym}:`);
  for (const r of opts.exported ?? []) out.push(`  .global ${r}`, `${r}:`);
  for (const r of saved) out.push(`  push r${r}`);
  if (frame) out.push(`  sub #${frame}, r1`);
  const tables: string[] = [];
  let n = 0;
  fn.code.forEach((i, at) => {
    switch (i.kind) {
      case 'op':
        checkOp(i);
        out.push(`  ${i.op}${i.b ? '.b' : ''} ${[i.src, i.dst].filter((x) => x).map((x) => text(x!)).join(', ')}`);
        break;
      case 'label':
        out.push(`${i.name}:`);
        break;
      case 'jump':
        // Out of reach (or outside the function, like the image's trap handler): br, an absolute jump.
        if (!long.has(at)) out.push(`  ${i.cond} ${i.target}`);
        else if (i.cond === 'jmp') out.push(`  br #${i.target}`);
        else if (i.cond === 'jn') {
          const t = `.L${fn.sym}$jn${n}`;
          const s = `.L${fn.sym}$sk${n++}`;
          out.push(`  jn ${t}`, `  jmp ${s}`, `${t}:`, `  br #${i.target}`, `${s}:`);
        } else {
          const s = `.L${fn.sym}$sk${n++}`;
          out.push(`  ${jumpInverse(i.cond)} ${s}`, `  br #${i.target}`, `${s}:`);
        }
        break;
      case 'call':
        out.push(`  call ${i.target.k === 'imm' ? `#${i.target.v}` : text(i.target)}`);
        break;
      case 'ret': {
        if (frame) out.push(`  add #${frame}, r1`);
        const k = sharedEpilogue(saved);
        if (k) {
          out.push(`  br #${EPILOGUE}${k}`);
          break;
        }
        for (const r of [...saved].reverse()) out.push(`  pop r${r}`);
        out.push('  ret');
        break;
      }
      case 'jtab': {
        const t = `.L${fn.sym}$tab${n++}`;
        out.push(`  br ${t}(${text(i.index)})`);
        tables.push(`${t}:`, ...i.labels.map((l) => `  .word ${l}`));
        break;
      }
      case 'asm':
        out.push(`  ${i.text}`);
        break;
    }
  });
  out.push(...tables);
  out.push(`  .size ${fn.sym}, .-${fn.sym}`);
  return out;
}
