// Peripheral registers the generated code names, from the board description (boards are data, STYLE.md): the
// hardware multiplier (MSP430x1xx Family User's Guide ch. 7, register offsets from its base) and the watchdog's
// WDTCTL (ch. 10). The backend defines them as absolute symbols (`.set`) at the top of the assembly, so the code
// says `&OP2`, never an address. Every memory region and peripheral of the board is also defined as
// `__board_NAME` (its start or base) for AssemblyScript's `board` namespace (intrinsics.ts): a module names the
// board's non-volatile memory or a counter, and the board file says where it is.
import type { Board } from '../../boards/board.ts';

/** Multiplier registers by TI name → offset from the peripheral's base. */
const MULTIPLIER: Record<string, number> = { MPY: 0, MPYS: 2, MAC: 4, MACS: 6, OP2: 8, RESLO: 10, RESHI: 12, SUMEXT: 14 };

export function peripheralSymbols(board: Board): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of board.peripherals) {
    if (p.type === 'multiplier') for (const [name, off] of Object.entries(MULTIPLIER)) out[name] = p.base + off;
    if (p.type === 'watchdog') out.WDTCTL = p.base;
    if (typeof p.base === 'number') out[boardSymbol(p.name ?? p.type)] = p.base; // pins on a port have none
  }
  for (const m of board.memory) out[boardSymbol(m.name)] = m.start;
  return out;
}

/** The absolute symbol of a board memory region or peripheral named `name` (`board.NAME` in AssemblyScript). */
export const boardSymbol = (name: string): string => `${BOARD_PREFIX}${name}`;
export const isBoardSymbol = (symbol: string): boolean => symbol.startsWith(BOARD_PREFIX);
const BOARD_PREFIX = '__board_';
