// The human-readable map file: sections with address, size and region, then symbols by address.
import { hex4 } from '../common/numbers.ts';
import type { LinkedImage } from './link.ts';

export function writeMap(img: LinkedImage, board: string): string {
  const out: string[] = [];
  out.push(`# hasm link map (board ${board})`, '', 'Sections:', `  ${'section'.padEnd(24)} ${'address'.padEnd(8)} ${'end'.padEnd(8)} ${'size'.padStart(6)}  region    flags`);
  for (const s of img.sections) {
    const flags = (s.exec ? 'x' : '-') + (s.write ? 'w' : '-') + (s.nobits ? ' nobits' : '');
    const end = s.size ? hex4(s.address + s.size - 1) : '-';
    out.push(`  ${s.name.padEnd(24)} 0x${hex4(s.address)}   ${('0x' + end).padEnd(8)} ${String(s.size).padStart(6)}  ${(s.region ?? '-').padEnd(9)} ${flags}`);
    for (const i of s.inputs) out.push(`      ${i.file}  +0x${hex4(i.offset)}  ${i.size} bytes`);
  }
  out.push('', 'Symbols:', `  ${'address'.padEnd(8)} ${'size'.padStart(5)}  ${'section'.padEnd(14)} binding symbol`);
  for (const s of img.symbols) {
    out.push(`  0x${hex4(s.address)}   ${String(s.size ?? 0).padStart(5)}  ${(s.section ?? '*ABS*').padEnd(14)} ${(s.global ? 'global' : 'local').padEnd(7)} ${s.name}`);
  }
  out.push('', `Entry (reset vector): 0x${hex4(img.entry)}`);
  for (const n of img.notes) out.push(`Note: ${n}`);
  return out.join('\n') + '\n';
}
