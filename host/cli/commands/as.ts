import { readFileSync, writeFileSync } from 'node:fs';
import { loadBoard, DEFAULT_BOARD } from '../../../boards/board.ts';
import { InputError, UsageError, combineInputErrors } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { assemble } from '../../../toolchain/msp430/asm/assembler.ts';
import { writeElfExecutable, writeElfObject } from '../../../toolchain/link/elf-write.ts';
import { link } from '../../../toolchain/link/link.ts';
import { writeMap } from '../../../toolchain/link/map.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

export const asCommand: Command = {
  summary: 'assemble MSP430 sources (GNU/LLVM syntax) and link them into an ELF image',
  help: `usage: hasm as FILE.s [FILE.s ...] -o OUT.elf [--board B] [--map OUT.map] [--place SECTION=ADDR ...] [--json]
       hasm as FILE.s -c -o OUT.o

Assembles GNU/LLVM MSP430 assembly and links it for a board (default boards/emulated.json): sections are placed
in the board's memory regions (.text/.rodata in program memory, .data/.bss in data memory, .vectors at the top of
the address space), or where --place says. Writes ELF32 (EM_MSP430).

  -o FILE              output file (required)
  -c                   stop after assembling: write one relocatable ELF object
  --board B            board file or name (openmsp430, emulated)
  --map FILE           write a map file (sections, addresses, sizes, symbols)
  --place SEC=ADDR     put output section SEC at ADDR (repeatable), overriding the board
  --json               print a summary object: {"output", "sections": [{"name","address","size"}], "entry"}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      output: { type: 'string', short: 'o' },
      compile: { type: 'boolean', short: 'c' },
      board: { type: 'string' },
      map: { type: 'string' },
      place: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('no input files');
    if (!values.output) throw new UsageError('missing -o OUTPUT');
    // Every file is assembled before any error is reported, so one run lists the errors of all of them.
    const errors: InputError[] = [];
    const objects = positionals.flatMap((file) => {
      try {
        return [assemble(readSource(file), file)];
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        errors.push(e);
        return [];
      }
    });
    if (errors.length) throw combineInputErrors(errors);
    if (values.compile) {
      if (objects.length !== 1) throw new UsageError('-c takes exactly one input file');
      writeFileSync(values.output, writeElfObject(objects[0]!));
      if (values.json) printJson(io, { output: values.output, sections: objects[0]!.sections.map((s) => ({ name: s.name, size: s.size, relocations: s.relocs.length })) });
      return 0;
    }
    const place: Record<string, number> = {};
    for (const p of values.place ?? []) {
      const m = /^([^=]+)=(.+)$/.exec(p);
      if (!m) throw new UsageError(`--place expects SECTION=ADDRESS, got '${p}'`);
      place[m[1]!] = parseInteger(m[2]!, `--place ${m[1]}`);
    }
    const board = loadBoard(values.board ?? DEFAULT_BOARD);
    const img = link(objects, { board, place });
    writeFileSync(values.output, writeElfExecutable(img));
    if (values.map) writeFileSync(values.map, writeMap(img, board.name));
    for (const n of img.notes) io.err(`hasm as: note: ${n}`);
    if (values.json) {
      printJson(io, { output: values.output, board: board.name, entry: img.entry, sections: img.sections.map((s) => ({ name: s.name, address: s.address, size: s.size })) });
    }
    return 0;
  },
};

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file });
  }
}
