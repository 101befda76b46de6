// Test helper: assemble a program, link it for the emulated board (Sancus enabled) and load it on a Machine with
// the Sancus unit attached.
import { loadBoard, type Board } from '../../boards/board.ts';
import { link } from '../../toolchain/link/link.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';
import { attachSancus, type SancusUnit } from '../../toolchain/emulator/sancus/unit.ts';

export interface Emu {
  m: Machine;
  u: SancusUnit;
  sym: (name: string) => number;
}

export function boardWith(sancus: Record<string, unknown>): Board {
  const b = loadBoard('emulated');
  return { ...b, sancus: { ...b.sancus, ...sancus } };
}

export function emu(src: string, opts: { board?: Board; stopOnViolation?: boolean } = {}): Emu {
  const b = opts.board ?? loadBoard('emulated');
  const img = link([assemble(src, 'test.s')], { board: b });
  const m = new Machine(b);
  const u = attachSancus(m, { stopOnViolation: opts.stopOnViolation })!;
  const image = imageFromLinked(img, 'test.s');
  m.load(image);
  const sym = (name: string) => {
    const s = image.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  };
  return { m, u, sym };
}

/** Stop the watchdog, stack at the top of the emulated board's 10 KiB data memory. */
export const PROLOGUE = `
start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
`;

export const HALT = `
halt:
  jmp halt
`;

/** Sancus instruction words by name, for test sources. */
export const W = {
  disable: '.word 0x1380',
  enable: '.word 0x1381',
  verifyAddr: '.word 0x1382',
  verifyPrev: '.word 0x1383',
  wrap: '.word 0x1384',
  unwrap: '.word 0x1385',
  id: '.word 0x1386',
  callerId: '.word 0x1387',
  stackGuard: '.word 0x1388',
};
