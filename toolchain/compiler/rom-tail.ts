// The ROM tail (issue 19's RAM goal; README "Read-only tables"): a module that reads read-only tables through
// hasm.rom_u8/rom_u16 keeps the lazily compiled statics [X, E) — X the front end's marker (front.ts
// ROM_START_SOURCE), E the end of static data — as bytes in its text, not in the `.bss` linear memory. RAM is then
// [0, X): the memory's size, its start-up image and every ordinary bounds check use X; a rom_* read is checked
// against [X, E) and reads the text copy (lower-memory.ts address, region 'rom').
import { InputError } from '../common/errors.ts';
import type { ModuleInfo } from './module-info.ts';

/** The tail's label in `.rodata` (text: a Sancus module's packaging puts `.rodata` in its protected text section). */
export const ROM_SYM = '__hasm_rom';

/**
 * [start, end) of linear memory kept in text. ROM_SYM is the text address of linear address `base` = start rounded
 * down to even: the label is word-aligned and a linear address keeps its parity in text, so the word-access rules
 * (lower-memory.ts parity) hold for the tail as for RAM. The byte at `base` when start is odd belongs to RAM.
 */
export interface RomTail {
  start: number;
  end: number;
  base: number;
}

/** The global the front end leaves holding X (front.ts ROM_START_GLOBAL). */
const ROM_START = /__hasm_rom_start$/;

/**
 * The module's ROM tail when it reads one (`usesRom`), else undefined. `staticEnd` is the end of static data
 * (AS's __heap_base, or the last data segment's end). A heap would lie after the tail, outside the RAM [0, X): a
 * module with both is refused.
 */
export function romTail(mod: ModuleInfo, usesRom: boolean, staticEnd: number, heap: number): RomTail | undefined {
  if (!usesRom) return undefined;
  const marker = [...mod.globals.values()].find((g) => ROM_START.test(g.name));
  if (!marker) throw new InputError('hasm.rom_u8/rom_u16 need the front end\'s end-of-RAM marker (a module compiled from AssemblyScript by `hasm build`, not a bare wasm file)');
  if (heap > 0) throw new InputError(`hasm.rom_u8/rom_u16: the module maps a heap of ${heap} bytes (asconfig.json "hasm.heap"), which would lie after the read-only tables, outside RAM: a module reading its ROM tail needs "hasm": { "heap": 0 }`);
  const start = Number(marker.init);
  return { start, end: Math.max(start, staticEnd), base: start & ~1 };
}

/** The tail's bytes (`image` holds all static data) as `.rodata` lines from ROM_SYM on. */
export function romRodata(tail: RomTail, image: Uint8Array): string[] {
  const bytes = Array.from(image.subarray(tail.base, tail.end));
  if (tail.start !== tail.base) bytes[0] = 0; // RAM's last byte: never read through ROM_SYM
  // An even length: a packaging that puts `.rodata` and `.text` in one section (a Sancus module's) keeps code aligned.
  if (bytes.length & 1) bytes.push(0);
  const out = ['  .balign 2', `${ROM_SYM}:`];
  for (let i = 0; i < bytes.length; i += 16) out.push(`  .byte ${bytes.slice(i, i + 16).join(', ')}`);
  return out;
}
