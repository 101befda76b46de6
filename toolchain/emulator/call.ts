// Calling an exported function of a compiled image on the emulator (issue 4 item 9): arguments placed by the
// EABI (../abi/eabi.ts), the result read back from r12–r15, or the trap reason the image's trap handler recorded.
// The image carries each export's signature as an absolute symbol `__hasm_sig_NAME` (../abi/signature.ts). Lives
// with the emulator, not the compiler: the compiler never imports the emulator (ARCHITECTURE.md), both share ../abi.
import type { Board } from '../../boards/board.ts';
import { OperationError, UsageError } from '../common/errors.ts';
import { Machine } from './machine.ts';
import type { Image } from '../link/image.ts';
import { assignArgs } from '../abi/eabi.ts';
import { decodeSignature, type ValType } from '../abi/signature.ts';
import { TRAP, TRAP_HALT_SYM, TRAP_INFO_SYM, TRAP_NAMES, TRAP_REASON_SYM } from '../abi/traps.ts';

/** `message`: for an `abort` trap, AssemblyScript's message and source position (compiler/abort.ts). */
export type CallOutcome = { result?: bigint; trap?: string; message?: string; cycles: number };

function symbol(image: Image, name: string): number | undefined {
  return image.symbols.find((s) => s.name === name)?.address;
}

export function exportSignature(image: Image, name: string): { params: ValType[]; result?: ValType } {
  const sig = symbol(image, `__hasm_sig_${name}`);
  if (sig === undefined) throw new UsageError(`'${name}' is not an exported function of ${image.file} (no __hasm_sig_${name} symbol: was it built by hasm build?)`);
  return decodeSignature(sig);
}

function words(v: bigint, t: ValType): number[] {
  const n = t === 'i64' ? 4 : 2;
  const u = BigInt.asUintN(16 * n, v);
  return Array.from({ length: n }, (_, k) => Number((u >> BigInt(16 * k)) & 0xffffn));
}

/** WDTCTL is the watchdog's first register (TI guide ch. 10): password 0x5A in the high byte, WDTHOLD = bit 7. */
const WDT_HOLD = 0x5a80;

/**
 * A machine with the image loaded, reusable for many calls (data memory is not reloaded between calls). The
 * watchdog runs after reset and would reset the CPU mid-call after 32768 cycles; a call is a test harness, not
 * the firmware, so it holds the watchdog as a startup file would.
 */
export function loadMachine(image: Image, board: Board): Machine {
  const m = new Machine(board);
  m.load(image);
  const wdt = board.peripherals?.find((p) => p.type === 'watchdog');
  if (wdt) m.bus.writeWord(wdt.base, WDT_HOLD);
  // Run the module's start function once, as WebAssembly.instantiate does.
  const init = symbol(image, '__hasm_init');
  const ram = board.memory.find((r) => r.kind === 'ram');
  if (init !== undefined && ram) {
    const res = m.call(init, [], { sp: ram.start + ram.size, maxCycles: 50_000_000 });
    if (res.stop !== 'return') {
      const reasonAt = symbol(image, TRAP_REASON_SYM);
      const why = res.pc === symbol(image, TRAP_HALT_SYM) && reasonAt !== undefined ? `trap ${TRAP_NAMES[m.bus.peekWord(reasonAt)] ?? '?'}` : `stopped by ${res.stop} at pc 0x${res.pc.toString(16)}`;
      throw new OperationError(`the module's start function did not return: ${why}`);
    }
  }
  return m;
}

export function callExport(m: Machine, image: Image, name: string, args: bigint[], opts: { maxCycles?: number } = {}): CallOutcome {
  const addr = symbol(image, name);
  if (addr === undefined) throw new UsageError(`no symbol '${name}' in ${image.file}`);
  const sig = exportSignature(image, name);
  if (args.length !== sig.params.length) throw new UsageError(`${name} takes ${sig.params.length} argument(s) (${sig.params.join(', ')}), got ${args.length}`);
  const places = assignArgs(sig.params.map((t) => (t === 'i64' ? 4 : 2)));
  const regs: number[] = [];
  const stack: { off: number; w: number }[] = [];
  args.forEach((a, i) => {
    const w = words(a, sig.params[i]!);
    const pl = places[i]!;
    w.forEach((x, k) => (pl.regs ? (regs[pl.regs[k]! - 12] = x) : stack.push({ off: pl.stack! + 2 * k, w: x })));
  });
  const ram = m.board.memory.find((r) => r.kind === 'ram');
  if (!ram) throw new OperationError(`board '${m.board.name}' has no RAM for the stack`);
  const stackBytes = stack.reduce((s, x) => Math.max(s, x.off + 2), 0);
  const sp = ram.start + ram.size - stackBytes;
  for (const s of stack) m.bus.writeWord(sp + s.off, s.w);
  const res = m.call(addr, Array.from({ length: regs.length }, (_, i) => regs[i] ?? 0), { sp, maxCycles: opts.maxCycles ?? 50_000_000 });
  if (res.stop === 'return') {
    if (!sig.result) return { cycles: res.cycles };
    const n = sig.result === 'i64' ? 4 : 2;
    let v = 0n;
    for (let k = n - 1; k >= 0; k--) v = (v << 16n) | BigInt(res.registers[12 + k]!);
    return { result: BigInt.asIntN(16 * n, v), cycles: res.cycles };
  }
  const halt = symbol(image, TRAP_HALT_SYM);
  const reasonAt = symbol(image, TRAP_REASON_SYM);
  if (halt !== undefined && reasonAt !== undefined && res.pc === halt) {
    const code = m.bus.peekWord(reasonAt);
    const infoAt = symbol(image, TRAP_INFO_SYM);
    const text = code === TRAP.abort && infoAt !== undefined ? readAsciz(m, m.bus.peekWord(infoAt)) : undefined;
    return { trap: TRAP_NAMES[code] ?? `trap ${code}`, ...(text ? { message: text } : {}), cycles: res.cycles };
  }
  throw new OperationError(`${name} did not return: stopped by ${res.stop} at pc 0x${res.pc.toString(16)} after ${res.cycles} cycles`, { stop: res.stop, pc: res.pc, cycles: res.cycles });
}

/** A NUL-terminated string the image keeps at `addr` (an abort text in .rodata); empty when addr is 0. */
function readAsciz(m: Machine, addr: number, max = 512): string {
  let s = '';
  for (let i = 0; addr && i < max; i++) {
    const w = m.bus.peekWord((addr + i) & 0xfffe);
    const b = (addr + i) & 1 ? w >> 8 : w & 0xff;
    if (!b) break;
    s += String.fromCharCode(b);
  }
  return s;
}
