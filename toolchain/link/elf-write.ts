// ELF32 little-endian writer for MSP430 (EM_MSP430 = 105): linked executables (ET_EXEC, with program headers)
// and relocatable objects (ET_REL, with .rela sections). Field layout: System V ABI, ELF32; MSP430 relocation
// numbers as LLVM and binutils define them (R_MSP430_16_BYTE = 5 etc.).
import type { LinkedImage } from './link.ts';
import { contents, type ObjectFile, type RelocKind } from './object.ts';
import { SECTION_BASE } from '../msp430/asm/expr.ts';

export const EM_MSP430 = 105;
export const ELFOSABI_STANDALONE = 255;
export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8 } as const;
export const SHF = { WRITE: 1, ALLOC: 2, EXECINSTR: 4, INFO_LINK: 0x40 } as const;
export const RELOC_TYPE: Record<RelocKind, number> = { abs32: 1, pcrel10: 2, abs16: 5, pcrel16: 6, abs8: 9 };
const SHN_ABS = 0xfff1;
const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 };
const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3 };

class StrTab {
  private parts: string[] = [''];
  private size = 1;
  private index = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const k = this.index.get(s);
    if (k !== undefined) return k;
    const at = this.size;
    this.parts.push(s);
    this.size += Buffer.byteLength(s) + 1;
    this.index.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.from(this.parts.join('\0') + '\0'));
  }
}

interface OutSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  data: Uint8Array;
  size: number; // differs from data.length for NOBITS
  link?: number;
  info?: number;
  align: number;
  entsize?: number;
}

/** One ELF symbol-table entry (also what elf-read.ts returns). */
export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  bind: number;
  type: number;
  shndx: number;
}
type Sym = ElfSymbol;

function symtabBytes(syms: Sym[], strtab: StrTab): Uint8Array {
  const b = Buffer.alloc(16 * (syms.length + 1));
  syms.forEach((s, i) => {
    const o = 16 * (i + 1);
    b.writeUInt32LE(strtab.add(s.name), o);
    b.writeUInt32LE(s.value >>> 0, o + 4);
    b.writeUInt32LE(s.size, o + 8);
    b.writeUInt8((s.bind << 4) | s.type, o + 12);
    b.writeUInt8(0, o + 13);
    b.writeUInt16LE(s.shndx, o + 14);
  });
  return new Uint8Array(b);
}

function assemble(type: 1 | 2, entry: number, sections: OutSection[], segments: { section: number }[]): Uint8Array {
  const shstrtab = new StrTab();
  const all: OutSection[] = [{ name: '', type: 0, flags: 0, addr: 0, data: new Uint8Array(0), size: 0, align: 0 }, ...sections];
  const shstrIndex = all.length;
  all.push({ name: '.shstrtab', type: SHT.STRTAB, flags: 0, addr: 0, data: new Uint8Array(0), size: 0, align: 1 });
  const nameOffsets = all.map((s) => shstrtab.add(s.name));
  const shstr = shstrtab.bytes();
  all[shstrIndex]!.data = shstr;
  all[shstrIndex]!.size = shstr.length;

  const ehsize = 52;
  const phentsize = 32;
  const phoff = segments.length ? ehsize : 0;
  let offset = ehsize + phentsize * segments.length;
  const offsets: number[] = [];
  for (const s of all) {
    if (s.type === SHT.NULL) {
      offsets.push(0);
      continue;
    }
    const a = Math.max(s.align, 1);
    offset = Math.ceil(offset / a) * a;
    offsets.push(offset);
    if (s.type !== SHT.NOBITS) offset += s.data.length;
  }
  offset = Math.ceil(offset / 4) * 4;
  const shoff = offset;
  const total = shoff + 40 * all.length;
  const b = Buffer.alloc(total);
  // e_ident
  b.set([0x7f, 0x45, 0x4c, 0x46, 1 /* ELFCLASS32 */, 1 /* little endian */, 1 /* EV_CURRENT */, ELFOSABI_STANDALONE], 0);
  b.writeUInt16LE(type, 16);
  b.writeUInt16LE(EM_MSP430, 18);
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(entry, 24);
  b.writeUInt32LE(phoff, 28);
  b.writeUInt32LE(shoff, 32);
  b.writeUInt32LE(0, 36); // e_flags
  b.writeUInt16LE(ehsize, 40);
  b.writeUInt16LE(segments.length ? phentsize : 0, 42);
  b.writeUInt16LE(segments.length, 44);
  b.writeUInt16LE(40, 46);
  b.writeUInt16LE(all.length, 48);
  b.writeUInt16LE(shstrIndex, 50);
  segments.forEach((seg, i) => {
    const s = all[seg.section]!;
    const o = phoff + phentsize * i;
    b.writeUInt32LE(1, o); // PT_LOAD
    b.writeUInt32LE(s.type === SHT.NOBITS ? 0 : offsets[seg.section]!, o + 4);
    b.writeUInt32LE(s.addr, o + 8); // p_vaddr
    b.writeUInt32LE(s.addr, o + 12); // p_paddr: loaded where it runs
    b.writeUInt32LE(s.type === SHT.NOBITS ? 0 : s.size, o + 16);
    b.writeUInt32LE(s.size, o + 20);
    b.writeUInt32LE(4 | (s.flags & SHF.WRITE ? 2 : 0) | (s.flags & SHF.EXECINSTR ? 1 : 0), o + 24); // PF_R|W|X
    b.writeUInt32LE(Math.max(s.align, 1), o + 28);
  });
  all.forEach((s, i) => {
    if (s.type !== SHT.NOBITS && s.data.length) b.set(s.data, offsets[i]!);
    const o = shoff + 40 * i;
    b.writeUInt32LE(nameOffsets[i]!, o);
    b.writeUInt32LE(s.type, o + 4);
    b.writeUInt32LE(s.flags, o + 8);
    b.writeUInt32LE(s.addr, o + 12);
    b.writeUInt32LE(offsets[i]!, o + 16);
    b.writeUInt32LE(s.size, o + 20);
    b.writeUInt32LE(s.link ?? 0, o + 24);
    b.writeUInt32LE(s.info ?? 0, o + 28);
    b.writeUInt32LE(s.align, o + 32);
    b.writeUInt32LE(s.entsize ?? 0, o + 36);
  });
  return new Uint8Array(b);
}

const flagsOf = (s: { write: boolean; exec: boolean; alloc?: boolean }) =>
  (s.alloc === false ? 0 : SHF.ALLOC) | (s.write ? SHF.WRITE : 0) | (s.exec ? SHF.EXECINSTR : 0);

/** A linked image → ELF executable. */
export function writeElfExecutable(img: LinkedImage): Uint8Array {
  const sections: OutSection[] = img.sections.map((s) => ({
    name: s.name,
    type: s.nobits ? SHT.NOBITS : SHT.PROGBITS,
    flags: flagsOf(s),
    addr: s.address,
    data: s.nobits ? new Uint8Array(0) : s.bytes,
    size: s.size,
    align: 2,
  }));
  const strtab = new StrTab();
  const indexOf = (name?: string) => (name === undefined ? SHN_ABS : img.sections.findIndex((s) => s.name === name) + 1);
  const syms: Sym[] = [];
  const sorted = [...img.symbols].sort((a, b) => Number(a.global) - Number(b.global));
  for (const s of sorted) {
    syms.push({
      name: s.name,
      value: s.address,
      size: s.size ?? 0,
      bind: s.global ? STB.GLOBAL : STB.LOCAL,
      type: s.kind === 'func' ? STT.FUNC : s.kind === 'object' ? STT.OBJECT : STT.NOTYPE,
      shndx: indexOf(s.section),
    });
  }
  const firstGlobal = syms.findIndex((s) => s.bind !== STB.LOCAL);
  const symtabIndex = sections.length + 1;
  sections.push({ name: '.symtab', type: SHT.SYMTAB, flags: 0, addr: 0, data: new Uint8Array(0), size: 0, link: symtabIndex + 1, info: (firstGlobal < 0 ? syms.length : firstGlobal) + 1, align: 4, entsize: 16 });
  const symData = symtabBytes(syms, strtab);
  sections[sections.length - 1]!.data = symData;
  sections[sections.length - 1]!.size = symData.length;
  const str = strtab.bytes();
  sections.push({ name: '.strtab', type: SHT.STRTAB, flags: 0, addr: 0, data: str, size: str.length, align: 1 });
  const segments = img.sections.map((s, i) => ({ s, i })).filter(({ s }) => !s.nobits && s.size > 0).map(({ i }) => ({ section: i + 1 }));
  return assemble(2, img.entry, sections, segments);
}

/** A relocatable object → ELF ET_REL (what `hasm as -c` writes). */
export function writeElfObject(obj: ObjectFile): Uint8Array {
  const sections: OutSection[] = obj.sections.map((s) => ({
    name: s.name,
    type: s.nobits ? SHT.NOBITS : SHT.PROGBITS,
    flags: flagsOf(s),
    addr: 0,
    data: contents(s),
    size: s.size,
    align: s.align,
  }));
  const secIndex = (name: string) => obj.sections.findIndex((s) => s.name === name) + 1;
  // Symbols: section symbols, then locals, then globals (ELF requires locals first).
  const syms: Sym[] = obj.sections.map((s) => ({ name: '', value: 0, size: 0, bind: STB.LOCAL, type: STT.SECTION, shndx: secIndex(s.name) }));
  const locals = obj.symbols.filter((s) => s.binding === 'local' && s.defined);
  const globals = obj.symbols.filter((s) => s.binding !== 'local' || !s.defined);
  const symOf = (s: ObjectFile['symbols'][number]): Sym => ({
    name: s.name,
    value: s.defined ? s.value : 0,
    size: s.size ?? 0,
    bind: s.binding === 'weak' ? STB.WEAK : s.binding === 'global' || !s.defined ? STB.GLOBAL : STB.LOCAL,
    type: s.kind === 'func' ? STT.FUNC : s.kind === 'object' ? STT.OBJECT : STT.NOTYPE,
    shndx: !s.defined ? 0 : s.section === undefined ? SHN_ABS : secIndex(s.section),
  });
  syms.push(...locals.map(symOf));
  const firstGlobal = syms.length + 1;
  syms.push(...globals.map(symOf));
  const symIndex = (name: string): number => {
    if (name === '') return 0;
    if (name.startsWith(SECTION_BASE)) return secIndex(name.slice(SECTION_BASE.length));
    const i = syms.findIndex((s) => s.name === name && s.type !== STT.SECTION);
    if (i < 0) throw new Error(`relocation against unknown symbol '${name}'`);
    return i + 1;
  };
  const symtabIndex = sections.length + 1 + obj.sections.filter((s) => s.relocs.length).length;
  obj.sections.forEach((s) => {
    if (!s.relocs.length) return;
    const b = Buffer.alloc(12 * s.relocs.length);
    s.relocs.forEach((r, i) => {
      b.writeUInt32LE(r.offset, 12 * i);
      b.writeUInt32LE((symIndex(r.symbol) << 8) | RELOC_TYPE[r.kind], 12 * i + 4);
      b.writeInt32LE(r.addend, 12 * i + 8);
    });
    sections.push({ name: '.rela' + s.name, type: SHT.RELA, flags: SHF.INFO_LINK, addr: 0, data: new Uint8Array(b), size: b.length, link: symtabIndex, info: secIndex(s.name), align: 4, entsize: 12 });
  });
  const strtab = new StrTab();
  const symData = symtabBytes(syms, strtab);
  sections.push({ name: '.symtab', type: SHT.SYMTAB, flags: 0, addr: 0, data: symData, size: symData.length, link: symtabIndex + 1, info: firstGlobal, align: 4, entsize: 16 });
  const str = strtab.bytes();
  sections.push({ name: '.strtab', type: SHT.STRTAB, flags: 0, addr: 0, data: str, size: str.length, align: 1 });
  return assemble(1, 0, sections, []);
}
