// hasm build: AssemblyScript (or wasm) → MSP430 image, or an intermediate (CLI.md; issue 4 item 8).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadBoard, DEFAULT_BOARD } from '../../../boards/board.ts';
import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { buildSource, buildWasm, type BuildResult } from '../../../toolchain/compiler/compile.ts';
import { compileAssemblyScript, loadAsConfig } from '../../../toolchain/compiler/front.ts';
import { functionSizes } from '../../../toolchain/compiler/sizes.ts';
import { writeElfExecutable, writeElfObject } from '../../../toolchain/link/elf-write.ts';
import { writeMap } from '../../../toolchain/link/map.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { compiledModuleSpec } from '../../../toolchain/sancus/module/compiled.ts';
import { moduleTcb } from '../../../toolchain/sancus/module/package.ts';
import { compileAs } from '../../deploy/compile-as.ts';
import { buildRuntimeNodeImage } from '../../deploy/runtime-image.ts';
import { buildNodeImage } from '../../deploy/build.ts';
import { registerWindow } from '../../../boards/register-window.ts';
import { mmioModuleSpec } from '../../../toolchain/sancus/module/mmio.ts';
import { loadDescriptor, type ModuleDesc } from '../../deploy/descriptor.ts';
import type { Board } from '../../../boards/board.ts';
import { parseFlags, printJson, type Command, type CommandIO } from '../command.ts';

export const buildCommand: Command = {
  summary: 'compile an AssemblyScript module (or a .wasm) to an MSP430 image',
  help: `usage: hasm build MODULE.ts -o OUT.elf [--board boards/emulated.json] [--emit asm|obj|wasm] [--module NAME]
                 [--vendor ID] [--map OUT.map] [--config asconfig.json] [--json]
       hasm build firmware/NAME [-o OUT.elf] [--module NAME] [--vendor ID] [--board B] [--descriptor FILE]
                 [--mmio PERIPHERAL[:PORT,…]] [--json]

Compiles AssemblyScript with the stub runtime (options from asconfig.json: the file given, or the nearest one
above MODULE), translates the wasm to MSP430 code (16-bit lowering, EABI, bounds-checked linear memory, traps),
and links it for the board. MODULE may also be a .wasm file.

A folder (firmware/NAME: its index.ts) is a protected module with entries, inputs and outputs (firmware/README.md
"The mechanism"): packaged as the Sancus module NAME (the folder's name unless --module) and linked with the
untrusted firmware runtime (firmware/runtime) into a node image; OUT defaults to build/NAME.elf, loader info in
OUT.modules.json; --json adds its io and TCB bytes (stub, runtime, code, data). A driver is built as it is
deployed: its register window (the descriptor's "mmio") becomes its exclusive MMIO module, linked beside it, and
its register accesses calls into that module. The window comes from --mmio, else from the descriptor that lists
the folder as a module's source (--descriptor, default the meter.json beside the folder when it lists it; its
vendor_id too unless --vendor).

  -o FILE            output (required)
  --board B          board file or name (default boards/emulated.json)
  --emit KIND        asm: assembly listing; obj: relocatable ELF object; wasm: the front end's wasm; default: ELF
  --module NAME      package the module as the Sancus protected module NAME (entry stub, secure stack, runtime for
                     attestation and keyed connections) in a node image for a Sancus board; writes OUT and
                     OUT.modules.json (what a loader needs: name, vendor id, layout, entries, identity MAC)
  --vendor ID        the module's 16-bit vendor (software provider) id, with --module (default 0x1234)
  --map FILE         map file: sections, symbols, and per-function code sizes
  --config FILE      asconfig.json to use
  --descriptor FILE  (folder) the deployment descriptor to take the module's MMIO window and vendor id from
  --mmio P[:PORTS]   (folder) the driver's register window: a board peripheral, GPIO with its ports (gpio:1,2)
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
      descriptor: { type: 'string' },
      mmio: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one MODULE (.ts, .wasm or a module folder)');
    if (existsSync(positionals[0]!) && statSync(positionals[0]!).isDirectory()) return buildModuleFolder(positionals[0]!, values, io);
    if (values.descriptor !== undefined || values.mmio !== undefined) throw new UsageError('--descriptor and --mmio go with a module folder (firmware/NAME)');
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

/** `hasm build firmware/NAME`: a module folder packaged with its io and linked with the firmware runtime (issue 18). */
async function buildModuleFolder(dir: string, values: { output?: string; module?: string; vendor?: string; board?: string; emit?: string; map?: string; config?: string; descriptor?: string; mmio?: string; json?: boolean }, io: CommandIO): Promise<number> {
  if (values.emit !== undefined || values.map !== undefined) throw new UsageError('a module folder builds a node image: --emit and --map go with a .ts file');
  const name = values.module ?? basename(resolve(dir));
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new UsageError(`module name '${name}' is not an identifier (letters, digits, _): give one with --module`);
  const board = loadBoard(values.board ?? DEFAULT_BOARD);
  if (!board.sancus) throw new UsageError(`a protected module needs a Sancus board; '${board.name}' has no "sancus" parameters`);
  const listed = descriptorEntry(dir, values.descriptor);
  const vendorId = values.vendor !== undefined ? parseInteger(values.vendor, '--vendor') : listed?.vendor_id ?? 0x1234;
  if (vendorId < 0 || vendorId > 0xffff) throw new UsageError('--vendor must be a 16-bit id');
  const output = values.output ?? join('build', `${name}.elf`);
  const mmioDesc = values.mmio !== undefined ? parseMmio(values.mmio) : listed?.mmio;
  const window = mmioDesc && registerWindow(board, mmioDesc.peripheral, mmioDesc.ports);
  const c = await compileAs(dir, board, values.config, window ? [window] : undefined);
  const spec = compiledModuleSpec(name, vendorId, c.backend, { file: c.file, memoryBase: Number(c.config.options.memoryBase ?? 0), mmio: window });
  // As the deployer links a driver (host/deploy/deploy.ts): its MMIO module right after it.
  const node = await buildRuntimeNodeImage(board, window ? [spec, mmioModuleSpec(name, vendorId, window)] : [spec]);
  mkdirSync(dirname(resolve(output)), { recursive: true });
  writeFileSync(output, writeElfExecutable(node.linked));
  writeFileSync(`${output}.modules.json`, JSON.stringify({ board: board.name, runtime: 'firmware', modules: node.modules }, null, 2) + '\n');
  const m = node.modules[0]!;
  const tcb = moduleTcb(m);
  if (values.json) printJson(io, { output, board: board.name, module: name, vendor_id: vendorId, layout: m.layout, entries: m.entries, io: m.io, tcb });
  else io.err(`hasm build: ${output}: module ${name} (vendor 0x${vendorId.toString(16)}): ${m.entries.length - 4} entries, ${m.io.filter((x) => x.kind === 'input').length} inputs, ${m.io.filter((x) => x.kind === 'output').length} outputs; text ${tcb.text} B (stub ${tcb.stub}, runtime ${tcb.runtime}, code ${tcb.code}), data ${tcb.data} B; with the firmware runtime; loader info in ${output}.modules.json`);
  return 0;
}

/** The descriptor's module whose source is the folder `dir`: from --descriptor, else the meter.json beside it. */
function descriptorEntry(dir: string, file: string | undefined): ModuleDesc | undefined {
  const path = file ?? join(dirname(resolve(dir)), 'meter.json');
  if (file === undefined && !existsSync(path)) return undefined;
  const d = loadDescriptor(path);
  const found = d.modules.find((m) => resolve(d.dir, m.source) === resolve(dir));
  if (!found && file !== undefined) throw new InputError(`no module of the descriptor has the source ${dir} (sources: ${d.modules.map((m) => m.source).join(', ')})`, { file: path });
  return found;
}

/** `--mmio PERIPHERAL[:PORT,PORT]`, the descriptor's "mmio" object on the command line. */
function parseMmio(text: string): { peripheral: string; ports?: number[] } {
  const [peripheral, ports] = text.split(':');
  if (!peripheral) throw new UsageError(`--mmio: expected PERIPHERAL or PERIPHERAL:PORT,PORT, got '${text}'`);
  if (ports === undefined) return { peripheral };
  return { peripheral, ports: ports.split(',').map((p) => parseInteger(p, '--mmio port')) };
}

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
