// Linear-sweep disassembly of an image's code segments, with symbol names (the `hasm disas` listing).
import { cycles } from './cycles.ts';
import { decode } from './decode.ts';
import { PC } from './isa.ts';
import { sizeInWords, type Instruction } from './instruction.ts';
import { jumpTarget, printInstruction, type Syntax } from './print.ts';
import { sancusOpByWord } from './sancus-isa.ts';
import { SymbolTable } from './symbols.ts';
import type { Image } from '../link/image.ts';

export interface Line {
  address: number;
  /** The instruction's bytes in memory order, lowercase hex. */
  bytes: string;
  text: string;
  /** Absent for invalid words. */
  cycles?: number;
  invalid?: boolean;
  /** Label(s) at this address. */
  labels?: string[];
  /** Where a jump, call or branch goes when the text does not name it: `function` or `function+0xN` (gnu syntax). */
  target?: string;
}

export interface Listing {
  name: string;
  address: number;
  code: boolean;
  lines: Line[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * One instruction as the listing and the emulator's trace show it: the text, and in gnu syntax the function and
 * offset of a code target the text gives only as a number (`jhs 0x4646` → `crc16+0x12`).
 */
export function describeInstruction(ins: Instruction, address: number, opts: { syntax?: Syntax; symbols?: SymbolTable } = {}): { text: string; target?: string } {
  const syntax = opts.syntax ?? 'gnu';
  const symbols = opts.symbols;
  const text = printInstruction(ins, { syntax, address, symbolize: symbols && ((a) => symbols.at(a)) });
  if (syntax !== 'gnu' || !symbols) return { text };
  let to = jumpTarget(ins, address);
  // call #x and br #x (mov #x, pc): named in the text when x is a symbol's address, else described here.
  const imm = ins.src?.mode === 'immediate' && (ins.op.mnemonic === 'call' || (ins.dst?.mode === 'reg' && ins.dst.reg === PC));
  if (to === undefined && imm && symbols.at(ins.src!.value & 0xffff) === undefined) to = ins.src!.value & 0xffff;
  const target = to === undefined ? undefined : symbols.describe(to);
  return target === undefined ? { text } : { text, target };
}

export function disassembleBytes(bytes: Uint8Array, base: number, opts: { syntax?: Syntax; symbols?: SymbolTable } = {}): Line[] {
  const lines: Line[] = [];
  const words = Math.floor(bytes.length / 2);
  const word = (i: number) => bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  let i = 0;
  while (i < words) {
    const address = base + 2 * i;
    const ins = decode((k) => (i + k < words ? word(i + k) : 0));
    const labels = opts.symbols?.labels(address);
    const n = ins ? sizeInWords(ins) : 1;
    const sancus = ins ? undefined : sancusOpByWord(word(i));
    if (sancus) {
      // Invalid for plain MSP430 and LLVM; a Sancus core executes it (cycles depend on the operands: sancus/cycles.md).
      lines.push({ address, bytes: hex(bytes.subarray(2 * i, 2 * i + 2)), text: sancus.mnemonic, ...(labels ? { labels } : {}) });
      i += 1;
      continue;
    }
    if (!ins || i + n > words) {
      lines.push({ address, bytes: hex(bytes.subarray(2 * i, 2 * i + 2)), text: `.word\t0x${word(i).toString(16).padStart(4, '0')}`, invalid: true, ...(labels ? { labels } : {}) });
      i += 1;
      continue;
    }
    const { text, target } = describeInstruction(ins, address, opts);
    lines.push({ address, bytes: hex(bytes.subarray(2 * i, 2 * (i + n))), text, cycles: cycles(ins), ...(labels ? { labels } : {}), ...(target ? { target } : {}) });
    i += n;
  }
  if (bytes.length % 2) lines.push({ address: base + bytes.length - 1, bytes: hex(bytes.subarray(bytes.length - 1)), text: `.byte\t0x${bytes[bytes.length - 1]!.toString(16).padStart(2, '0')}`, invalid: true });
  return lines;
}

/** Disassembles every code segment of an image; data segments are listed as words. */
export function disassembleImage(image: Image, syntax: Syntax = 'gnu'): Listing[] {
  const symbols = new SymbolTable(image.symbols);
  return image.segments.map((seg) => {
    if (seg.exec && seg.name !== '.vectors' && !seg.name?.startsWith('__interrupt_vector')) {
      return { name: seg.name ?? '', address: seg.address, code: true, lines: disassembleBytes(seg.bytes, seg.address, { syntax, symbols }) };
    }
    const lines: Line[] = [];
    for (let o = 0; o < seg.bytes.length; o += 2) {
      if (o + 1 === seg.bytes.length) {
        lines.push({ address: seg.address + o, bytes: hex(seg.bytes.subarray(o)), text: `.byte\t0x${seg.bytes[o]!.toString(16).padStart(2, '0')}` });
        break;
      }
      const w = seg.bytes[o]! | ((seg.bytes[o + 1] ?? 0) << 8);
      const target = symbols.at(w);
      const l = symbols.labels(seg.address + o);
      lines.push({ address: seg.address + o, bytes: hex(seg.bytes.subarray(o, o + 2)), text: `.word\t${target ?? '0x' + w.toString(16).padStart(4, '0')}`, ...(l ? { labels: l } : {}) });
    }
    return { name: seg.name ?? '', address: seg.address, code: false, lines };
  });
}
