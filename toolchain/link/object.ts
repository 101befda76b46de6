// The object model shared by the assembler, the linker, the ELF reader/writer and the disassembler.

export type RelocKind = 'abs16' | 'pcrel16' | 'pcrel10' | 'abs8' | 'abs32';

/** A reference the assembler could not resolve: patched by the linker (or written as an ELF relocation). */
export interface Reloc {
  /** Byte offset of the field in its section. */
  offset: number;
  kind: RelocKind;
  symbol: string;
  addend: number;
  /** For pcrel16: offset of the word the PC-relative distance is measured from (the field itself on MSP430). */
  line?: number;
  file?: string;
}

export interface Section {
  name: string;
  /** progbits sections carry bytes; nobits (bss-like) only a size. */
  nobits: boolean;
  alloc: boolean;
  write: boolean;
  exec: boolean;
  align: number;
  bytes: Uint8Array;
  size: number;
  relocs: Reloc[];
  /** Address once linked. */
  address?: number;
}

export type Binding = 'local' | 'global' | 'weak';

export interface SymbolDef {
  name: string;
  /** Section name, or undefined for an absolute symbol. */
  section?: string;
  /** Offset in the section (or absolute value). */
  value: number;
  binding: Binding;
  /** False for a symbol only referenced (undefined here, to be resolved by the linker). */
  defined: boolean;
  kind?: 'func' | 'object';
  size?: number;
}

export interface ObjectFile {
  file: string;
  sections: Section[];
  symbols: SymbolDef[];
}

export function newSection(name: string, flags: Partial<Pick<Section, 'nobits' | 'alloc' | 'write' | 'exec'>> = {}): Section {
  const inferred = sectionFlags(name);
  return { name, ...inferred, ...flags, align: 2, bytes: new Uint8Array(0), size: 0, relocs: [] };
}

/** Flags a section gets from its name when `.section` gives none (GNU as conventions). */
export function sectionFlags(name: string): Pick<Section, 'nobits' | 'alloc' | 'write' | 'exec'> {
  if (name === '.text' || name.startsWith('.text.') || name === '.vectors' || name.startsWith('.vectors.') || name.startsWith('__interrupt_vector')) {
    return { nobits: false, alloc: true, write: false, exec: true };
  }
  if (name === '.bss' || name.startsWith('.bss.') || name === '.noinit') return { nobits: true, alloc: true, write: true, exec: false };
  if (name === '.rodata' || name.startsWith('.rodata.')) return { nobits: false, alloc: true, write: false, exec: false };
  return { nobits: false, alloc: true, write: true, exec: false };
}

/** Grows a section's byte buffer to hold at least `size` bytes. */
export function ensureSize(s: Section, size: number): void {
  if (size > s.size) s.size = size;
  if (s.nobits || size <= s.bytes.length) return;
  const n = new Uint8Array(Math.max(size, s.bytes.length * 2, 64));
  n.set(s.bytes);
  s.bytes = n;
}

/** The section's contents, trimmed to its size. */
export function contents(s: Section): Uint8Array {
  return s.nobits ? new Uint8Array(0) : s.bytes.subarray(0, s.size);
}
