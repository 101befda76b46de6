import type { CosemData } from './axdr.ts';
import { hex } from './bytes.ts';
import { decodeDateTime } from './datetime.ts';
import { formatObis } from './obis.ts';
import { scaledValue, unitName } from './units.ts';

// What `hasm dlms get|scan` print without --json (issue 16): values as an integrator reads them — scaled, with unit
// names, dates decoded, OBIS codes dotted — in aligned tables, and profile buffers as CSV on request.

export const CLASS_NAME: Record<number, string> = {
  1: 'Data', 3: 'Register', 4: 'Extended register', 5: 'Demand register', 7: 'Profile generic', 8: 'Clock',
  15: 'Association LN', 17: 'SAP assignment', 20: 'Activity calendar', 22: 'Single action schedule',
  40: 'Push setup', 64: 'Security setup', 70: 'Disconnect control', 71: 'Limiter',
};

export const className = (id: number) => CLASS_NAME[id] ?? `class ${id}`;

/** A scaler_unit structure {scaler integer, unit enum}, or undefined when it is not one. */
export function scalerUnit(d: CosemData | undefined): { scaler: number; unit: number } | undefined {
  if (d?.type !== 'structure' || d.value.length !== 2) return undefined;
  const [s, u] = d.value;
  if (s?.type !== 'integer' || u?.type !== 'enum') return undefined;
  return { scaler: s.value, unit: u.value };
}

/** One value as text: numbers scaled when a scaler_unit applies, 12-byte date-times as ISO dates, text as text. */
export function renderValue(d: CosemData, su?: { scaler: number; unit: number }): string {
  switch (d.type) {
    case 'null':
    case 'dont-care':
      return '-';
    case 'boolean':
      return d.value ? 'true' : 'false';
    case 'bit-string':
      return d.value;
    case 'visible-string':
    case 'utf8-string':
      return d.value;
    case 'octet-string':
    case 'date-time': {
      const t = d.value.length === 12 ? decodeDateTime(d.value) : undefined;
      if (t) return t.toISOString();
      if (d.value.length > 0 && d.value.every((b) => b >= 0x20 && b < 0x7f)) return new TextDecoder().decode(d.value);
      return hex(d.value);
    }
    case 'date':
    case 'time':
      return hex(d.value);
    case 'long64':
    case 'long64-unsigned':
      return su ? `${scaledValue(d.value, su.scaler)} ${unitName(su.unit)}`.trimEnd() : d.value.toString();
    case 'array':
    case 'structure':
    case 'compact-array':
      return `{${d.value.map((v) => renderValue(v)).join(', ')}}`;
    case 'float32':
    case 'float64':
      return su ? `${d.value * 10 ** su.scaler} ${unitName(su.unit)}`.trimEnd() : String(d.value);
    default:
      return su ? `${scaledValue(d.value, su.scaler)} ${unitName(su.unit)}`.trimEnd() : String(d.value);
  }
}

/** Columns aligned with spaces, a rule under the header. */
export function table(headers: string[], rows: string[][]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(headers), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted. */
export function csv(headers: string[], rows: string[][]): string {
  const f = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [headers, ...rows].map((r) => r.map(f).join(',')).join('\n');
}

/** A capture object of a Profile generic (attribute 3 entry): class, logical name, attribute. */
export interface Column {
  classId: number;
  ln: Uint8Array;
  attr: number;
  su?: { scaler: number; unit: number };
}

export function captureColumns(d: CosemData): Column[] {
  if (d.type !== 'array') return [];
  return d.value.flatMap((e) => {
    if (e.type !== 'structure') return [];
    const [c, ln, a] = e.value;
    if (c?.type !== 'long-unsigned' || ln?.type !== 'octet-string' || a?.type !== 'integer') return [];
    return [{ classId: c.value, ln: ln.value, attr: a.value }];
  });
}

export function columnName(c: Column): string {
  const unit = c.su ? unitName(c.su.unit) : '';
  return `${formatObis(c.ln)}:${c.attr}${unit ? ` [${unit}]` : ''}`;
}

/** Rows of a profile buffer: cells scaled by their column's scaler (the unit is in the header). */
export function bufferRows(buffer: CosemData, cols: Column[]): string[][] {
  if (buffer.type !== 'array' && buffer.type !== 'compact-array') return [];
  return buffer.value.map((row) => {
    const cells = row.type === 'structure' ? row.value : [row];
    return cells.map((cell, i) => {
      const su = cols[i]?.su;
      const text = renderValue(cell, su ? { scaler: su.scaler, unit: 255 } : undefined);
      return text;
    });
  });
}

/** The rights of one object-list entry as text: "2:rw 3:r", methods "1". */
export function rightsText(modes: number[], kind: 'attributes' | 'methods'): string {
  const names = kind === 'attributes' ? ['', 'r', 'w', 'rw'] : ['', 'x'];
  return modes.map((m, i) => (m ? `${i + 1}:${names[m] ?? m}` : '')).filter(Boolean).join(' ') || '-';
}
