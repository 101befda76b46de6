// The machine-IR pass pipeline as a list (as Binaryen's pass runner keeps its passes): each pass is a named
// function MFunction → MFunction; between passes the IR can be printed (`printIR`) and is validated, so a pass
// that breaks an invariant is named at once instead of surfacing as wrong code later.
import { dce } from './dce.ts';
import { cleanJumps } from './jumps.ts';
import { type MFunction, type MInstr, type Opnd, printMFunction } from './mir.ts';
import { splitWebs } from './webs.ts';

export interface Pass {
  name: string;
  run: (f: MFunction) => MFunction;
}

/** The passes between lowering (lower.ts) and register allocation (regalloc.ts), in order. */
export const PIPELINE: readonly Pass[] = [
  { name: 'webs', run: splitWebs },
  { name: 'dce', run: dce },
  { name: 'jumps', run: cleanJumps },
];

export interface PassOptions {
  /** Called with the IR after lowering and after each pass. */
  print?: (pass: string, fn: string, text: string) => void;
  /** Check the IR's invariants after each pass (default on: linear in the function's size). */
  validate?: boolean;
  passes?: readonly Pass[];
}

/** An IR invariant a pass broke (an internal error: the compiler's fault, not the input's). */
export class InvalidIRError extends Error {
  constructor(pass: string, fn: string, problem: string) {
    super(`internal: machine IR of ${fn} invalid after '${pass}': ${problem}`);
    this.name = 'InvalidIRError';
  }
}

export function runPasses(f: MFunction, opts: PassOptions = {}): MFunction {
  opts.print?.('lower', f.sym, printMFunction(f));
  if (opts.validate !== false) validateIR(f, 'lower');
  for (const p of opts.passes ?? PIPELINE) {
    f = p.run(f);
    opts.print?.(p.name, f.sym, printMFunction(f));
    if (opts.validate !== false) validateIR(f, p.name);
  }
  return f;
}

/**
 * The invariants every pass keeps: labels defined once; every jump and jump-table entry to a local label
 * (`.L…`) lands on one defined here; virtual registers below nextV; operands of the kinds a position allows
 * (no immediate destination, memory bases are registers); the code ends in a return or a jump.
 */
export function validateIR(f: MFunction, pass: string): void {
  const fail = (problem: string): never => {
    throw new InvalidIRError(pass, f.sym, problem);
  };
  const labels = new Set<string>();
  for (const i of f.code) {
    if (i.kind !== 'label') continue;
    if (labels.has(i.name)) fail(`label ${i.name} defined twice`);
    labels.add(i.name);
  }
  const target = (t: string) => {
    if (t.startsWith('.L') && !labels.has(t)) fail(`jump to undefined label ${t}`);
  };
  const reg = (o: Opnd | undefined, where: string) => {
    if (!o) return;
    if (o.k === 'v' && (o.id < 0 || o.id >= f.nextV)) fail(`${where}: v${o.id} not below nextV ${f.nextV}`);
    if (o.k === 'p' && (o.r < 0 || o.r > 15)) fail(`${where}: no register r${o.r}`);
    if (o.k === 'mem') {
      if (o.base.k !== 'v' && o.base.k !== 'p') fail(`${where}: memory base is ${o.base.k}, not a register`);
      reg(o.base, where);
    }
  };
  f.code.forEach((i: MInstr, n) => {
    const where = `instruction ${n}`;
    switch (i.kind) {
      case 'op':
        reg(i.src, where);
        reg(i.dst, where);
        if (i.dst?.k === 'imm') fail(`${where}: immediate destination (${i.op})`);
        if (!i.dst) fail(`${where}: ${i.op} without an operand`);
        break;
      case 'jump':
        target(i.target);
        break;
      case 'jtab':
        reg(i.index, where);
        i.labels.forEach(target);
        break;
      case 'call':
        reg(i.target, where);
        break;
      default:
        break;
    }
  });
  const last = f.code[f.code.length - 1];
  if (last && !(last.kind === 'ret' || last.kind === 'jump' || last.kind === 'jtab' || last.kind === 'label' || last.kind === 'asm')) fail(`falls off the end (last: ${last.kind})`);
}
