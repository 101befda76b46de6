// `hasm run IMAGE --call NAME [ARG ...] [--json]` (issue 4 item 9; CLI.md § Emulator): calls an exported function of
// a compiled image with integer arguments and prints its result or trap and the cycles. Kept apart from
// commands/run.ts (the emulator's command), which dispatches here when --call is given.
import type { Board } from '../../boards/board.ts';
import { exportSignature, callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { parseBigInteger } from '../../toolchain/common/numbers.ts';
import { loadImageFile } from '../../toolchain/link/image.ts';
import { printJson, type CommandIO } from './command.ts';

export function runCall(imageFile: string, name: string, argTexts: string[], opts: { board: Board; json: boolean; maxCycles?: number }, io: CommandIO): number {
  const image = loadImageFile(imageFile);
  const sig = exportSignature(image, name);
  const args = argTexts.map((t, i) => parseBigInteger(t, `argument ${i + 1} of ${name}`));
  const m = loadMachine(image, opts.board);
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
