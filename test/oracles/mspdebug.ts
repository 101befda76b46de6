// mspdebug's simulator as a second decoder (research/README.md): `dis ADDR LEN` over bytes we load.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATED_BY_NAME } from '../../toolchain/msp430/isa.ts';
import { writeIntelHex } from '../../toolchain/link/ihex.ts';
import { scratchDir } from './llvm.ts';

/**
 * Disassembles `bytes` placed at `address` with mspdebug; returns mspdebug's text per instruction address
 * (e.g. "MOV @R5+, 0x0002(R6)"), whitespace collapsed.
 */
export function mspdebugDisassemble(bytes: Uint8Array, address: number): Map<number, string> {
  const { dir, done } = scratchDir();
  try {
    const hex = join(dir, 'p.hex');
    writeFileSync(hex, writeIntelHex([{ address, bytes }]));
    const r = spawnSync('mspdebug', ['-q', 'sim', `prog ${hex}`, `dis 0x${address.toString(16)} ${bytes.length}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`mspdebug failed: ${r.stderr}`);
    const out = new Map<number, string>();
    for (const m of r.stdout.matchAll(/^\s+([0-9a-f]{5}):\s+((?:[0-9a-f]{2} )+)\s*(.*)$/gm)) {
      out.set(parseInt(m[1]!, 16), m[3]!.trim().replace(/\s+/g, ' '));
    }
    return out;
  } finally {
    done();
  }
}

/**
 * mspdebug's text → our assembler's syntax (numbers and register names are the same language). mspdebug also
 * names byte forms of emulated instructions that have none in the TI guide (`BR.B @PC`, `RET.B`): those are
 * written out as their core instruction from the table's template.
 */
export function mspdebugToGnu(text: string): string {
  const t = text
    .toLowerCase()
    .replace(/\bpc\b/g, 'r0')
    .replace(/\bsp\b/g, 'r1')
    .replace(/\bsr\b/g, 'r2')
    .replace(/,\s*/g, ', ');
  const m = /^(\w+)\.b\b\s*(.*)$/.exec(t);
  const e = m && EMULATED_BY_NAME.get(m[1]!);
  if (!m || !e || e.byteForm) return t;
  const fill = (x: string) => (x === 'S' || x === 'D' ? m[2]! : x);
  return `${e.base}.b ${fill(e.src)}, ${fill(e.dst!)}`;
}
