// Jump cleanup on the machine IR: structured lowering leaves jumps to the very next instruction (`jmp L` with
// only labels between it and L), code after an unconditional jump that no label makes reachable (the rest of a
// trapping arm, a trap stub no check jumps to any more), and labels nothing refers to. Removing them changes no
// path through the function: only unreachable instructions and jumps to where control goes anyway disappear.
// Also jump threading: a jump to a label whose first instruction is `jmp M` goes to M itself (the intermediate
// jump often becomes unreachable, and goes); and `jcc L; jmp M; L:` becomes `j!cc M; L:`. Each saves a jump
// (2 bytes, issue 18 "Measured") and the time of one.
import type { Cond, MFunction, MInstr } from './mir.ts';

const INVERSE: Partial<Record<Cond, Cond>> = { jne: 'jeq', jeq: 'jne', jlo: 'jhs', jhs: 'jlo', jl: 'jge', jge: 'jl' };

/** Label → where an unconditional jump at it finally leads (chains followed, cycles left alone). */
function threadTargets(code: MInstr[]): Map<string, string> {
  const first = new Map<string, string>();
  const pending: string[] = [];
  for (const i of code) {
    if (i.kind === 'label') {
      pending.push(i.name);
      continue;
    }
    if (i.kind === 'jump' && i.cond === 'jmp') for (const l of pending) first.set(l, i.target);
    pending.length = 0;
  }
  const out = new Map<string, string>();
  for (const l of first.keys()) {
    const seen = new Set<string>([l]);
    let t = first.get(l)!;
    while (first.has(t) && !seen.has(t)) {
      seen.add(t);
      t = first.get(t)!;
    }
    if (!seen.has(t) || t !== l) out.set(l, t);
  }
  return out;
}

export function cleanJumps(f: MFunction): MFunction {
  let code = f.code;
  for (let changed = true; changed; ) {
    changed = false;
    const thread = threadTargets(code);
    code = code.map((i) => {
      if (i.kind === 'jump' && thread.has(i.target) && thread.get(i.target) !== i.target) {
        changed = true;
        return { ...i, target: thread.get(i.target)! };
      }
      if (i.kind === 'jtab' && i.labels.some((l) => thread.has(l) && thread.get(l) !== l)) {
        changed = true;
        return { ...i, labels: i.labels.map((l) => thread.get(l) ?? l) };
      }
      return i;
    });
    // `jcc L; jmp M; L:` → `j!cc M; L:` (the conditional jump's inverse goes where the unconditional one went).
    for (let n = 0; n + 2 < code.length; n++) {
      const a = code[n]!;
      const b = code[n + 1]!;
      if (a.kind !== 'jump' || a.cond === 'jmp' || !INVERSE[a.cond] || b.kind !== 'jump' || b.cond !== 'jmp') continue;
      const after = new Set<string>();
      for (let k = n + 2; k < code.length && code[k]!.kind === 'label'; k++) after.add((code[k] as { name: string }).name);
      // (a `jmp` to the next instruction goes anyway, below)
      if (!after.has(a.target) || after.has(b.target)) continue;
      code = [...code.slice(0, n), { kind: 'jump', cond: INVERSE[a.cond]!, target: b.target }, ...code.slice(n + 2)];
      changed = true;
    }
    const referenced = new Set<string>();
    const asmText = code.filter((i) => i.kind === 'asm').map((i) => (i as { text: string }).text).join('\n');
    for (const i of code) {
      if (i.kind === 'jump') referenced.add(i.target);
      if (i.kind === 'jtab') i.labels.forEach((l) => referenced.add(l));
    }
    const live = (name: string) => referenced.has(name) || !name.startsWith('.L') || asmText.includes(name);
    const out: MInstr[] = [];
    let reachable = true;
    code.forEach((i, n) => {
      if (i.kind === 'label') {
        if (!live(i.name)) {
          changed = true;
          return;
        }
        reachable = true;
        out.push(i);
        return;
      }
      if (!reachable) {
        changed = true;
        return;
      }
      if (i.kind === 'jump' && i.cond === 'jmp') {
        // A jump whose target is among the labels right after it.
        for (let k = n + 1; k < code.length && code[k]!.kind === 'label'; k++) {
          if ((code[k] as { name: string }).name === i.target) {
            changed = true;
            return;
          }
        }
      }
      out.push(i);
      if ((i.kind === 'jump' && i.cond === 'jmp') || i.kind === 'ret' || i.kind === 'jtab') reachable = false;
    });
    code = out;
  }
  return { ...f, code };
}
