// Basic blocks and liveness of virtual and physical registers over the machine IR (used by dce.ts and
// regalloc.ts).
import { type MInstr, usesDefs } from './mir.ts';

export interface Block {
  first: number;
  last: number;
  succ: number[];
  liveIn: Set<string>;
  liveOut: Set<string>;
}

export function buildBlocks(code: MInstr[]): Block[] {
  const blocks: Block[] = [];
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const ins = code[i]!;
    const endsHere = ins.kind === 'jump' || ins.kind === 'ret' || ins.kind === 'jtab' || (i + 1 < code.length && code[i + 1]!.kind === 'label');
    if (endsHere || i === code.length - 1) {
      blocks.push({ first: start, last: i, succ: [], liveIn: new Set(), liveOut: new Set() });
      start = i + 1;
    }
  }
  const byLabel = new Map<string, number>();
  blocks.forEach((b, n) => {
    const f = code[b.first]!;
    if (f.kind === 'label') byLabel.set(f.name, n);
  });
  blocks.forEach((b, n) => {
    const l = code[b.last]!;
    const to = (name: string) => {
      const t = byLabel.get(name);
      if (t !== undefined) b.succ.push(t); // labels outside the function (the trap handler) end the path
    };
    if (l.kind === 'jump') {
      to(l.target);
      if (l.cond !== 'jmp' && n + 1 < blocks.length) b.succ.push(n + 1);
    } else if (l.kind === 'jtab') l.labels.forEach(to);
    else if (l.kind !== 'ret' && n + 1 < blocks.length) b.succ.push(n + 1);
  });
  return blocks;
}

export function liveness(code: MInstr[], blocks: Block[]): void {
  const ud = code.map(usesDefs);
  const gen: Set<string>[] = [];
  const kill: Set<string>[] = [];
  for (const b of blocks) {
    const g = new Set<string>();
    const k = new Set<string>();
    for (let i = b.first; i <= b.last; i++) {
      for (const u of ud[i]!.uses) if (!k.has(u)) g.add(u);
      for (const d of ud[i]!.defs) k.add(d);
    }
    gen.push(g);
    kill.push(k);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (let n = blocks.length - 1; n >= 0; n--) {
      const b = blocks[n]!;
      const out = new Set<string>();
      for (const s of b.succ) for (const x of blocks[s]!.liveIn) out.add(x);
      const inn = new Set(gen[n]);
      for (const x of out) if (!kill[n]!.has(x)) inn.add(x);
      if (inn.size !== b.liveIn.size || out.size !== b.liveOut.size) changed = true;
      b.liveIn = inn;
      b.liveOut = out;
    }
  }
}

