// `hasm run IMAGE --call NAME [ARG ...] [--json]` (issue 4 item 9; CLI.md § Emulator): calls an exported function of
// a compiled image with integer arguments and prints its result or trap and the cycles. Kept apart from
// commands/run.ts (the emulator's command), which dispatches here when --call is given.
import type { Board } from '../../boards/board.ts';
import { exportSignature, callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { parseBigInteger } from '../../toolchain/common/numbers.ts';
import { loadImageFile, type Image } from '../../toolchain/link/image.ts';
import { UsageError } from '../../toolchain/common/errors.ts';
import type { Machine } from '../../toolchain/emulator/machine.ts';
import { printJson, type CommandIO } from './command.ts';

/** `attach`: instruments the machine once the module is initialised, before the call (--trace, --profile). */
export function runCall(imageFile: string, name: string, argTexts: string[], opts: { board: Board; json: boolean; maxCycles?: number; attach?: (m: Machine, image: Image) => void }, io: CommandIO): number {
  const image = loadImageFile(imageFile);
  const exports = exportNames(image);
  if (!exports.includes(name)) {
    const known = exports.length ? `its exports: ${exports.join(', ')}` : 'it has no exports (was it built by hasm build?)';
    throw new UsageError(`--call: '${name}' is not an exported function of ${imageFile}; ${known}`);
  }
  const sig = exportSignature(image, name);
  const args = argTexts.map((t, i) => parseBigInteger(t, `argument ${i + 1} of ${name}`));
  const m = loadMachine(image, opts.board);
  opts.attach?.(m, image);
  const o = callExport(m, image, name, args, { maxCycles: opts.maxCycles });
  if (o.trap !== undefined) {
    if (opts.json) printJson(io, { trap: o.trap, ...(o.message ? { message: o.message } : {}), cycles: o.cycles });
    else io.out(`trap: ${o.trap}${o.message ? `: ${o.message}` : ''} (${o.cycles} cycles)`);
    return 1;
  }
  // i64 results as decimal strings (JSON numbers lose precision past 2^53); i32 as numbers.
  const result = o.result === undefined ? null : sig.result === 'i64' ? o.result.toString() : Number(o.result);
  if (opts.json) printJson(io, { result, cycles: o.cycles });
  else io.out(`${result === null ? '(no result)' : result} (${o.cycles} cycles)`);
  return 0;
}

/** The functions a compiled image exports: each carries its signature as the symbol `__hasm_sig_NAME`. */
function exportNames(image: Image): string[] {
  return image.symbols.filter((s) => s.name.startsWith('__hasm_sig_')).map((s) => s.name.slice('__hasm_sig_'.length)).sort();
}
