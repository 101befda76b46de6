// Names for code addresses, shared by `hasm disas` and `hasm run --trace`/`--profile` so both say the same thing:
// the symbol at an address, and `function+0xN` for an address inside a function (objdump's `<crc16+0x12>`).

/** What an image says about one symbol (link/image.ts's ImageSymbol has this shape). */
export interface NamedAddress {
  name: string;
  address: number;
  /** In an executable section. */
  code: boolean;
  /** Bytes, when the object file gave a size; 0 when unknown. */
  size: number;
}

/**
 * The compiler names every function by its index (`__m_f3`) and adds the export name as a second symbol at the same
 * address; a reader wants the export. Assembler-local labels (`.L…`) never name anything.
 */
const rank = (name: string) => (name.startsWith('.') ? 3 : /^__(m_f\d+|m_g_\d+|hasm_rt_g_\d+)$/.test(name) ? 2 : 0);

export class SymbolTable {
  private readonly names = new Map<number, string[]>();
  private readonly code: NamedAddress[];

  constructor(symbols: readonly NamedAddress[]) {
    for (const s of symbols) {
      if (rank(s.name) === 3) continue;
      const list = this.names.get(s.address) ?? [];
      if (!list.includes(s.name)) list.push(s.name);
      this.names.set(s.address, list);
    }
    // Stable: among equal ranks the image's order stands.
    for (const list of this.names.values()) list.sort((a, b) => rank(a) - rank(b));
    const best = new Map<number, NamedAddress>();
    for (const s of symbols) {
      if (!s.code || rank(s.name) === 3) continue;
      const have = best.get(s.address);
      if (!have || rank(s.name) < rank(have.name) || (rank(s.name) === rank(have.name) && s.size > have.size)) best.set(s.address, s);
    }
    this.code = [...best.values()].sort((a, b) => a.address - b.address);
  }

  /** Every name at `address`, the preferred one first. */
  labels(address: number): string[] | undefined {
    return this.names.get(address);
  }

  /** The preferred name of exactly `address`. */
  at(address: number): string | undefined {
    return this.names.get(address)?.[0];
  }

  /** The code symbol at or below `address` (the function an instruction belongs to), if `address` is inside it. */
  containing(address: number): { name: string; offset: number } | undefined {
    let lo = 0;
    let hi = this.code.length - 1;
    let found: NamedAddress | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.code[mid]!.address <= address) {
        found = this.code[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (!found || (found.size > 0 && address >= found.address + found.size)) return undefined;
    return { name: found.name, offset: address - found.address };
  }

  /** `crc16` or `crc16+0x12`, as objdump writes a target between angle brackets. */
  describe(address: number): string | undefined {
    const c = this.containing(address);
    if (!c) return undefined;
    return c.offset === 0 ? c.name : `${c.name}+0x${c.offset.toString(16)}`;
  }
}
