// Instruction trace lines and a per-function cycle profile, with names from the image's symbols.
import type { Image } from '../link/image.ts';
import { printInstruction } from '../msp430/print.ts';
import type { Machine } from './machine.ts';

export class Symbols {
  private readonly byAddr = new Map<number, string>();
  private readonly sorted: { address: number; name: string }[];

  constructor(image: Image | undefined) {
    const code = (image?.symbols ?? []).filter((s) => s.code && !s.name.startsWith('.'));
    for (const s of code) if (!this.byAddr.has(s.address)) this.byAddr.set(s.address, s.name);
    this.sorted = [...this.byAddr].map(([address, name]) => ({ address, name })).sort((a, b) => a.address - b.address);
  }

  at(address: number): string | undefined {
    return this.byAddr.get(address);
  }

  /** The symbol at or below `address` (the function an instruction belongs to). */
  containing(address: number): string | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.address <= address) {
        best = this.sorted[mid]!.name;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }
}

/** Installs a tracer that writes one line per instruction: cycle, PC (function+offset), instruction text. */
export function attachTrace(m: Machine, symbols: Symbols, write: (line: string) => void): void {
  m.tracer = (pc) => {
    const ins = m.decodeAt(pc);
    const text = ins ? printInstruction(ins, { address: pc, symbolize: (a) => symbols.at(a) }) : `.word 0x${m.bus.peekWord(pc).toString(16).padStart(4, '0')} ; invalid`;
    const fn = symbols.containing(pc);
    const where = fn ? ` <${fn}>` : '';
    write(`${String(m.cycle).padStart(10)}  ${pc.toString(16).padStart(4, '0')}${where}:  ${text.replace('\t', ' ')}`);
  };
}

/** Per-function cycle profile: cycles between consecutive instruction starts are charged to the function. */
export function attachProfile(m: Machine, symbols: Symbols): () => { name: string; cycles: number; instructions: number }[] {
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
    lastFn = symbols.containing(pc) ?? '?';
    lastCycle = m.cycle;
  };
  return () => [...table].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.cycles - a.cycles);
}
