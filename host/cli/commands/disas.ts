import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { hex4, parseHexBytes, parseInteger } from '../../../toolchain/common/numbers.ts';
import { disassembleBytes, disassembleImage, type Line, type Listing } from '../../../toolchain/msp430/disassemble.ts';
import { loadImageFile } from '../../../toolchain/link/image.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

export const disasCommand: Command = {
  summary: 'disassemble an ELF or Intel HEX image, or raw bytes, to GNU/LLVM MSP430 syntax',
  help: `usage: hasm disas IMAGE [--json] [--syntax gnu|llvm]
       hasm disas --raw HEX --at ADDR [--json] [--syntax gnu|llvm]

Lists every code section with addresses, bytes, instructions and labels (symbol names when the image has them);
data sections and the vector table are listed as words. IMAGE is an ELF file (executable or object) or Intel HEX.

  --raw HEX      bytes in memory order as lowercase hex (e.g. 35403412 = mov #0x1234, r5)
  --at ADDR      address of the first raw byte (default 0)
  --syntax S     gnu (default: hex addresses, symbolic operands as targets) or llvm (exactly llvm-objdump's text)
  --json         {"file", "sections": [{"name","address","code","lines": [{"address","bytes","text","cycles"?,
                 "invalid"?, "labels"?, "target"?}]}]} (every line; the text listing shows runs of zero bytes as ...)

The text listing shows per line: address, bytes, CPU cycles, instruction; jumps go to absolute addresses with
the function and offset they land in (jhs 0x4646 <crc16+0x12>).`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      raw: { type: 'string' },
      at: { type: 'string' },
      syntax: { type: 'string' },
      json: { type: 'boolean' },
    });
    const syntax = (values.syntax ?? 'gnu') as 'gnu' | 'llvm';
    if (syntax !== 'gnu' && syntax !== 'llvm') throw new UsageError(`--syntax must be gnu or llvm, got '${values.syntax}'`);
    let listings: Listing[];
    let file: string;
    if (values.raw !== undefined) {
      if (positionals.length) throw new UsageError('give either IMAGE or --raw, not both');
      const at = values.at !== undefined ? parseInteger(values.at, '--at') : 0;
      if (at < 0 || at > 0xffff || at % 2) throw new UsageError(`--at must be an even address in 0..0xffff, got ${values.at}`);
      const bytes = parseHexBytes(values.raw, '--raw');
      if (bytes.length === 0) throw new UsageError('--raw is empty');
      listings = [{ name: 'raw', address: at, code: true, lines: disassembleBytes(bytes, at, { syntax }) }];
      file = '<raw>';
    } else {
      if (positionals.length !== 1) throw new UsageError('expected one IMAGE (or --raw HEX --at ADDR)');
      if (values.at !== undefined) throw new UsageError('--at goes with --raw');
      file = positionals[0]!;
      const image = loadImageFile(file);
      if (image.segments.length === 0) throw new InputError('the image has no loadable contents', { file });
      listings = disassembleImage(image, syntax);
    }
    if (values.json) {
      printJson(io, { file, sections: listings });
      return 0;
    }
    io.out(formatListing(listings));
    return 0;
  },
};

/**
 * The text listing: per line the address, the bytes, the CPU cycles (code; blank where they depend on operands, as
 * for the Sancus instructions), the instruction and, objdump-style, `<function+0xN>` for a numeric code target.
 * Runs of zero bytes are one `...` line, as objdump shows them (ZERO_RUN).
 */
export function formatListing(listings: Listing[]): string {
  const out: string[] = [];
  for (const l of listings) {
    out.push(`\nsection ${l.name || '(unnamed)'} at 0x${hex4(l.address)}${l.code ? '' : ' (data)'}:`);
    for (let i = 0; i < l.lines.length; i++) {
      const line = l.lines[i]!;
      const run = zeroRun(l.lines, i);
      const last = l.lines[i + run - 1];
      const bytes = last ? last.address + last.bytes.length / 2 - line.address : 0;
      for (const name of line.labels ?? []) out.push(`${name}:`);
      if (bytes >= ZERO_RUN.inside || (i + run === l.lines.length && bytes >= ZERO_RUN.atEnd)) {
        out.push('  ...');
        i += run - 1;
        continue;
      }
      const cycles = l.code ? `${line.cycles ?? ''}`.padStart(3) + '  ' : '';
      const target = line.target ? ` <${line.target}>` : '';
      out.push(`  ${hex4(line.address)}:  ${line.bytes.padEnd(13)} ${cycles}${line.text}${target}${line.invalid && l.code ? '\t; invalid' : ''}`);
    }
  }
  return out.join('\n').slice(1);
}

/** objdump's thresholds (objdump.c skip_zeroes, skip_zeroes_at_end): 8 zero bytes, or 3 that end the section. */
const ZERO_RUN = { inside: 8, atEnd: 3 };

/** How many lines from `i` on hold only zero bytes, up to the next label (a label starts something new). */
function zeroRun(lines: Line[], i: number): number {
  let n = 0;
  while (i + n < lines.length && /^(00)+$/.test(lines[i + n]!.bytes) && (n === 0 || !lines[i + n]!.labels)) n++;
  return n;
}
