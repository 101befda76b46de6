// The linker: merges objects' sections, places them at addresses from the board's memory map (or explicit
// placements), resolves symbols and applies relocations. The result is an image ready for ELF, Intel HEX or the
// emulator.
import { InputError } from '../common/errors.ts';
import { hex4 } from '../common/numbers.ts';
import type { Board, MemoryRegion } from '../../boards/board.ts';
import { contents, type ObjectFile, type Reloc, type Section } from './object.ts';
import { SECTION_BASE } from '../msp430/asm/expr.ts';

export interface LinkedSection {
  name: string;
  address: number;
  size: number;
  nobits: boolean;
  write: boolean;
  exec: boolean;
  bytes: Uint8Array;
  /** Where each input section landed (for the map file). */
  inputs: { file: string; offset: number; size: number }[];
  region?: string;
}

export interface LinkedSymbol {
  name: string;
  address: number;
  section?: string;
  global: boolean;
  kind?: 'func' | 'object';
  size?: number;
  file: string;
}

export interface LinkedImage {
  sections: LinkedSection[];
  symbols: LinkedSymbol[];
  entry: number;
  /** Notes for the map file (e.g. a synthesised reset vector). */
  notes: string[];
}

export interface LinkOptions {
  board: Board;
  /** Explicit placements: output section name → address (the command line's map). */
  place?: Record<string, number>;
}

const RESET_VECTOR = 0xfffe;

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function linkError(msg: string, r?: Reloc): never {
  throw new InputError(msg, r?.file ? { file: r.file, line: r.line } : undefined);
}

export function link(objects: ObjectFile[], options: LinkOptions): LinkedImage {
  const { board } = options;
  // 1. Merge input sections of the same name, in input order.
  const out = new Map<string, LinkedSection & { parts: { obj: ObjectFile; sec: Section; offset: number }[]; align: number }>();
  for (const obj of objects) {
    for (const sec of obj.sections) {
      if (!sec.alloc) continue;
      let o = out.get(sec.name);
      if (!o) {
        o = { name: sec.name, address: 0, size: 0, nobits: sec.nobits, write: sec.write, exec: sec.exec, bytes: new Uint8Array(0), inputs: [], parts: [], align: 1 };
        out.set(sec.name, o);
      }
      if (o.nobits !== sec.nobits) linkError(`section '${sec.name}' is nobits in one object and has data in another (${obj.file})`);
      const offset = alignUp(o.size, sec.align);
      o.parts.push({ obj, sec, offset });
      o.inputs.push({ file: obj.file, offset, size: sec.size });
      o.size = offset + sec.size;
      o.align = Math.max(o.align, sec.align);
    }
  }
  for (const o of out.values()) {
    if (o.nobits) continue;
    o.bytes = new Uint8Array(o.size);
    for (const p of o.parts) o.bytes.set(contents(p.sec), p.offset);
  }

  // 2. Symbols: globals in one table, locals per object.
  const sectionAddr = (name: string) => out.get(name)!.address;
  const globals = new Map<string, { obj: ObjectFile; sym: ObjectFile['symbols'][number] }>();
  for (const obj of objects) {
    for (const sym of obj.symbols) {
      if (!sym.defined || sym.binding === 'local') continue;
      const prev = globals.get(sym.name);
      if (prev && prev.sym.binding !== 'weak' && sym.binding !== 'weak') {
        linkError(`symbol '${sym.name}' is defined in both ${prev.obj.file} and ${obj.file}`);
      }
      if (!prev || prev.sym.binding === 'weak') globals.set(sym.name, { obj, sym });
    }
  }

  // 3. Reset vector: a program that sets none gets one pointing at its entry symbol, if 0xFFFE is free.
  const notes: string[] = [];
  placeSections(out, options, notes);
  const coversReset = [...out.values()].some((s) => !s.nobits && s.address <= RESET_VECTOR && RESET_VECTOR + 2 <= s.address + s.size);

  const partOffset = (obj: ObjectFile, section: string) => {
    const o = out.get(section);
    const p = o?.parts.find((q) => q.obj === obj && q.sec.name === section);
    if (!o || !p) linkError(`${obj.file}: section '${section}' is not allocated`);
    return o.address + p.offset;
  };
  const symbolAddress = (obj: ObjectFile, name: string, r?: Reloc): number => {
    if (name === '') return 0; // an absolute target (e.g. `mov 0x0200, r5` in symbolic mode)
    if (name.startsWith(SECTION_BASE)) return partOffset(obj, name.slice(SECTION_BASE.length));
    const local = obj.symbols.find((s) => s.name === name && s.defined && s.binding === 'local');
    const def = local ? { obj, sym: local } : globals.get(name);
    if (!def) {
      const weakRef = obj.symbols.find((s) => s.name === name && s.binding === 'weak');
      if (weakRef) return 0;
      linkError(`undefined symbol '${name}' (referenced from ${obj.file})`, r);
    }
    return def.sym.section === undefined ? def.sym.value : partOffset(def.obj, def.sym.section) + def.sym.value;
  };

  // 4. Relocations.
  for (const o of out.values()) {
    for (const p of o.parts) {
      for (const r of p.sec.relocs) {
        if (o.nobits) linkError(`relocation in nobits section '${o.name}'`, r);
        const S = symbolAddress(p.obj, r.symbol, r);
        const at = p.offset + r.offset;
        const P = o.address + at;
        applyReloc(o.bytes, at, r, S + r.addend, P);
      }
    }
  }

  // 5. Symbol list with final addresses.
  const symbols: LinkedSymbol[] = [];
  for (const obj of objects) {
    for (const sym of obj.symbols) {
      if (!sym.defined) continue;
      if (sym.binding !== 'local' && globals.get(sym.name)?.obj !== obj) continue;
      const address = sym.section === undefined ? sym.value : partOffset(obj, sym.section) + sym.value;
      symbols.push({ name: sym.name, address, section: sym.section, global: sym.binding !== 'local', kind: sym.kind, size: sym.size, file: obj.file });
    }
  }

  let entrySym = ['_start', 'start', '__start', 'main'].map((n) => symbols.find((s) => s.name === n && s.section)).find(Boolean);
  const sections = [...out.values()].map(({ parts: _p, align: _a, ...s }) => s);
  if (!coversReset) {
    const text = sections.find((s) => s.exec && s.size > 0);
    const entry = entrySym?.address ?? text?.address;
    if (entry !== undefined) {
      const region = board.memory.find((m) => RESET_VECTOR >= m.start && RESET_VECTOR < m.start + m.size)?.name;
      sections.push({ name: '.vectors', address: RESET_VECTOR, size: 2, nobits: false, write: false, exec: false, bytes: new Uint8Array([entry & 0xff, entry >> 8]), inputs: [], region });
      notes.push(`reset vector (0xfffe) not set by the program: pointed at ${entrySym ? entrySym.name : sections.find((s) => s.exec)?.name} (0x${hex4(entry)})`);
      checkOverlaps(sections);
    }
  }
  const reset = sections.find((s) => !s.nobits && s.address <= RESET_VECTOR && RESET_VECTOR + 2 <= s.address + s.size);
  const entry = reset ? reset.bytes[RESET_VECTOR - reset.address]! | (reset.bytes[RESET_VECTOR - reset.address + 1]! << 8) : (entrySym?.address ?? 0);
  sections.sort((a, b) => a.address - b.address);
  return { sections, symbols: symbols.sort((a, b) => a.address - b.address || a.name.localeCompare(b.name)), entry, notes };
}

function alignUp(v: number, a: number): number {
  return a > 1 ? Math.ceil(v / a) * a : v;
}

function placeSections(out: Map<string, LinkedSection & { align: number }>, options: LinkOptions, notes: string[]): void {
  const { board, place = {} } = options;
  const regionFill = new Map<string, number>();
  const regionOf = (r: MemoryRegion) => regionFill.get(r.name) ?? r.start;
  const placed = new Set<string>();
  // Explicit placements first; interrupt vectors at their fixed addresses.
  for (const s of out.values()) {
    let addr = place[s.name];
    const vec = /^__interrupt_vector_(\d+)$/.exec(s.name);
    if (addr === undefined && vec) addr = 0xffe0 + 2 * (Number(vec[1]) - 1);
    if (addr === undefined && s.name === '.vectors') addr = 0x10000 - s.size; // the vector table ends the address space
    if (addr === undefined && isVectorText(s.name)) addr = vectorTextAddress(s);
    if (addr === undefined) continue;
    s.address = addr;
    s.region = board.memory.find((m) => addr! >= m.start && addr! < m.start + m.size)?.name;
    placed.add(s.name);
  }
  for (const name of Object.keys(place)) if (!out.has(name)) notes.push(`placement for '${name}' ignored: no such section`);
  // Then each board region takes its listed sections in order.
  for (const region of board.memory) {
    for (const pattern of region.sections) {
      for (const s of out.values()) {
        if (placed.has(s.name) || !matches(pattern, s.name)) continue;
        putIn(region, s);
      }
    }
  }
  // Anything else by its flags: code and constants to ROM, writable data to RAM.
  for (const s of out.values()) {
    if (placed.has(s.name)) continue;
    const kind = s.exec || !s.write ? 'rom' : 'ram';
    const region = options.board.memory.find((m) => m.kind === kind);
    if (!region) linkError(`board '${board.name}' has no ${kind} region for section '${s.name}'`);
    putIn(region, s);
  }
  function putIn(region: MemoryRegion, s: LinkedSection & { align: number }) {
    const addr = alignUp(regionOf(region), Math.max(2, s.align));
    s.address = addr;
    s.region = region.name;
    regionFill.set(region.name, addr + s.size);
    placed.add(s.name);
    if (addr + s.size > region.start + region.size) {
      linkError(`section '${s.name}' (${s.size} bytes at 0x${hex4(addr)}) overflows ${region.kind} region '${region.name}' (0x${hex4(region.start)}..0x${hex4(region.start + region.size - 1)}) of board '${board.name}' by ${addr + s.size - region.start - region.size} bytes`);
    }
  }
  checkOverlaps([...out.values()]);
}

/** Vectors 0–14 (0xFFE0–0xFFFD): the interrupt vector table without the reset vector. */
const TABLE_BYTES = RESET_VECTOR - 0xffe0;

/**
 * A `.vectors.*` section is code whose last 30 bytes are interrupt vectors 0–14: it is placed to end where the reset
 * vector begins (issue 20, seed §4.6.4: the vector table inside a protected module's text, immutable — Sancus
 * refuses every write to module text). Its end is 0xFFFE and not 0x10000 because a module's text end is a 16-bit
 * address (SM_ENABLE's r13); the reset vector stays a section of its own, read only at a reset, which clears every
 * module anyway.
 */
function isVectorText(name: string): boolean {
  return name.startsWith('.vectors.');
}

function vectorTextAddress(s: LinkedSection): number {
  if (s.size < TABLE_BYTES) linkError(`section '${s.name}' (${s.size} bytes) must end with the interrupt vector table 0xffe0..0xfffd (${TABLE_BYTES} bytes)`);
  if (s.size % 2) linkError(`section '${s.name}' (${s.size} bytes) must be a whole number of words to end at the vector table`);
  return RESET_VECTOR - s.size;
}

function checkOverlaps(sections: LinkedSection[]): void {
  const s = sections.filter((x) => x.size > 0).sort((a, b) => a.address - b.address);
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!;
    const b = s[i]!;
    if (a.address + a.size > b.address) {
      linkError(`sections '${a.name}' (0x${hex4(a.address)}..0x${hex4(a.address + a.size - 1)}) and '${b.name}' (0x${hex4(b.address)}..) overlap`);
    }
    if (b.address + b.size > 0x10000) linkError(`section '${b.name}' runs past 0xFFFF`);
  }
}

/** Patches one relocated field. `value` = S + A; P = address of the field. */
export function applyReloc(bytes: Uint8Array, at: number, r: Pick<Reloc, 'kind' | 'symbol' | 'line' | 'file'>, value: number, P: number): void {
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++) bytes[at + i] = (v >>> (8 * i)) & 0xff;
  };
  const where = () => `'${r.symbol.replace(SECTION_BASE, '') || 'absolute address'}'`;
  switch (r.kind) {
    case 'abs16':
      if (value < -0x8000 || value > 0xffff) linkError(`${where()}: value 0x${value.toString(16)} does not fit in 16 bits`, r as Reloc);
      return put(value, 2);
    case 'abs8':
      if (value < -0x80 || value > 0xff) linkError(`${where()}: value ${value} does not fit in 8 bits`, r as Reloc);
      return put(value, 1);
    case 'abs32':
      return put(value, 4);
    case 'pcrel16':
      // The 16-bit address space wraps: a PC-relative word reaches every address (unlike ld.lld's range check).
      return put((value - P) & 0xffff, 2);
    case 'pcrel10': {
      const d = value - (P + 2);
      if (d % 2) linkError(`jump to ${where()} is at an odd distance`, r as Reloc);
      if (d < -1024 || d > 1022) linkError(`jump to ${where()} is ${d} bytes away: out of range (-1024..+1022); use br`, r as Reloc);
      const w = (bytes[at]! | (bytes[at + 1]! << 8)) & 0xfc00;
      return put(w | ((d / 2) & 0x3ff), 2);
    }
  }
}
