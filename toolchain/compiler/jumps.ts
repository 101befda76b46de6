// Jump cleanup on the machine IR: structured lowering leaves jumps to the very next instruction (`jmp L` with
// only labels between it and L), code after an unconditional jump that no label makes reachable (the rest of a
// trapping arm, a trap stub no check jumps to any more), and labels nothing refers to. Removing them changes no
// path through the function: only unreachable instructions and jumps to where control goes anyway disappear.
import type { MFunction, MInstr } from './mir.ts';

export function cleanJumps(f: MFunction): MFunction {
  let code = f.code;
  for (let changed = true; changed; ) {
    changed = false;
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
