// Every instruction form the table can produce, as assembly text in two dialects: ours (GNU: a symbolic operand
// names its target, `$` is the current address in bytes) and llvm-mc's (a numeric symbolic operand is the raw
// extension word; `jmp $+N` takes the raw offset field). Same bytes expected from both.
import { EMULATED, OPS, type Mode } from '../../toolchain/msp430/isa.ts';

export interface Form {
  ours: string;
  llvm: string;
  /** What kind of form, for reports: format and modes. */
  klass: string;
}

interface OperandVariant {
  mode: Mode;
  /** Text with `@K@` standing for the byte distance from the instruction to this operand's extension word. */
  text: string;
  llvm: string;
  ext: boolean;
}

const REGS = Array.from({ length: 16 }, (_, i) => i);
const INDEXABLE = [1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const INDEX_VALUES = [2, -6, 0x7ffe, 0x1234, -32768, 0, 100, 0xfffe, 1, 511, -2, 0x4000, 7];

export function sourceVariants(): OperandVariant[] {
  const v: OperandVariant[] = [];
  for (const r of REGS) v.push({ mode: 'reg', text: `r${r}`, llvm: `r${r}`, ext: false });
  INDEXABLE.forEach((r, i) => {
    const x = INDEX_VALUES[i % INDEX_VALUES.length]!;
    v.push({ mode: 'indexed', text: `${x}(r${r})`, llvm: `${x}(r${r})`, ext: true });
  });
  v.push({ mode: 'symbolic', text: '$+@K@+256', llvm: '256', ext: true });
  v.push({ mode: 'absolute', text: '&0x0200', llvm: '&512', ext: true });
  v.push({ mode: 'absolute', text: '&0xfffe', llvm: '&65534', ext: true });
  for (const r of [0, 1, ...INDEXABLE.slice(1)]) v.push({ mode: 'indirect', text: `@r${r}`, llvm: `@r${r}`, ext: false });
  for (const r of INDEXABLE) v.push({ mode: 'autoinc', text: `@r${r}+`, llvm: `@r${r}+`, ext: false });
  for (const x of [0x1234, 3, 0xffff, -2, 0x8000, 255]) v.push({ mode: 'immediate', text: `#${x}`, llvm: `#${x}`, ext: true });
  for (const c of [0, 1, 2, 4, 8, -1]) v.push({ mode: 'const', text: `#${c}`, llvm: `#${c}`, ext: false });
  return v;
}

export function destVariants(): OperandVariant[] {
  const v: OperandVariant[] = [];
  for (const r of REGS) v.push({ mode: 'reg', text: `r${r}`, llvm: `r${r}`, ext: false });
  INDEXABLE.forEach((r, i) => {
    const x = INDEX_VALUES[(i + 5) % INDEX_VALUES.length]!;
    v.push({ mode: 'indexed', text: `${x}(r${r})`, llvm: `${x}(r${r})`, ext: true });
  });
  v.push({ mode: 'symbolic', text: '$+@K@+512', llvm: '512', ext: true });
  v.push({ mode: 'absolute', text: '&0x0300', llvm: '&768', ext: true });
  return v;
}

const at = (t: string, k: number) => t.replace('@K@', String(k));

export function allForms(): Form[] {
  const forms: Form[] = [];
  const srcs = sourceVariants();
  const dsts = destVariants();
  for (const op of OPS) {
    const sizes = op.byteForm ? ['', '.b'] : [''];
    if (op.format === 'I') {
      for (const sz of sizes) {
        for (const s of srcs) {
          for (const d of dsts) {
            const dk = s.ext ? 4 : 2;
            forms.push({
              ours: `${op.mnemonic}${sz} ${at(s.text, 2)}, ${at(d.text, dk)}`,
              llvm: `${op.mnemonic}${sz} ${s.llvm}, ${d.llvm}`,
              klass: `I ${s.mode}->${d.mode}`,
            });
          }
        }
      }
    } else if (op.format === 'II') {
      if (op.timing === 'reti') {
        forms.push({ ours: 'reti', llvm: 'reti', klass: 'II reti' });
        continue;
      }
      for (const sz of sizes) {
        for (const s of srcs) forms.push({ ours: `${op.mnemonic}${sz} ${at(s.text, 2)}`, llvm: `${op.mnemonic}${sz} ${s.llvm}`, klass: `II ${op.mnemonic} ${s.mode}` });
      }
    } else {
      for (const name of [op.mnemonic, ...(op.aliases ?? [])]) {
        for (const off of [-512, -100, -1, 0, 1, 200, 511]) {
          const bytes = 2 + 2 * off;
          forms.push({ ours: `${name} $${bytes >= 0 ? '+' : '-'}${Math.abs(bytes)}`, llvm: `${name} $${off >= 0 ? '+' : '-'}${Math.abs(off)}`, klass: 'J' });
        }
      }
    }
  }
  // Emulated mnemonics with every operand their template allows.
  for (const e of EMULATED) {
    const sizes = e.byteForm ? ['', '.b'] : [''];
    const needs = e.src === 'S' ? 'S' : e.src === 'D' || e.dst === 'D' ? 'D' : undefined;
    for (const sz of sizes) {
      if (!needs) {
        forms.push({ ours: e.mnemonic + sz, llvm: e.mnemonic + sz, klass: `emulated ${e.mnemonic}` });
        continue;
      }
      const list = needs === 'S' ? srcs : dsts;
      for (const o of list) {
        // rla/rlc repeat the operand as source and destination: a symbolic one is two words at two distances,
        // which no single text can say in llvm's raw form; it is covered by add/addc above.
        if (e.src === 'D' && o.mode === 'symbolic') continue;
        const k = e.src === 'D' && o.ext ? 2 : 2 + (needs === 'D' && srcHasExt(e.src) ? 2 : 0);
        forms.push({ ours: `${e.mnemonic}${sz} ${at(o.text, k)}`, llvm: `${e.mnemonic}${sz} ${o.llvm}`, klass: `emulated ${e.mnemonic} ${o.mode}` });
      }
    }
  }
  return forms;
}

function srcHasExt(t: string): boolean {
  return /^#/.test(t) && ![0, 1, 2, 4, 8, -1].includes(Number(t.slice(1)));
}
