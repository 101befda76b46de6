// ELF32 reader: enough of the format to load executables (sections, symbols, entry) and relocatable objects.
import { InputError } from '../common/errors.ts';
import { EM_MSP430, SHT, SHF, type ElfSymbol } from './elf-write.ts';

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  address: number;
  size: number;
  bytes: Uint8Array;
  link: number;
  info: number;
}

export type { ElfSymbol };

export interface ElfFile {
  type: number; // 1 ET_REL, 2 ET_EXEC
  entry: number;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  segments: { vaddr: number; paddr: number; bytes: Uint8Array; memsz: number }[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function readElf(data: Uint8Array, file: string): ElfFile {
  const fail = (msg: string): never => {
    throw new InputError(`not a usable MSP430 ELF file: ${msg}`, { file });
  };
  if (!isElf(data)) fail('bad magic');
  if (data[4] !== 1) fail('not ELF32');
  if (data[5] !== 1) fail('not little-endian');
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const machine = b.readUInt16LE(18);
  if (machine !== EM_MSP430) fail(`machine ${machine}, expected EM_MSP430 (${EM_MSP430})`);
  const type = b.readUInt16LE(16);
  const entry = b.readUInt32LE(24);
  const phoff = b.readUInt32LE(28);
  const shoff = b.readUInt32LE(32);
  const phnum = b.readUInt16LE(44);
  const phentsize = b.readUInt16LE(42);
  const shentsize = b.readUInt16LE(46);
  const shnum = b.readUInt16LE(48);
  const shstrndx = b.readUInt16LE(50);
  if (shoff + shnum * shentsize > b.length || phoff + phnum * phentsize > b.length) fail('truncated headers');
  const raw: { nameOff: number; type: number; flags: number; address: number; off: number; size: number; link: number; info: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const t = b.readUInt32LE(o + 4);
    const off = b.readUInt32LE(o + 16);
    const size = b.readUInt32LE(o + 20);
    if (t !== SHT.NOBITS && t !== SHT.NULL && off + size > b.length) fail(`section ${i} runs past the end of the file`);
    raw.push({ nameOff: b.readUInt32LE(o), type: t, flags: b.readUInt32LE(o + 8), address: b.readUInt32LE(o + 12), off, size, link: b.readUInt32LE(o + 24), info: b.readUInt32LE(o + 28) });
  }
  const strAt = (sec: (typeof raw)[number] | undefined, at: number) => {
    if (!sec) return '';
    let end = sec.off + at;
    while (end < b.length && b[end] !== 0) end++;
    return b.toString('utf8', sec.off + at, end);
  };
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: strAt(raw[shstrndx], s.nameOff),
    type: s.type,
    flags: s.flags,
    address: s.address,
    size: s.size,
    bytes: s.type === SHT.NOBITS || s.type === SHT.NULL ? new Uint8Array(0) : new Uint8Array(data.subarray(s.off, s.off + s.size)),
    link: s.link,
    info: s.info,
  }));
  const symbols: ElfSymbol[] = [];
  const symtab = raw.findIndex((s) => s.type === SHT.SYMTAB);
  if (symtab >= 0) {
    const st = raw[symtab]!;
    const strtab = raw[st.link];
    for (let o = st.off + 16; o + 16 <= st.off + st.size; o += 16) {
      const info = b.readUInt8(o + 12);
      symbols.push({ name: strAt(strtab, b.readUInt32LE(o)), value: b.readUInt32LE(o + 4), size: b.readUInt32LE(o + 8), bind: info >> 4, type: info & 15, shndx: b.readUInt16LE(o + 14) });
    }
  }
  const segments = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (b.readUInt32LE(o) !== 1) continue; // PT_LOAD
    const off = b.readUInt32LE(o + 4);
    const filesz = b.readUInt32LE(o + 16);
    if (off + filesz > b.length) fail(`segment ${i} runs past the end of the file`);
    segments.push({ vaddr: b.readUInt32LE(o + 8), paddr: b.readUInt32LE(o + 12), bytes: new Uint8Array(data.subarray(off, off + filesz)), memsz: b.readUInt32LE(o + 20) });
  }
  return { type, entry, sections, symbols, segments };
}

/** Allocated sections with contents, as (address, bytes) — what a loader writes into memory. */
export function loadableSections(elf: ElfFile): ElfSection[] {
  return elf.sections.filter((s) => s.flags & SHF.ALLOC && s.type === SHT.PROGBITS && s.size > 0);
}
