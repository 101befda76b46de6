import { D, type CosemData } from '../axdr.ts';
import { equalPublicBytes } from '../bytes.ts';
import { decodeDateTime } from '../datetime.ts';
import type { AccessSelection } from '../xdlms.ts';
import { AccessFault, FAULT, noSuchAttribute, noSuchMethod, readOnly, type CosemObject } from './object.ts';

// Profile generic (class 7, version 1): 2 buffer, 3 capture_objects, 4 capture_period, 5 sort_method,
// 6 sort_object, 7 entries_in_use, 8 profile_entries; method 1 reset. Selective access on the buffer (Blue Book
// §4.3.6): selector 1 range_descriptor {restricting_object, from_value, to_value, selected_values} and
// selector 2 entry_descriptor {from_entry, to_entry, from_selected_value, to_selected_value} (1-based, 0 = last).

export interface CaptureObject {
  classId: number;
  ln: Uint8Array;
  attr: number;
  dataIndex: number;
}

const captureDef = (c: CaptureObject) => D.struct([D.u16(c.classId), D.octets(c.ln), D.i8(c.attr), D.u16(c.dataIndex)]);

function parseCaptureDef(d: CosemData | undefined): CaptureObject | undefined {
  if (d?.type !== 'structure' || d.value.length !== 4) return undefined;
  const [c, ln, a, i] = d.value;
  if (c?.type !== 'long-unsigned' || ln?.type !== 'octet-string' || a?.type !== 'integer' || i?.type !== 'long-unsigned') return undefined;
  return { classId: c.value, ln: ln.value, attr: a.value, dataIndex: i.value };
}

/** Orders two cell values of the same column: numbers numerically, date-times by time. */
function compare(a: CosemData, b: CosemData): number | undefined {
  const num = (x: CosemData) => ('value' in x && typeof x.value === 'number' ? x.value : 'value' in x && typeof x.value === 'bigint' ? Number(x.value) : undefined);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  const time = (x: CosemData) => (x.type === 'octet-string' || x.type === 'date-time' ? decodeDateTime(x.value)?.getTime() : undefined);
  const ta = time(a);
  const tb = time(b);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  return undefined;
}

export class ProfileGenericObject implements CosemObject {
  readonly classId = 7;
  readonly version = 1;
  readonly attributeCount = 8;
  readonly methodCount = 2;
  readonly settable: readonly number[] = [];
  readonly invocable: readonly number[] = [1];
  private cleared = 0;

  constructor(
    readonly ln: Uint8Array,
    private readonly captureObjects: CaptureObject[],
    private readonly capturePeriod: number,
    private readonly rowsOf: () => CosemData[][],
    private readonly profileEntries: number,
  ) {}

  private rows(): CosemData[][] {
    return this.rowsOf().slice(this.cleared).slice(-this.profileEntries);
  }

  get(attr: number, _ctx: unknown, access?: AccessSelection): CosemData | AccessFault {
    if (access && attr !== 2) return new AccessFault(FAULT.scopeOfAccessViolated, 'selective access is defined on the buffer only');
    switch (attr) {
      case 1:
        return D.octets(this.ln);
      case 2:
        return this.buffer(access);
      case 3:
        return D.arr(this.captureObjects.map(captureDef));
      case 4:
        return D.u32(this.capturePeriod);
      case 5:
        return D.enum(1); // fifo
      case 6:
        return D.struct([D.u16(0), D.octets(new Uint8Array(6)), D.i8(0), D.u16(0)]);
      case 7:
        return D.u32(this.rows().length);
      case 8:
        return D.u32(this.profileEntries);
      default:
        return noSuchAttribute(attr);
    }
  }

  private buffer(access?: AccessSelection): CosemData | AccessFault {
    let rows = this.rows();
    let columns = this.captureObjects.map((_, i) => i);
    if (access?.selector === 1) {
      const p = access.params;
      if (p.type !== 'structure' || p.value.length !== 4) return new AccessFault(FAULT.typeUnmatched, 'range_descriptor is a 4-element structure');
      const restricting = parseCaptureDef(p.value[0]);
      const col = restricting ? this.captureObjects.findIndex((c) => c.classId === restricting.classId && equalPublicBytes(c.ln, restricting.ln) && c.attr === restricting.attr) : -1;
      if (col < 0) return new AccessFault(FAULT.scopeOfAccessViolated, 'restricting object is not a captured column');
      const from = p.value[1]!;
      const to = p.value[2]!;
      const out: CosemData[][] = [];
      for (const r of rows) {
        const lo = compare(r[col]!, from);
        const hi = compare(r[col]!, to);
        if (lo === undefined || hi === undefined) return new AccessFault(FAULT.typeUnmatched, 'from/to values do not compare with the restricting column');
        if (lo >= 0 && hi <= 0) out.push(r);
      }
      rows = out;
      const sel = p.value[3]!;
      if (sel.type === 'array' && sel.value.length) {
        const picked: number[] = [];
        for (const s of sel.value) {
          const d = parseCaptureDef(s);
          const i = d ? this.captureObjects.findIndex((c) => c.classId === d.classId && equalPublicBytes(c.ln, d.ln) && c.attr === d.attr) : -1;
          if (i < 0) return new AccessFault(FAULT.scopeOfAccessViolated, 'selected value is not a captured column');
          picked.push(i);
        }
        columns = picked;
      }
    } else if (access?.selector === 2) {
      const p = access.params;
      if (p.type !== 'structure' || p.value.length !== 4 || p.value.some((x) => !('value' in x) || typeof x.value !== 'number')) {
        return new AccessFault(FAULT.typeUnmatched, 'entry_descriptor is {from_entry, to_entry, from_selected_value, to_selected_value}');
      }
      const [fe, te, fv, tv] = p.value.map((x) => (x as { value: number }).value) as [number, number, number, number];
      const last = te === 0 ? rows.length : Math.min(te, rows.length);
      if (fe < 1 || fe > last + 1) return new AccessFault(FAULT.scopeOfAccessViolated, 'from_entry out of range');
      rows = rows.slice(fe - 1, last);
      const lastCol = tv === 0 ? columns.length : Math.min(tv, columns.length);
      if (fv < 1 || fv > lastCol) return new AccessFault(FAULT.scopeOfAccessViolated, 'from_selected_value out of range');
      columns = columns.slice(fv - 1, lastCol);
    } else if (access) {
      return new AccessFault(FAULT.scopeOfAccessViolated, `access selector ${access.selector} is not supported`);
    }
    return D.arr(rows.map((r) => D.struct(columns.map((c) => r[c]!))));
  }

  set(attr: number) {
    return attr <= 8 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number) {
    if (m === 1) {
      this.cleared += this.rows().length;
      return {};
    }
    if (m === 2) return new AccessFault(FAULT.otherReason, 'not implemented: capture on demand (the profile is captured by the meter)');
    return noSuchMethod(m);
  }
}
