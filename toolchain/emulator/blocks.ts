// Straight-line blocks of hot code translated into one JavaScript function each (the per-instruction functions stay
// the reference and the slow path). A block runs from an entry address through not-taken conditional jumps and ends
// after an instruction that writes memory (a device or code may change), PC or SR, or before a halt jump or an
// instruction the table does not decode. Cycle-exact: the block returns the cycles of the path it took, and sets
// the bus time stamps before every instruction that touches memory (multiplier latency, device timing).
import type { Instruction, Operand } from '../msp430/instruction.ts';
import { sizeInWords } from '../msp430/instruction.ts';
import { cycles } from '../msp430/cycles.ts';
import { JUMP_CONDITION, generate } from './codegen.ts';

/** A translated block: called with the cycle of its first decode, returns cycles | instructions << 16. */
export type BlockFn = (c0: number) => number;

export interface Block {
  fn: BlockFn;
  /** The longest path's cycles: the block only runs when that fits before the next event. */
  maxCycles: number;
  /** Words the block's instructions occupy (for invalidation). */
  words: number[];
  /** The last instruction is a RETI (its SR restore counts at once for interrupts). */
  endsWithReti: boolean;
  /**
   * A polling loop: a conditional jump in the block goes back to its entry, and every instruction up to it only
   * reads memory, at fixed addresses whose value cannot change before the next device event (`stable`). When a
   * pass ends back at the entry with every register as it was, the following passes are the same pass again
   * (Machine skips them, exactly).
   */
  spin: boolean;
}

/** Which reads a polling loop may repeat without running them: no side effect, the value fixed until an event. */
export type StableRead = (addr: number, byte: boolean) => boolean;

/** Writes registers only (not PC), reads memory only at fixed (absolute) addresses whose reads are stable. */
function readsOnlyFixed(ins: Instruction, stable: StableRead): boolean {
  const t = ins.op.timing;
  if (t === 'push' || t === 'call' || t === 'reti') return false;
  if (ins.op.format === 'J') return true;
  const written = (o: Operand) => o.mode === 'reg' && o.reg !== 0;
  const read = (o: Operand | undefined) => o === undefined || o.mode === 'reg' || o.mode === 'const' || o.mode === 'immediate'
    || (o.mode === 'absolute' && stable(o.value & 0xffff, ins.byte));
  if (ins.op.format === 'II') return written(ins.src!); // rrc, rra, swpb, sxt in place
  if (!read(ins.src)) return false;
  return ins.op.writesDst ? written(ins.dst!) : read(ins.dst);
}

const MAX_INSTRUCTIONS = 32;

/** The instruction reads or writes memory (its accesses need the bus's time stamps and PC). */
export function touchesMemory(ins: Instruction): boolean {
  const mem = (m: string | undefined) => m !== undefined && m !== 'reg' && m !== 'const' && m !== 'immediate';
  return mem(ins.src?.mode) || mem(ins.dst?.mode) || ins.op.timing === 'push' || ins.op.timing === 'call' || ins.op.timing === 'reti';
}

function endsBlock(ins: Instruction): boolean {
  if (ins.op.format === 'J') return ins.op.mnemonic === 'jmp';
  if (ins.op.format === 'II') {
    if (ins.op.timing !== 'rmw') return true; // push, call, reti write memory / PC
    return ins.src!.mode !== 'reg' || ins.src!.reg === 0 || ins.src!.reg === 2;
  }
  if (!ins.op.writesDst) return false;
  return ins.dst!.mode !== 'reg' || ins.dst!.reg === 0 || ins.dst!.reg === 2;
}

/**
 * Builds the block at `pc`, or undefined when it would hold fewer than 2 instructions (the single-instruction
 * function is as fast then) or, with `spinOnly`, when it is not a polling loop. `decodeAt` reads the current memory.
 */
export function buildBlock(pc: number, decodeAt: (a: number) => Instruction | undefined, env: { r: Uint16Array; b: unknown; dadd: unknown }, checked = false, stable: StableRead = () => false, spinOnly = false): Block | undefined {
  const parts: string[] = [];
  const consts: number[] = [];
  const words: number[] = [];
  let offset = 0; // cycles from c0 to the current instruction's decode
  let count = 0;
  let maxCycles = 0;
  let at = pc;
  let endsWithReti = false;
  let lastAt = pc;
  let spin = false;
  let pure = true; // every instruction so far only reads fixed, stable addresses
  while (count < MAX_INSTRUCTIONS) {
    const ins = decodeAt(at);
    if (!ins) break;
    if (ins.op.format === 'J' && ins.offset === -1) break; // the halt jump stays with the run loop
    const cyc = cycles(ins);
    const size = sizeInWords(ins);
    if (pure && !readsOnlyFixed(ins, stable)) pure = false;
    if (pure && ins.op.format === 'J' && ((at + 2 + 2 * ins.offset!) & 0xffff) === pc) spin = true;
    const g = generate(ins, at);
    const base = consts.length;
    consts.push(...g.consts);
    let body = g.body.replace(/\bk(\d+)\b/g, (_m, n: string) => `k${base + Number(n)}`);
    body = body.replace(/return \d+;\s*$/, '');
    const lines: string[] = [];
    const mem = touchesMemory(ins);
    if (mem) lines.push(`b.start = c0 + ${offset}; b.now = c0 + ${offset + cyc};${checked ? ` b.pc = ${at};` : ''}`);
    if (ins.op.format === 'J' && ins.op.mnemonic !== 'jmp') {
      // a conditional jump: taken leaves the block, not taken falls through
      const target = (at + 2 + 2 * ins.offset!) & 0xffff;
      lines.push(`if (${JUMP_CONDITION[ins.op.mnemonic]}) { r[0] = ${target};${checked ? ` b.pc = ${at};` : ''} return ${(offset + cyc) | ((count + 1) << 16)}; }`);
      lines.push(`r[0] = ${(at + 2) & 0xffff};`);
    } else lines.push(body);
    // Checked (protection domains): an access refused by the checker ends the block after this instruction, so the
    // violation is taken at the next instruction boundary as on the per-instruction path.
    if (checked && mem && !endsBlock(ins)) lines.push(`if (b.fault !== 0) return ${(offset + cyc) | ((count + 1) << 16)};`);
    parts.push(`{\n${lines.join('\n')}\n}`);
    for (let i = 0; i < size; i++) words.push(((at >> 1) + i) & 0x7fff);
    offset += cyc;
    count++;
    maxCycles = offset;
    at = (at + 2 * size) & 0xffff;
    endsWithReti = ins.op.timing === 'reti';
    lastAt = at - 2 * size;
    if (endsBlock(ins)) break;
  }
  if (count < 2 || (spinOnly && !spin)) return undefined;
  parts.push(`${checked ? `b.pc = ${lastAt & 0xffff}; ` : ''}return ${offset | (count << 16)};`);
  const names = consts.map((_, i) => `k${i}`);
  const factory = new Function('r', 'b', 'dadd', ...names, `return function block(c0) {\n${parts.join('\n')}\n};`) as (...a: unknown[]) => BlockFn;
  return { fn: factory(env.r, env.b, env.dadd, ...consts), maxCycles, words, endsWithReti, spin };
}
