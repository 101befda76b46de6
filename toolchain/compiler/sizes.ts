// Per-function code sizes of a linked image (for the map file and the benchmark): each function symbol runs to
// the next symbol in its section.
import type { LinkedImage } from '../link/link.ts';

const FUNCTION = /^(__m_f\d+|__hasm_[a-z_0-9]+|_start|__hasm_init|__hasm_trap)$/;

export function functionSizes(img: LinkedImage): { symbol: string; name: string; address: number; bytes: number }[] {
  const text = img.sections.filter((s) => s.exec);
  const out: { symbol: string; name: string; address: number; bytes: number }[] = [];
  for (const sec of text) {
    const syms = img.symbols.filter((s) => s.section === sec.name && s.global && !s.name.startsWith('__hasm_sig_')).sort((a, b) => a.address - b.address);
    // Aliases (an export name on the same address as its function) count once.
    const starts = [...new Set(syms.map((s) => s.address))];
    starts.forEach((addr, i) => {
      const end = starts[i + 1] ?? sec.address + sec.size;
      const at = syms.filter((s) => s.address === addr);
      const sym = at.find((s) => FUNCTION.test(s.name)) ?? at[0]!;
      const alias = at.find((s) => s !== sym);
      out.push({ symbol: sym.name, name: alias?.name ?? sym.name, address: addr, bytes: end - addr });
    });
  }
  return out;
}
