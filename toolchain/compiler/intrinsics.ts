// Intrinsics: wasm imports from the one reserved namespace `hasm`, lowered inline (issue 4 item 7). Any other
// import is a compile error naming the AS declaration. The AS side declares them in lib/hasm.ts.
import { InputError } from '../common/errors.ts';
import { ABORT_BASE, ABORT_MODULE } from './abort.ts';
import type { Lowerer } from './lower.ts';
import { imm, isConst, p, type Opnd } from './mir.ts';
import { type FuncInfo, type ModuleInfo, wordsOf } from './module-info.ts';
import type { CallRanges } from './ranges.ts';
import { TRAP } from './traps.ts';
import { SANCUS_UNWRAP, SANCUS_WRAP } from './sancus-wrap.ts';
import { boardSymbol } from './peripherals.ts';

export const INTRINSIC_NAMESPACE = 'hasm';
/** Imports `board.NAME`: the board's memory region or peripheral NAME's address, a constant of the build. */
export const BOARD_NAMESPACE = 'board';

/** Status-register bits (TI guide §3.2.3): GIE and the low-power mode bits. */
const GIE = 0x08;
const LPM = [0x10, 0x50, 0x90, 0xd0, 0xf0];

/** The Sancus instructions: `sancus_wrap` and `sancus_unwrap` are lowered (sancus-wrap.ts); the others are reserved, compiling a call to one is an error. */
export const SANCUS_SLOTS = ['sancus_get_id', 'sancus_get_caller_id', 'sancus_verify', 'sancus_attest', 'sancus_wrap', 'sancus_unwrap', 'sancus_enable', 'sancus_disable'];

/** Reads of the module's read-only tables (lib/hasm.as rom_u8/rom_u16): the width of each in bytes. */
export const ROM_READS: Record<string, number> = { rom_u8: 1, rom_u16: 2 };

export const INTRINSICS = ['mmio_read8', 'mmio_read16', 'mmio_write8', 'mmio_write16', 'interrupts_enable', 'interrupts_disable', 'low_power', 'trap', 'copy_in', 'copy_out', 'mul16', ...Object.keys(ROM_READS), ...SANCUS_SLOTS];

/**
 * Namespaces whose imports become EABI calls to a symbol the packaging supplies (issue 18 item 1; firmware/README.md):
 * `output.NAME` a protected module's output NAME → `__hasm_output_NAME` (toolchain/sancus/module/compiled.ts wraps
 * and queues the event; data and len as 16-bit words in r12, r13: lowWord); `extern.NAME` a routine of the untrusted node runtime's platform layer → `NAME`
 * (firmware/runtime; refused in protected modules by the packaging). `hasm.copy_in` → `__hasm_copy_in` (the
 * confused-deputy-checked copy from unprotected memory, also supplied by the packaging).
 */
export const CALL_NAMESPACES: Record<string, (base: string) => string> = {
  output: (base) => `__hasm_output_${base}`,
  extern: (base) => base,
};

const resultWords = (f: FuncInfo): number => f.results.reduce((n, t) => n + wordsOf(t), 0);

export function checkImport(f: FuncInfo, where: string): void {
  const imp = f.imported!;
  if (imp.module in CALL_NAMESPACES) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(imp.base)) throw new InputError(`${where}: import '${imp.module}.${imp.base}': the name must be an identifier`);
    return;
  }
  if (imp.module === ABORT_MODULE && imp.base === ABORT_BASE) return; // AS's abort: a trap with its text (abort.ts)
  if (imp.module === BOARD_NAMESPACE) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(imp.base) || f.params.length !== 0 || resultWords(f) === 0) throw new InputError(`${where}: import '${imp.module}.${imp.base}': a board address is a function of no arguments returning usize, named after a memory region or peripheral of the board`);
    return;
  }
  if (imp.module !== INTRINSIC_NAMESPACE || !INTRINSICS.includes(imp.base)) {
    throw new InputError(`${where}: import '${imp.module}.${imp.base}' is not allowed: a module may import only the '${INTRINSIC_NAMESPACE}' intrinsics (${INTRINSICS.join(', ')}), its outputs ('output' namespace) or, in the node runtime, 'extern' routines`);
  }
}

/**
 * An output's arguments (data, len: a range of linear memory, below 2^16 or out of bounds) travel as their low words
 * only, r12 and r13 (toolchain/sancus/module/compiled.ts, the output glue, checks the range against the memory): a
 * high word that is not the constant 0 is tested here, and a non-zero one is the memory trap the glue would have
 * taken. The same for sancus_wrap/unwrap's seven linear-memory arguments (sancus-wrap.ts). Two register moves fewer at every output call, two tests fewer in the glue (issue 18 "Measured").
 */
function lowWord(L: Lowerer, a: Opnd[]): Opnd[] {
  const hi = a[1];
  if (hi && !(isConst(hi) && hi.v === 0)) {
    L.testWord(hi);
    L.trap('memory', 'jne');
  }
  return [a[0]!];
}

function constAddr(L: Lowerer, w: Opnd | undefined, name: string): string {
  if (!w || !isConst(w)) L.fail(`${name}: the MMIO address must be a compile-time constant`);
  return `0x${w.v.toString(16).padStart(4, '0')}`;
}

/** The result ranges of the module's calls that ranges.ts can know: hasm.rom_u8 [0, 255], rom_u16 [0, 65535]. */
export function callRanges(mod: ModuleInfo): CallRanges {
  return (target) => {
    const f = mod.byName.get(target);
    return f && isRomRead(f) ? { lo: 0, hi: 2 ** (8 * ROM_READS[f.imported!.base]!) - 1 } : undefined;
  };
}

/** Whether `f` is the import hasm.rom_u8 or hasm.rom_u16. */
export function isRomRead(f: FuncInfo): boolean {
  return f.imported?.module === INTRINSIC_NAMESPACE && f.imported.base in ROM_READS;
}

/**
 * `hasm.rom_u8(addr)` / `rom_u16(addr)`: the byte, or the little-endian u16, of linear memory at `addr` (wasm
 * semantics of load8_u/load16_u, what the V8 side of every harness implements), read from the module's ROM tail
 * in text (rom-tail.ts), bounds-checked against the tail: outside it, the memory trap.
 */
export function lowerRomRead(L: Lowerer, f: FuncInfo, ptrE: number): Opnd[] {
  const bytes = ROM_READS[f.imported!.base]!;
  const { baseE, disp } = L.splitAddress(ptrE, 0);
  const a = L.address(L.ex(baseE), disp, bytes, baseE, 'rom');
  const [d] = L.loadFrom(a, ptrE, 0, disp, bytes, false, 1);
  return resultWords(f) === 1 ? [d!] : [d!, imm(0)];
}

export function lowerIntrinsic(L: Lowerer, f: FuncInfo, args: Opnd[][], _operands: number[]): Opnd[] {
  const name = f.imported!.base;
  const ns = CALL_NAMESPACES[f.imported!.module];
  if (f.imported!.module === 'output') return L.emitCall(imm(ns!(name)), args.map((a) => lowWord(L, a)), resultWords(f));
  if (ns) return L.emitCall(imm(ns(name)), args, resultWords(f));
  if (f.imported!.module === ABORT_MODULE && name === ABORT_BASE) {
    L.abort(args);
    return [];
  }
  // `board.NAME`: the start of the board's memory region or the base of its peripheral NAME (peripherals.ts), an
  // absolute symbol the board defines — so no address is kept in firmware source; a name the board lacks is an
  // undefined symbol at assembly.
  if (f.imported!.module === BOARD_NAMESPACE) return resultWords(f) === 1 ? [imm(boardSymbol(name))] : [imm(boardSymbol(name)), imm(0)];
  const word = (a: Opnd[] | undefined) => a?.[0];
  switch (name) {
    case 'copy_in':
    case 'copy_out': {
      // copy_in(dst linear, src absolute, len) and its mirror copy_out(dst absolute, src linear, len), supplied by
      // the packaging (toolchain/sancus/module/compiled.ts): into unprotected memory only, never the module's own.
      // As 16-bit words in r12–r14, the result in r12; the high words decided here, in the glue's order: the linear
      // one not 0 is the memory trap, then the absolute address's or the length's not 0 refuses (0, no call).
      const lin = name === 'copy_in' ? 0 : 1;
      lowWord(L, args[lin]!);
      const refuse = [args[1 - lin]![1]!, args[2]![1]!].filter((w) => !(isConst(w) && w.v === 0));
      const sym = `__hasm_${name}`;
      if (!refuse.length) return [L.emitCall(imm(sym), args.map((a) => [a[0]!]), 1)[0]!, imm(0)];
      const d = L.newV();
      const done = L.label();
      L.mov(imm(0), d);
      for (const w of refuse) {
        L.testWord(w);
        L.jump('jne', done);
      }
      L.mov(L.emitCall(imm(sym), args.map((a) => [a[0]!]), 1)[0]!, d);
      L.place(done);
      return [d, imm(0)];
    }
    case 'sancus_wrap':
    case 'sancus_unwrap': {
      // The crypto unit's SM_AE_WRAP/UNWRAP on linear memory: a routine the backend appends (sancus-wrap.ts)
      // bounds-checks every range, then issues the instruction. Offsets as 16-bit words, the result in r12 alone.
      const r = L.emitCall(imm(name === 'sancus_wrap' ? SANCUS_WRAP : SANCUS_UNWRAP), args.map((a) => lowWord(L, a)), 1);
      return resultWords(f) === 1 ? r : [r[0]!, imm(0)];
    }
    case 'mmio_read8':
    case 'mmio_read16':
    case 'mmio_write8':
    case 'mmio_write16': {
      const addr = constAddr(L, word(args[0]), name);
      // A window owned through an exclusive MMIO module (a Sancus driver): the access is a call into that module
      // (the packaging's __hasm_mmio_* glue), since the module's own data section cannot cover the registers.
      if (L.ctx.mmioCall?.(Number(addr))) return L.emitCall(imm(`__hasm_${name}`), args, resultWords(f));
      const abs = { k: 'abs' as const, sym: addr, off: 0 };
      const byte = name.endsWith('8');
      if (name.startsWith('mmio_read')) {
        const d = L.newV();
        L.op('mov', abs, d, byte);
        return [d, imm(0)];
      }
      L.op('mov', word(args[1])!, abs, byte);
      return [];
    }
    case 'interrupts_enable':
      L.op('bis', imm(GIE), p(2));
      return [];
    case 'interrupts_disable':
      // dint needs a following nop before the change is guaranteed (TI guide, DINT note).
      L.op('bic', imm(GIE), p(2));
      L.op('mov', imm(0), p(3));
      return [];
    case 'low_power': {
      const m = word(args[0]);
      if (!m || !isConst(m) || m.v > 4) L.fail('low_power: the mode must be a constant 0..4');
      L.op('bis', imm(GIE | LPM[m.v]!), p(2));
      return [];
    }
    case 'mul16':
      // u16 × u16 → u32 on the board's hardware multiplier (runtime/helpers.as builds mul32/mul64 from it).
      return L.mul32([word(args[0])!, imm(0)], [word(args[1])!, imm(0)]);
    case 'trap': {
      const m = word(args[0]);
      if (!m || !isConst(m)) L.fail('trap: the reason must be a constant');
      L.mov(m, p(12));
      L.code.push({ kind: 'jump', cond: 'jmp', target: '__hasm_trap' });
      return [];
    }
    default:
      L.fail(`not implemented: intrinsic ${INTRINSIC_NAMESPACE}.${name} is reserved for the Sancus instructions (Sancus issue)`);
  }
}

export { TRAP };
