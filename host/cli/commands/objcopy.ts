import { writeFileSync } from 'node:fs';
import { InputError, UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger } from '../../../toolchain/common/numbers.ts';
import { loadImageFile } from '../../../toolchain/link/image.ts';
import { writeIntelHex } from '../../../toolchain/link/ihex.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

export const objcopyCommand: Command = {
  summary: 'convert an ELF image to Intel HEX or a raw binary',
  help: `usage: hasm objcopy IN.elf -O ihex|binary OUT [--gap-fill BYTE] [--json]

Writes the image's loadable sections as Intel HEX (what FPGA flashers and mspdebug's "prog" read) or as a raw
binary from the lowest to the highest loaded address, gaps filled with --gap-fill (default 0xff, erased flash).
  --json   {"output", "format", "start", "end", "bytes"}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      format: { type: 'string', short: 'O' },
      'gap-fill': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError('expected IN and OUT files');
    const [input, output] = positionals as [string, string];
    const format = values.format;
    if (format !== 'ihex' && format !== 'binary') throw new UsageError(`-O must be ihex or binary, got '${format ?? ''}'`);
    const image = loadImageFile(input);
    const segs = image.segments.filter((s) => s.bytes.length > 0);
    if (segs.length === 0) throw new InputError('the image has no loadable contents', { file: input });
    const start = Math.min(...segs.map((s) => s.address));
    const end = Math.max(...segs.map((s) => s.address + s.bytes.length));
    let bytes: number;
    if (format === 'ihex') {
      writeFileSync(output, writeIntelHex(segs));
      bytes = segs.reduce((a, s) => a + s.bytes.length, 0);
    } else {
      const fill = values['gap-fill'] !== undefined ? parseInteger(values['gap-fill'], '--gap-fill') : 0xff;
      if (fill < 0 || fill > 255) throw new UsageError('--gap-fill must be a byte value');
      const out = new Uint8Array(end - start).fill(fill);
      for (const s of segs) out.set(s.bytes, s.address - start);
      writeFileSync(output, out);
      bytes = out.length;
    }
    if (values.json) printJson(io, { output, format, start, end, bytes });
    return 0;
  },
};
