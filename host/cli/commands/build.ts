// hasm build: AssemblyScript (or wasm) → MSP430 image, or an intermediate (CLI.md; issue 4 item 8).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadBoard, DEFAULT_BOARD } from '../../../boards/board.ts';
import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { buildSource, buildWasm, type BuildResult } from '../../../toolchain/compiler/compile.ts';
import { compileAssemblyScript, loadAsConfig } from '../../../toolchain/compiler/front.ts';
import { functionSizes } from '../../../toolchain/compiler/sizes.ts';
import { writeElfExecutable, writeElfObject } from '../../../toolchain/link/elf-write.ts';
import { writeMap } from '../../../toolchain/link/map.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { compiledModuleSpec } from '../../../toolchain/sancus/module/compiled.ts';
import { buildNodeImage } from '../../deploy/build.ts';
import type { Board } from '../../../boards/board.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

export const buildCommand: Command = {
  summary: 'compile an AssemblyScript module (or a .wasm) to an MSP430 image',
  help: `usage: hasm build MODULE.ts -o OUT.elf [--board boards/emulated.json] [--emit asm|obj|wasm] [--module NAME]
                 [--vendor ID] [--map OUT.map] [--config asconfig.json] [--json]

Compiles AssemblyScript with the stub runtime (options from asconfig.json: the file given, or the nearest one
above MODULE), translates the wasm to MSP430 code (16-bit lowering, EABI, bounds-checked linear memory, traps),
and links it for the board. MODULE may also be a .wasm file.

  -o FILE            output (required)
  --board B          board file or name (default boards/emulated.json)
  --emit KIND        asm: assembly listing; obj: relocatable ELF object; wasm: the front end's wasm; default: ELF
  --module NAME      package the module as the Sancus protected module NAME (entry stub, secure stack, runtime for
                     attestation and keyed connections) in a node image for a Sancus board; writes OUT and
                     OUT.modules.json (what a loader needs: name, vendor id, layout, entries, identity MAC)
  --vendor ID        the module's 16-bit vendor (software provider) id, with --module (default 0x1234)
  --map FILE         map file: sections, symbols, and per-function code sizes
  --config FILE      asconfig.json to use
  --json             {"output", "board", "functions": [{"name","symbol","bytes"}], "text", "data", "memory"}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      output: { type: 'string', short: 'o' },
      board: { type: 'string' },
      emit: { type: 'string' },
      module: { type: 'string' },
      vendor: { type: 'string' },
      map: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one MODULE (.ts or .wasm)');
    if (!values.output) throw new UsageError('missing -o OUTPUT');
    const emit = values.emit;
    if (emit !== undefined && !['asm', 'obj', 'wasm'].includes(emit)) throw new UsageError(`--emit: expected asm, obj or wasm, got '${emit}'`);
    const source = positionals[0]!;
    const board = loadBoard(values.board ?? DEFAULT_BOARD);
    let result: BuildResult;
    if (source.endsWith('.wasm')) {
      if (emit === 'wasm') throw new UsageError('--emit wasm: the input is already wasm');
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(source));
      } catch (e) {
        throw new InputError(`cannot read: ${(e as Error).message}`, { file: source });
      }
      result = await buildWasm(bytes, board, { file: values.module ?? source });
    } else {
      const config = loadAsConfig(source, values.config);
      if (emit === 'wasm') {
        const front = await compileAssemblyScript(source, config);
        writeFileSync(values.output, front.wasm);
        if (values.json) printJson(io, { output: values.output, bytes: front.wasm.length });
        return 0;
      }
      result = await buildSource(source, board, config);
    }
    if (values.module !== undefined) return packageModule(result, values.module, values.vendor, board, values.output, !!values.json, emit, io, source);
    if (values.vendor !== undefined) throw new UsageError('--vendor goes with --module');
    if (emit === 'asm') writeFileSync(values.output, result.backend.asm);
    else if (emit === 'obj') writeFileSync(values.output, writeElfObject(result.object));
    else writeFileSync(values.output, writeElfExecutable(result.image));
    const sizes = functionSizes(result.image);
    if (values.map) {
      const lines = ['', 'Functions (code bytes):', ...sizes.map((f) => `  ${String(f.bytes).padStart(6)}  ${f.symbol}${f.name !== f.symbol ? `  (${f.name})` : ''}`)];
      writeFileSync(values.map, writeMap(result.image, board.name) + lines.join('\n') + '\n');
    }
    const named = new Map(result.backend.functions.map((f) => [f.sym, f.exported ?? f.name]));
    const text = result.image.sections.filter((s) => s.exec).reduce((n, s) => n + s.size, 0);
    const data = result.image.sections.filter((s) => s.write).reduce((n, s) => n + s.size, 0);
    if (values.json) {
      printJson(io, {
        output: values.output,
        board: board.name,
        functions: sizes.map((f) => ({ name: named.get(f.symbol) ?? f.symbol, symbol: f.symbol, bytes: f.bytes })),
        text,
        data,
        memory: result.backend.memSize,
        helpers: result.backend.helpers,
      });
    } else io.err(`hasm build: ${values.output}: ${text} bytes of code, ${data} bytes of data (linear memory ${result.backend.memSize})`);
    return 0;
  },
};

/** `--module NAME`: the compiled unit as a Sancus protected module, linked into a node image (issue 10 item 3). */
async function packageModule(result: BuildResult, name: string, vendorText: string | undefined, board: Board, output: string, json: boolean, emit: string | undefined, io: CommandIO, source: string): Promise<number> {
  if (emit !== undefined) throw new UsageError('--module writes a node image; it does not combine with --emit');
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new UsageError(`--module: '${name}' is not a module name (letters, digits, _)`);
  if (!board.sancus) throw new UsageError(`--module needs a Sancus board; '${board.name}' has no "sancus" parameters`);
  const vendorId = vendorText !== undefined ? parseInteger(vendorText, '--vendor') : 0x1234;
  if (vendorId < 0 || vendorId > 0xffff) throw new UsageError('--vendor must be a 16-bit id');
  const spec = compiledModuleSpec(name, vendorId, result.backend, { file: source });
  const node = buildNodeImage(board, [spec]);
  writeFileSync(output, writeElfExecutable(node.linked));
  const info = node.modules.map((m) => ({ name: m.name, vendor_id: m.vendorId, layout: m.layout, entry: m.entry, entries: m.entries, identity_mac: m.identityMac, text_bytes: m.text.length / 2 }));
  writeFileSync(`${output}.modules.json`, JSON.stringify({ board: board.name, modules: node.modules }, null, 2) + '\n');
  if (json) printJson(io, { output, board: board.name, modules: info });
  else io.err(`hasm build: ${output}: module ${name} (vendor 0x${vendorId.toString(16)}), text ${info[0]!.text_bytes} bytes; loader info in ${output}.modules.json`);
  return 0;
}
