// Emission: allocated machine IR → GNU/LLVM MSP430 assembly text for our assembler. Every mnemonic and
// operand mode is checked against the instruction table (isa.ts) here, so the compiler can only produce what
// the assembler, disassembler and emulator share.
import { EXT_MODES, OP_BY_NAME, type Mode } from '../msp430/isa.ts';
import type { Allocated } from './regalloc.ts';
import type { MInstr, Opnd } from './mir.ts';

const INVERT: Record<string, string> = { jne: 'jeq', jeq: 'jne', jlo: 'jhs', jhs: 'jlo', jge: 'jl', jl: 'jge' };

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

export interface EmitOptions {
  longBranches: boolean;
  exported?: string[];
}

export function emitFunction(a: Allocated, opts: EmitOptions): string[] {
  const { fn, saved, frame } = a;
  const out: string[] = [];
  out.push(`  .text`, `  .balign 2`, `  .global ${fn.sym}`, `  .type ${fn.sym}, @function`, `${fn.sym}:`);
  for (const r of opts.exported ?? []) out.push(`  .global ${r}`, `${r}:`);
  for (const r of saved) out.push(`  push r${r}`);
  if (frame) out.push(`  sub #${frame}, r1`);
  const tables: string[] = [];
  let n = 0;
  for (const i of fn.code) {
    switch (i.kind) {
      case 'op':
        checkOp(i);
        out.push(`  ${i.op}${i.b ? '.b' : ''} ${[i.src, i.dst].filter((x) => x).map((x) => text(x!)).join(', ')}`);
        break;
      case 'label':
        out.push(`${i.name}:`);
        break;
      case 'jump':
        // The image's trap handler may be anywhere in .text: reach it with br (an absolute jump).
        if (i.cond === 'jmp') out.push(opts.longBranches || !i.target.startsWith('.L') ? `  br #${i.target}` : `  jmp ${i.target}`);
        else if (!opts.longBranches) out.push(`  ${i.cond} ${i.target}`);
        else if (i.cond === 'jn') {
          const t = `${fn.sym}$jn${n}`;
          const s = `${fn.sym}$sk${n++}`;
          out.push(`  jn ${t}`, `  jmp ${s}`, `${t}:`, `  br #${i.target}`, `${s}:`);
        } else {
          const s = `.L${fn.sym}$sk${n++}`;
          out.push(`  ${INVERT[i.cond]} ${s}`, `  br #${i.target}`, `${s}:`);
        }
        break;
      case 'call':
        out.push(`  call ${i.target.k === 'imm' ? `#${i.target.v}` : text(i.target)}`);
        break;
      case 'ret':
        if (frame) out.push(`  add #${frame}, r1`);
        for (const r of [...saved].reverse()) out.push(`  pop r${r}`);
        out.push('  ret');
        break;
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
  }
  out.push(...tables);
  out.push(`  .size ${fn.sym}, .-${fn.sym}`);
  return out;
}
