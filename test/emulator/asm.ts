// Test helper: assemble a program with our assembler, link it for a board and load it on a fresh Machine.
import { loadBoard } from '../../boards/board.ts';
import { link } from '../../toolchain/link/link.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { assemble } from '../../toolchain/msp430/asm/assembler.ts';
import { Machine } from '../../toolchain/emulator/machine.ts';

export function machineFor(src: string, board = 'openmsp430'): { m: Machine; sym: (name: string) => number } {
  const b = loadBoard(board);
  const img = link([assemble(src, 'test.s')], { board: b });
  const m = new Machine(b);
  const image = imageFromLinked(img, 'test.s');
  m.load(image);
  const sym = (name: string) => {
    const s = image.symbols.find((x) => x.name === name);
    if (!s) throw new Error(`no symbol ${name}`);
    return s.address;
  };
  return { m, sym };
}

/** The usual prologue: stop the watchdog, stack at the top of the 1 KiB data memory. */
export const PROLOGUE = `
start:
  mov #0x5a80, &0x0120
  mov #0x0600, sp
`;
