import { CG, OP_BY_NAME, PC, SR, constantEncoding } from './isa.ts';
import type { Instruction, Operand } from './instruction.ts';

/** An instruction that has no machine encoding (e.g. an immediate destination). */
export class EncodeError extends Error {
  override name = 'EncodeError';
}

/** Source / single-operand field: operand → (As, register). */
export function sourceField(o: Operand): { as: number; reg: number } {
  switch (o.mode) {
    case 'reg':
      return { as: 0, reg: o.reg };
    case 'indexed':
      if (o.reg === PC || o.reg === SR || o.reg === CG) {
        throw new EncodeError(`x(r${o.reg}) is not an indexed source: that field means ${o.reg === CG ? '#1' : o.reg === PC ? 'a symbolic operand' : 'an absolute operand'}`);
      }
      return { as: 1, reg: o.reg };
    case 'symbolic':
      return { as: 1, reg: PC };
    case 'absolute':
      return { as: 1, reg: SR };
    case 'indirect':
      // @r2 and @r3 are accepted as the raw constant-generator encodings (#4, #2), as llvm-mc prints them.
      return { as: 2, reg: o.reg };
    case 'autoinc':
      // @r2+ and @r3+ likewise (#8, #-1).
      if (o.reg === PC) throw new EncodeError('@pc+ is the immediate mode: write #value');
      return { as: 3, reg: o.reg };
    case 'immediate':
      return { as: 3, reg: PC };
    case 'const': {
      const c = constantEncoding(o.value);
      if (!c) throw new EncodeError(`#${o.value} cannot come from the constant generator`);
      return c;
    }
  }
}

/** Destination field: operand → (Ad, register). Only register, indexed, symbolic and absolute exist. */
export function destField(o: Operand): { ad: number; reg: number } {
  switch (o.mode) {
    case 'reg':
      return { ad: 0, reg: o.reg };
    case 'indexed':
      if (o.reg === PC || o.reg === SR) throw new EncodeError(`x(r${o.reg}) as a destination means ${o.reg === PC ? 'symbolic' : 'absolute'} mode`);
      return { ad: 1, reg: o.reg };
    case 'symbolic':
      return { ad: 1, reg: PC };
    case 'absolute':
      return { ad: 1, reg: SR };
    default:
      throw new EncodeError(`a destination cannot be in ${o.mode} mode`);
  }
}

function ext(o: Operand | undefined): number[] {
  if (!o) return [];
  return o.mode === 'indexed' || o.mode === 'symbolic' || o.mode === 'absolute' || o.mode === 'immediate'
    ? [o.value & 0xffff]
    : [];
}

/** Encodes one instruction into 16-bit words (opcode word first, then source and destination extension words). */
export function encode(ins: Instruction): number[] {
  const { op } = ins;
  if (ins.byte && !op.byteForm) throw new EncodeError(`${op.mnemonic} has no .b form`);
  const bw = ins.byte ? 1 : 0;
  switch (op.format) {
    case 'I': {
      if (!ins.src || !ins.dst) throw new EncodeError(`${op.mnemonic} takes two operands`);
      const s = sourceField(ins.src);
      const d = destField(ins.dst);
      return [(op.code << 12) | (s.reg << 8) | (d.ad << 7) | (bw << 6) | (s.as << 4) | d.reg, ...ext(ins.src), ...ext(ins.dst)];
    }
    case 'II': {
      if (op.timing === 'reti') {
        if (ins.src) throw new EncodeError('reti takes no operand');
        return [0x1000 | (op.code << 7)];
      }
      if (!ins.src || ins.dst) throw new EncodeError(`${op.mnemonic} takes one operand`);
      const s = sourceField(ins.src);
      return [0x1000 | (op.code << 7) | (bw << 6) | (s.as << 4) | s.reg, ...ext(ins.src)];
    }
    case 'J': {
      const off = ins.offset ?? 0;
      if (off < -512 || off > 511) throw new EncodeError(`jump offset ${off} words is out of range (-512..511)`);
      return [0x2000 | (op.code << 10) | (off & 0x3ff)];
    }
  }
}

/** Convenience for tools and tests: build an Instruction from a mnemonic name. */
export function instruction(mnemonic: string, byte: boolean, src?: Operand, dst?: Operand, offset?: number): Instruction {
  const op = OP_BY_NAME.get(mnemonic);
  if (!op) throw new EncodeError(`unknown mnemonic '${mnemonic}'`);
  return { op, byte, src, dst, offset };
}
