// A program image as loaders see it — whatever file it came from (ELF executable or object, Intel HEX, raw
// bytes): loadable segments, symbol names and the entry point.
import { readFileSync } from 'node:fs';
import { InputError } from '../common/errors.ts';
import { isElf, loadableSections, readElf } from './elf-read.ts';
import { SHF, SHT } from './elf-write.ts';
import { readIntelHex, type Segment } from './ihex.ts';
import type { LinkedImage } from './link.ts';

/** The interrupt vector table: 16 words at the top of the address space (research/openmsp430.md §1). */
const VECTORS = 0xffe0;

export interface ImageSymbol {
  name: string;
  address: number;
  /** Code (function or label in an executable section) vs data. */
  code: boolean;
  size: number;
}

export interface Image {
  file: string;
  segments: (Segment & { name?: string; exec: boolean })[];
  symbols: ImageSymbol[];
  /** The reset vector's target, if the image sets one. */
  entry?: number;
}

export function imageFromLinked(img: LinkedImage, file = '<linked>'): Image {
  return {
    file,
    segments: img.sections.filter((s) => !s.nobits && s.size > 0).map((s) => ({ address: s.address, bytes: s.bytes, name: s.name, exec: s.exec })),
    symbols: img.symbols.map((s) => ({ name: s.name, address: s.address, code: !!img.sections.find((x) => x.name === s.section)?.exec, size: s.size ?? 0 })),
    entry: img.entry,
  };
}

/** Reads the word at 0xFFFE from the segments, if present. */
export function resetVector(segments: Segment[]): number | undefined {
  for (const s of segments) {
    const o = 0xfffe - s.address;
    if (o >= 0 && o + 1 < s.bytes.length) return s.bytes[o]! | (s.bytes[o + 1]! << 8);
  }
  return undefined;
}

export function loadImageFile(file: string): Image {
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new InputError(`cannot read image: ${(e as Error).message}`, { file });
  }
  if (isElf(data)) {
    const elf = readElf(data, file);
    const secs = loadableSections(elf);
    const relocatable = elf.type === 1;
    // An object file has no addresses yet: sections are shown from 0, each on its own.
    const segments = secs.map((s) => ({ address: s.address, bytes: s.bytes, name: s.name, exec: (s.flags & SHF.EXECINSTR) !== 0 }));
    const symbols: ImageSymbol[] = elf.symbols
      .filter((s) => s.name !== '' && s.type !== 3 /* section */ && s.shndx !== 0)
      .map((s) => {
        const sec = elf.sections[s.shndx];
        return { name: s.name, address: s.value + (relocatable && sec ? sec.address : 0), code: !!sec && sec.type === SHT.PROGBITS && (sec.flags & SHF.EXECINSTR) !== 0, size: s.size };
      });
    return { file, segments, symbols, entry: resetVector(segments) ?? (relocatable ? undefined : elf.entry) };
  }
  const text = Buffer.from(data).toString('latin1');
  if (/^\s*:/.test(text)) {
    const { segments } = readIntelHex(text, file);
    // Intel HEX carries no section flags: everything is taken as code except the interrupt vector table.
    const out: Image['segments'] = [];
    for (const s of segments) {
      const split = Math.max(0, Math.min(s.bytes.length, VECTORS - s.address));
      if (split > 0) out.push({ address: s.address, bytes: s.bytes.subarray(0, split), exec: true });
      if (split < s.bytes.length) out.push({ address: s.address + split, bytes: s.bytes.subarray(split), name: '.vectors', exec: false });
    }
    return { file, segments: out, symbols: [], entry: resetVector(segments) };
  }
  throw new InputError('unknown image format: expected ELF or Intel HEX (use --raw HEX --at ADDR for raw words)', { file });
}
