import { axdrLength, ByteWriter, concat, hex, Reader, u16, u32, unhex } from './bytes.ts';
import { DlmsDecodeError } from './errors.ts';

// A-XDR encoding of the COSEM Data CHOICE (IEC 62056-6-2 / Blue Book §4.1.5, tags as in the Data type):
// one tag byte, then a fixed-size value or a length-prefixed one.

export type CosemData =
  | { type: 'null' }
  | { type: 'dont-care' }
  | { type: 'array'; value: CosemData[] }
  | { type: 'structure'; value: CosemData[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'bit-string'; value: string } // '0'/'1' characters, first bit first
  | { type: IntType; value: number }
  | { type: 'long64' | 'long64-unsigned'; value: bigint }
  | { type: 'float32' | 'float64'; value: number }
  | { type: 'octet-string'; value: Uint8Array }
  | { type: 'visible-string' | 'utf8-string'; value: string }
  | { type: 'date-time' | 'date' | 'time'; value: Uint8Array }
  | { type: 'compact-array'; description: TypeDescription; value: CosemData[] };

/** Blue Book TypeDescription: the element type of a compact-array (same tags as Data). */
export type TypeDescription =
  | { type: Exclude<TypeName, 'array' | 'structure' | 'compact-array'> }
  | { type: 'array'; count: number; element: TypeDescription }
  | { type: 'structure'; members: TypeDescription[] };

export type IntType =
  | 'integer'
  | 'long'
  | 'unsigned'
  | 'long-unsigned'
  | 'double-long'
  | 'double-long-unsigned'
  | 'enum'
  | 'bcd';

export const TAG = {
  null: 0,
  array: 1,
  structure: 2,
  boolean: 3,
  'bit-string': 4,
  'double-long': 5,
  'double-long-unsigned': 6,
  'octet-string': 9,
  'visible-string': 10,
  'utf8-string': 12,
  bcd: 13,
  integer: 15,
  long: 16,
  unsigned: 17,
  'long-unsigned': 18,
  'compact-array': 19,
  long64: 20,
  'long64-unsigned': 21,
  enum: 22,
  float32: 23,
  float64: 24,
  'date-time': 25,
  date: 26,
  time: 27,
  'dont-care': 255,
} as const;

type TypeName = keyof typeof TAG;
const NAME_OF = new Map<number, TypeName>(Object.entries(TAG).map(([k, v]) => [v, k as TypeName]));

const INT_RANGE: Record<IntType, [number, number, number]> = {
  // [bytes, min, max]
  integer: [1, -128, 127],
  long: [2, -32768, 32767],
  unsigned: [1, 0, 255],
  'long-unsigned': [2, 0, 65535],
  'double-long': [4, -2147483648, 2147483647],
  'double-long-unsigned': [4, 0, 4294967295],
  enum: [1, 0, 255],
  bcd: [1, 0, 255],
};
const FIXED_OCTETS = { 'date-time': 12, date: 5, time: 4 } as const;

export function encodeData(d: CosemData): Uint8Array {
  const w = new ByteWriter(32);
  writeData(w, d);
  return w.finish();
}

/**
 * Writes `d` into `w`. The types every GET answer is made of are written in place (issue 16: one buffer per
 * response, not one array per value); the rest go through `encodeOther`.
 */
export function writeData(w: ByteWriter, d: CosemData): void {
  const tag = TAG[d.type];
  switch (d.type) {
    case 'null':
    case 'dont-care':
      w.u8(tag);
      return;
    case 'array':
    case 'structure':
      w.u8(tag).axdrLength(d.value.length);
      for (const e of d.value) writeData(w, e);
      return;
    case 'boolean':
      w.u8(tag).u8(d.value ? 1 : 0);
      return;
    case 'octet-string':
      w.u8(tag).axdrLength(d.value.length).bytes(d.value);
      return;
    case 'bit-string':
    case 'visible-string':
    case 'utf8-string':
    case 'date-time':
    case 'date':
    case 'time':
    case 'long64':
    case 'long64-unsigned':
    case 'float32':
    case 'float64':
    case 'compact-array':
      w.bytes(encodeOther(d));
      return;
    default: {
      const [n, min, max] = INT_RANGE[d.type];
      if (!Number.isInteger(d.value) || d.value < min || d.value > max) {
        throw new DlmsDecodeError(`${d.type} out of range: ${d.value} (${min}..${max})`);
      }
      const v = d.value < 0 ? d.value + 2 ** (8 * n) : d.value;
      w.u8(tag);
      if (n === 1) w.u8(v);
      else if (n === 2) w.u16(v);
      else w.u32(v);
    }
  }
}

function encodeOther(d: CosemData): Uint8Array {
  const tag = TAG[d.type];
  switch (d.type) {
    case 'null':
    case 'dont-care':
      return Uint8Array.of(tag);
    case 'array':
    case 'structure':
      return concat(Uint8Array.of(tag), axdrLength(d.value.length), ...d.value.map(encodeData));
    case 'boolean':
      return Uint8Array.of(tag, d.value ? 1 : 0);
    case 'bit-string': {
      if (!/^[01]*$/.test(d.value)) throw new DlmsDecodeError(`bit-string '${d.value}' has characters other than 0/1`);
      const bytes = new Uint8Array(Math.ceil(d.value.length / 8));
      for (let i = 0; i < d.value.length; i++) if (d.value[i] === '1') bytes[i >> 3]! |= 0x80 >> (i & 7);
      return concat(Uint8Array.of(tag), axdrLength(d.value.length), bytes);
    }
    case 'octet-string':
      return concat(Uint8Array.of(tag), axdrLength(d.value.length), d.value);
    case 'visible-string':
    case 'utf8-string': {
      const b = new TextEncoder().encode(d.value);
      return concat(Uint8Array.of(tag), axdrLength(b.length), b);
    }
    case 'date-time':
    case 'date':
    case 'time':
      if (d.value.length !== FIXED_OCTETS[d.type]) {
        throw new DlmsDecodeError(`${d.type} must be ${FIXED_OCTETS[d.type]} bytes, got ${d.value.length}`);
      }
      return concat(Uint8Array.of(tag), d.value);
    case 'long64':
    case 'long64-unsigned': {
      const b = new Uint8Array(8);
      const v = d.type === 'long64' ? BigInt.asUintN(64, d.value) : d.value;
      if (d.type === 'long64-unsigned' && (v < 0n || v >= 1n << 64n)) throw new DlmsDecodeError(`long64-unsigned out of range: ${v}`);
      if (d.type === 'long64' && (d.value < -(1n << 63n) || d.value >= 1n << 63n)) throw new DlmsDecodeError(`long64 out of range: ${d.value}`);
      new DataView(b.buffer).setBigUint64(0, v);
      return concat(Uint8Array.of(tag), b);
    }
    case 'float32': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, d.value);
      return concat(Uint8Array.of(tag), b);
    }
    case 'float64': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, d.value);
      return concat(Uint8Array.of(tag), b);
    }
    case 'compact-array': {
      // contents-description, then the elements without their tags as one length-prefixed octet string.
      const contents = concat(...d.value.map((e) => encodeUntagged(e, d.description)));
      return concat(Uint8Array.of(tag), encodeDescription(d.description), axdrLength(contents.length), contents);
    }
    default: {
      const [n, min, max] = INT_RANGE[d.type];
      if (!Number.isInteger(d.value) || d.value < min || d.value > max) {
        throw new DlmsDecodeError(`${d.type} out of range: ${d.value} (${min}..${max})`);
      }
      const v = d.value < 0 ? d.value + 2 ** (8 * n) : d.value;
      if (n === 1) return Uint8Array.of(tag, v);
      if (n === 2) return concat(Uint8Array.of(tag), u16(v));
      return concat(Uint8Array.of(tag), u32(v));
    }
  }
}

const MAX_DEPTH = 32; // a hostile APDU must not recurse the decoder into a stack overflow

export function decodeData(r: Reader, depth = 0): CosemData {
  if (depth > MAX_DEPTH) r.fail(`data nested deeper than ${MAX_DEPTH}`);
  const tagAt = r.pos;
  const tag = r.u8();
  const type = NAME_OF.get(tag);
  if (type === undefined) throw new DlmsDecodeError(`unknown A-XDR data tag ${tag}`, tagAt);
  return decodeBody(r, type, depth);
}

function encodeDescription(t: TypeDescription): Uint8Array {
  if (t.type === 'array') return concat(Uint8Array.of(TAG.array), u16(t.count), encodeDescription(t.element));
  if (t.type === 'structure') return concat(Uint8Array.of(TAG.structure), axdrLength(t.members.length), ...t.members.map(encodeDescription));
  return Uint8Array.of(TAG[t.type]);
}

function decodeDescription(r: Reader, depth: number): TypeDescription {
  if (depth > MAX_DEPTH) r.fail(`type description nested deeper than ${MAX_DEPTH}`);
  const at = r.pos;
  const type = NAME_OF.get(r.u8());
  if (type === undefined || type === 'compact-array') throw new DlmsDecodeError('bad compact-array type description', at);
  if (type === 'array') return { type, count: r.u16(), element: decodeDescription(r, depth + 1) };
  if (type === 'structure') {
    const n = r.axdrLength();
    if (n > r.remaining) r.fail('type description longer than the APDU');
    const members: TypeDescription[] = [];
    for (let i = 0; i < n; i++) members.push(decodeDescription(r, depth + 1));
    return { type, members };
  }
  return { type };
}

/** A value as compact-array contents carry it: no tag, shape from the description. */
function encodeUntagged(d: CosemData, t: TypeDescription): Uint8Array {
  if (t.type === 'structure') {
    if (d.type !== 'structure' || d.value.length !== t.members.length) throw new DlmsDecodeError('compact-array element does not match its structure description');
    return concat(...d.value.map((m, i) => encodeUntagged(m, t.members[i]!)));
  }
  if (t.type === 'array') {
    if (d.type !== 'array' || d.value.length !== t.count) throw new DlmsDecodeError('compact-array element does not match its array description');
    return concat(...d.value.map((m) => encodeUntagged(m, t.element)));
  }
  if (d.type !== t.type) throw new DlmsDecodeError(`compact-array element is ${d.type}, description says ${t.type}`);
  return encodeData(d).subarray(1);
}

function decodeUntagged(r: Reader, t: TypeDescription, depth: number): CosemData {
  if (t.type === 'structure') return { type: 'structure', value: t.members.map((m) => decodeUntagged(r, m, depth + 1)) };
  if (t.type === 'array') {
    if (t.count > r.remaining) r.fail('compact-array inner array longer than its contents');
    const value: CosemData[] = [];
    for (let i = 0; i < t.count; i++) value.push(decodeUntagged(r, t.element, depth + 1));
    return { type: 'array', value };
  }
  return decodeBody(r, t.type, depth + 1);
}

function decodeBody(r: Reader, type: TypeName, depth: number): CosemData {
  switch (type) {
    case 'null':
    case 'dont-care':
      return { type };
    case 'array':
    case 'structure': {
      const n = r.axdrLength();
      if (n > r.remaining) r.fail(`${type} claims ${n} elements but only ${r.remaining} bytes remain`);
      const value: CosemData[] = [];
      for (let i = 0; i < n; i++) value.push(decodeData(r, depth + 1));
      return { type, value };
    }
    case 'boolean':
      return { type, value: r.u8() !== 0 };
    case 'bit-string': {
      const bits = r.axdrLength();
      const bytes = r.bytes(Math.ceil(bits / 8));
      let s = '';
      for (let i = 0; i < bits; i++) s += bytes[i >> 3]! & (0x80 >> (i & 7)) ? '1' : '0';
      return { type, value: s };
    }
    case 'octet-string':
      return { type, value: r.bytes(r.axdrLength()) };
    case 'visible-string':
    case 'utf8-string':
      return { type, value: new TextDecoder().decode(r.bytes(r.axdrLength())) };
    case 'date-time':
    case 'date':
    case 'time':
      return { type, value: r.bytes(FIXED_OCTETS[type]) };
    case 'long64':
    case 'long64-unsigned': {
      const b = r.bytes(8);
      const dv = new DataView(b.buffer, b.byteOffset, 8);
      return { type, value: type === 'long64' ? dv.getBigInt64(0) : dv.getBigUint64(0) };
    }
    case 'float32': {
      const b = r.bytes(4);
      return { type, value: new DataView(b.buffer, b.byteOffset, 4).getFloat32(0) };
    }
    case 'float64': {
      const b = r.bytes(8);
      return { type, value: new DataView(b.buffer, b.byteOffset, 8).getFloat64(0) };
    }
    case 'compact-array': {
      const description = decodeDescription(r, depth + 1);
      const contents = new Reader(r.bytes(r.axdrLength()), 'compact-array contents');
      const value: CosemData[] = [];
      while (!contents.atEnd()) {
        const before = contents.pos;
        value.push(decodeUntagged(contents, description, depth));
        if (contents.pos === before) contents.fail('element of zero size'); // e.g. null-data: no progress
      }
      return { type, description, value };
    }
    default: {
      const [n, min] = INT_RANGE[type as IntType];
      let v = n === 1 ? r.u8() : n === 2 ? r.u16() : r.u32();
      if (min < 0 && v >= 2 ** (8 * n - 1)) v -= 2 ** (8 * n);
      return { type, value: v };
    }
  }
}

export function decodeDataBytes(b: Uint8Array): CosemData {
  const r = new Reader(b, 'A-XDR data');
  const d = decodeData(r);
  if (!r.atEnd()) r.fail(`${r.remaining} trailing byte(s) after data`);
  return d;
}

/** JSON view of data, as the CLI prints it: numbers, decimal strings for 64-bit, lowercase hex for octets. */
export function dataToJson(d: CosemData): unknown {
  switch (d.type) {
    case 'null':
    case 'dont-care':
      return null;
    case 'array':
    case 'structure':
      return d.value.map(dataToJson);
    case 'octet-string':
    case 'date-time':
    case 'date':
    case 'time':
      return hex(d.value);
    case 'compact-array':
      return d.value.map(dataToJson);
    case 'long64':
    case 'long64-unsigned':
      return d.value.toString();
    default:
      return d.value;
  }
}

/** Typed JSON in: {"type": "long-unsigned", "value": 5}; arrays/structures nest; octets as hex strings. */
export function dataFromTypedJson(j: unknown, path = 'value'): CosemData {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) {
    throw new DlmsDecodeError(`${path}: expected {"type": …, "value": …}, got ${JSON.stringify(j)}`);
  }
  const o = j as { type?: unknown; value?: unknown };
  const type = o.type as TypeName;
  if (typeof type !== 'string' || !(type in TAG)) throw new DlmsDecodeError(`${path}: unknown type ${JSON.stringify(o.type)}`);
  const v = o.value;
  const bad = (): never => {
    throw new DlmsDecodeError(`${path}: bad value ${JSON.stringify(v)} for ${type}`);
  };
  switch (type) {
    case 'null':
    case 'dont-care':
      return { type };
    case 'array':
    case 'structure':
      if (!Array.isArray(v)) bad();
      return { type, value: (v as unknown[]).map((x, i) => dataFromTypedJson(x, `${path}[${i}]`)) };
    case 'boolean':
      if (typeof v !== 'boolean') bad();
      return { type, value: v as boolean };
    case 'bit-string':
    case 'visible-string':
    case 'utf8-string':
      if (typeof v !== 'string') bad();
      return { type, value: v as string };
    case 'octet-string':
    case 'date-time':
    case 'date':
    case 'time':
      if (typeof v !== 'string') bad();
      return { type, value: unhex(v as string) };
    case 'compact-array':
      throw new DlmsDecodeError(`${path}: compact-array input is not supported on the command line; use array`);
    case 'long64':
    case 'long64-unsigned':
      if (typeof v !== 'string' && typeof v !== 'number') bad();
      return { type, value: BigInt(v as string | number) };
    case 'float32':
    case 'float64':
      if (typeof v !== 'number') bad();
      return { type, value: v as number };
    default:
      if (typeof v !== 'number') bad();
      return { type, value: v as number };
  }
}

// Small constructors used across the server and tests.
export const D = {
  null: (): CosemData => ({ type: 'null' }),
  bool: (value: boolean): CosemData => ({ type: 'boolean', value }),
  u8: (value: number): CosemData => ({ type: 'unsigned', value }),
  i8: (value: number): CosemData => ({ type: 'integer', value }),
  u16: (value: number): CosemData => ({ type: 'long-unsigned', value }),
  i16: (value: number): CosemData => ({ type: 'long', value }),
  u32: (value: number): CosemData => ({ type: 'double-long-unsigned', value }),
  i32: (value: number): CosemData => ({ type: 'double-long', value }),
  enum: (value: number): CosemData => ({ type: 'enum', value }),
  octets: (value: Uint8Array): CosemData => ({ type: 'octet-string', value }),
  str: (value: string): CosemData => ({ type: 'visible-string', value }),
  arr: (value: CosemData[]): CosemData => ({ type: 'array', value }),
  struct: (value: CosemData[]): CosemData => ({ type: 'structure', value }),
  dateTime: (value: Uint8Array): CosemData => ({ type: 'date-time', value }),
};
