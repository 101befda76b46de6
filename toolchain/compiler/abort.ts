// AssemblyScript's `abort(message, fileName, line, column)` (std/assembly/builtins.ts, imported as `env.abort`):
// what every failed AS check calls — an array index out of range, an assertion, a `throw`. The call becomes a trap
// (reason `abort`) whose message and source position are decoded at compile time from the constant arguments: AS
// passes pointers to static strings (UTF-16LE, byte length in the word 4 bytes before the text: AS runtime object
// header, std/assembly/rt/common.ts) and constant line/column numbers. The text goes to .rodata (flash, not RAM)
// and the trap stub leaves its address in `__hasm_trap_info`, where `hasm run --call` reads it.
import type { ModuleInfo } from './module-info.ts';
import { isConst, type Opnd } from './mir.ts';

export const ABORT_MODULE = 'env';
export const ABORT_BASE = 'abort';
export { TRAP_INFO_SYM } from '../abi/traps.ts';

/** Reads an AS string at `ptr` from the module's data segments; undefined when it is not static data. */
export function staticString(mod: ModuleInfo, ptr: number): string | undefined {
  // The initial memory: the segments' bytes, zero elsewhere (Binaryen trims a segment's trailing zero bytes).
  const byteAt = (a: number): number => {
    for (const d of mod.data) if (a >= d.offset && a < d.offset + d.bytes.length) return d.bytes[a - d.offset]!;
    return 0;
  };
  if (!mod.data.some((d) => ptr - 4 >= d.offset && ptr - 4 < d.offset + d.bytes.length)) return undefined;
  const bytes = [0, 1, 2, 3].reduce((n, k) => n + (byteAt(ptr - 4 + k) << (8 * k)), 0);
  if (bytes % 2 || bytes > 512) return undefined;
  let s = '';
  for (let i = 0; i < bytes; i += 2) s += String.fromCharCode(byteAt(ptr + i) | (byteAt(ptr + i + 1) << 8));
  return s;
}

/**
 * The abort text for one call site: `MESSAGE at FILE:LINE:COLUMN`, from whatever arguments are constants (a
 * message computed at run time reads `abort`); `where` names the AS function that called abort.
 */
export function abortText(mod: ModuleInfo, args: Opnd[][], where: string): string {
  const word = (a: Opnd[] | undefined): number | undefined => {
    if (!a || !isConst(a[0]!) || !isConst(a[1]!)) return undefined;
    return a[0]!.v + a[1]!.v * 0x10000;
  };
  const msgPtr = word(args[0]);
  const filePtr = word(args[1]);
  const line = word(args[2]);
  const col = word(args[3]);
  const msg = (msgPtr ? staticString(mod, msgPtr) : undefined) ?? 'abort';
  const file = filePtr ? staticString(mod, filePtr) : undefined;
  const pos = file ? ` at ${file}${line ? `:${line}${col ? `:${col}` : ''}` : ''}` : '';
  return `${msg}${pos} (in ${where})`;
}

/** The assembler's `.byte` list for a NUL-terminated ASCII string (other characters become '?'). */
export function asciz(text: string): string {
  const bytes = [...text].map((c) => (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20 ? c.charCodeAt(0) : 0x3f));
  return `  .byte ${[...bytes, 0].join(', ')}`;
}

