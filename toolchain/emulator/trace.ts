// Instruction trace lines and a per-function cycle profile, with names from the image's symbols — the same names,
// `<function+0xN>` and jump targets as `hasm disas` shows (../msp430/symbols.ts, ../msp430/disassemble.ts).
import { describeInstruction } from '../msp430/disassemble.ts';
import type { SymbolTable } from '../msp430/symbols.ts';
import type { Machine } from './machine.ts';

/**
 * Installs a tracer that writes one line per instruction: cycle, PC with `<function+0xN>`, and the instruction as
 * the disassembler lists it (`jhs 0x4646 <crc16+0x12>`). Chains to a tracer already installed.
 */
export function attachTrace(m: Machine, symbols: SymbolTable, write: (line: string) => void): void {
  const prev = m.tracer;
  m.tracer = (pc) => {
    prev?.(pc);
    const ins = m.decodeAt(pc);
    let text = `.word 0x${m.bus.peekWord(pc).toString(16).padStart(4, '0')} ; invalid`;
    if (ins) {
      const d = describeInstruction(ins, pc, { symbols });
      text = d.text.replace('\t', ' ') + (d.target ? ` <${d.target}>` : '');
    }
    const where = symbols.describe(pc);
    write(`${String(m.cycle).padStart(10)}  ${pc.toString(16).padStart(4, '0')}${where ? ` <${where}>` : ''}:  ${text}`);
  };
}

/** Per-function cycle profile: cycles between consecutive instruction starts are charged to the function. */
export function attachProfile(m: Machine, symbols: SymbolTable): () => { name: string; cycles: number; instructions: number }[] {
  const table = new Map<string, { cycles: number; instructions: number }>();
  let lastFn: string | undefined;
  let lastCycle = m.cycle;
  const prev = m.tracer;
  m.tracer = (pc) => {
    prev?.(pc);
    if (lastFn !== undefined) {
      const e = table.get(lastFn) ?? { cycles: 0, instructions: 0 };
      e.cycles += m.cycle - lastCycle;
      e.instructions++;
      table.set(lastFn, e);
    }
    lastFn = symbols.containing(pc)?.name ?? '?';
    lastCycle = m.cycle;
  };
  return () => {
    // The last instruction is charged when the run ends (a --call's final ret is followed by no instruction).
    if (lastFn !== undefined && m.cycle > lastCycle) {
      const e = table.get(lastFn) ?? { cycles: 0, instructions: 0 };
      e.cycles += m.cycle - lastCycle;
      e.instructions++;
      table.set(lastFn, e);
      lastCycle = m.cycle;
    }
    return [...table].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.cycles - a.cycles);
  };
}
