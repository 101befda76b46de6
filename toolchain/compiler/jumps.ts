// Jump cleanup on the machine IR: structured lowering leaves jumps to the very next instruction (`jmp L` with
// only labels between it and L), code after an unconditional jump that no label makes reachable (the rest of a
// trapping arm, a trap stub no check jumps to any more), and labels nothing refers to. Removing them changes no
// path through the function: only unreachable instructions and jumps to where control goes anyway disappear.
// Also jump threading: a jump to a label whose first instruction is `jmp M` goes to M itself (the intermediate
// jump often becomes unreachable, and goes); and `jcc L; jmp M; L:` becomes `j!cc M; L:`. Each saves a jump
// (2 bytes, issue 18 "Measured") and the time of one.
import { jumpInverse } from '../msp430/isa.ts';
import { type Cond, type MFunction, type MInstr, printMInstr } from './mir.ts';

/** The inverse condition, from the instruction table (none for jn). */
const inverse = (c: Cond): Cond | undefined => jumpInverse(c) as Cond | undefined;

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
      if (a.kind !== 'jump' || a.cond === 'jmp' || !inverse(a.cond) || b.kind !== 'jump' || b.cond !== 'jmp') continue;
      const after = new Set<string>();
      for (let k = n + 2; k < code.length && code[k]!.kind === 'label'; k++) after.add((code[k] as { name: string }).name);
      // (a `jmp` to the next instruction goes anyway, below)
      if (!after.has(a.target) || after.has(b.target)) continue;
      code = [...code.slice(0, n), { kind: 'jump', cond: inverse(a.cond)!, target: b.target }, ...code.slice(n + 2)];
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

/**
 * Cross-jumping (tail merging) on allocated code: two blocks that end alike — the same instructions, then the same
 * `jmp L` or a `ret` — keep one copy of the common tail; the other jumps to it (a label placed before it). Jumps
 * keep the flags, so a tail that reads them at its start reads what its own path set, as before. Each merge saves
 * the tail's bytes less one jump (issue 18 "Measured": `mov #2, r13; mov #0, r14; jmp L` five times in a row of
 * checks). Inline assembly is never merged (its text may define labels).
 */
export function crossJump(f: MFunction): MFunction {
  let code = f.code;
  let fresh = 0;
  const text = (i: MInstr) => printMInstr(i);
  const plain = (i: MInstr | undefined) => !!i && (i.kind === 'op' || i.kind === 'call');
  for (let merged = true; merged; ) {
    merged = false;
    const seen = new Map<string, number>(); // terminator text → index of its first occurrence
    for (let b = 0; b < code.length && !merged; b++) {
      const t = code[b]!;
      if (!((t.kind === 'jump' && t.cond === 'jmp') || t.kind === 'ret')) continue;
      const key = text(t);
      const a = seen.get(key);
      if (a === undefined) {
        seen.set(key, b);
        continue;
      }
      let k = 0;
      while (a - k - 1 >= 0 && b - k - 1 > a && plain(code[a - k - 1]) && plain(code[b - k - 1]) && text(code[a - k - 1]!) === text(code[b - k - 1]!)) k++;
      if (k === 0) continue;
      const label = `${f.sym.startsWith('.') ? '' : '.L'}${f.sym}$xj${fresh++}`;
      code = [...code.slice(0, a - k), { kind: 'label', name: label }, ...code.slice(a - k, b - k), { kind: 'jump', cond: 'jmp', target: label }, ...code.slice(b + 1)];
      merged = true;
    }
  }
  return { ...f, code };
}

/**
 * Tail calls: in a function that saved no register and has no frame, `call #f; ret` becomes `jmp f` (emitted as
 * `br #f`, 4 bytes for 6): the stack holds only the return address, which f's own `ret` then uses; f's results are
 * in the result registers either way. cleanJumps removes the `ret` when nothing else jumps to it.
 */
export function tailCalls(f: MFunction, saved: readonly number[], frame: number): MFunction {
  if (saved.length || frame) return f;
  const code = f.code.map((i, n): MInstr => {
    const next = f.code[n + 1];
    return i.kind === 'call' && i.target.k === 'imm' && typeof i.target.v === 'string' && next?.kind === 'ret' ? { kind: 'jump', cond: 'jmp', target: i.target.v } : i;
  });
  return { ...f, code };
}
