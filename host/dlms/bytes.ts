import { DlmsDecodeError } from './errors.ts';

// Byte helpers shared by every layer. The Reader turns every out-of-bounds read into a DlmsDecodeError, so a
// truncated frame can never become an exception of the wrong type (issue 12: malformed input is a typed error).

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function unhex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) throw new DlmsDecodeError(`bad hex '${s}'`);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

export function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/**
 * Equality of PUBLIC bytes (system titles, OBIS codes, transaction ids): exits at the first difference. Never for a
 * secret or a MAC — those go through constantTimeEqual (the one constant-time comparison of host/dlms; issue 16).
 */
export function equalPublicBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Comparison of secrets and MACs: the project's one constant-time comparison.
export { constantTimeEqual } from '../../toolchain/common/constant-time.ts';

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly what = 'APDU') {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new DlmsDecodeError(`${this.what} truncated: need ${n} more byte(s), have ${this.remaining}`, this.pos);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  peek(): number {
    this.need(1);
    return this.buf[this.pos]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = readU32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** A-XDR length: one byte below 0x80, else 0x8N followed by N big-endian bytes. */
  axdrLength(): number {
    const first = this.u8();
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new DlmsDecodeError(`${this.what}: bad length prefix 0x${first.toString(16)}`, this.pos - 1);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.u8();
    if (v > this.remaining + 0x10000000) throw new DlmsDecodeError(`${this.what}: absurd length ${v}`, this.pos);
    return v;
  }

  fail(message: string): never {
    throw new DlmsDecodeError(`${this.what}: ${message}`, this.pos);
  }
}

/** A-XDR length prefix (also the BER definite length form: same encoding). */
/**
 * Encodes into one growing buffer: the server answers every request with an APDU, and building it from small arrays
 * joined level by level (concat) was most of its work per association (issue 16). `open`/`close` frame a BER or A-XDR
 * length-prefixed body whose length is known only once it is written: one byte is reserved, and the rare body of
 * 128 bytes or more is moved up to make room for the longer length. Its memory comes from Node's Buffer pool: a
 * fresh Uint8Array above 64 bytes, or one whose `.buffer` is taken (as node:net does to send it), costs a separate
 * allocation outside V8's heap — ten times a pooled slice (measured, Node 20). Only written bytes are ever exposed.
 */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 64) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** An A-XDR (= BER definite) length. */
  axdrLength(n: number): this {
    if (n < 0x80) return this.u8(n);
    if (n < 0x100) return this.u8(0x81).u8(n);
    if (n < 0x10000) return this.u8(0x82).u16(n);
    return this.u8(0x84).u32(n);
  }

  /** Writes `tag` and reserves the length of the body that follows; `close` with the returned mark fills it in. */
  open(tag: number): number {
    this.u8(tag).u8(0);
    return this.length;
  }

  close(mark: number): this {
    const n = this.length - mark;
    if (n < 0x80) {
      this.buf[mark - 1] = n;
      return this;
    }
    const extra = n < 0x100 ? 1 : n < 0x10000 ? 2 : 4;
    this.room(extra);
    this.buf.copyWithin(mark + extra, mark, this.length);
    this.length += extra;
    this.buf[mark - 1] = 0x80 | extra;
    for (let i = 0; i < extra; i++) this.buf[mark + i] = (n >>> (8 * (extra - 1 - i))) & 0xff;
    return this;
  }

  /** The bytes written, as a view of the writer's buffer: the writer must not be used after this. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.length); // a plain Uint8Array, as everywhere here
  }
}

export function axdrLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  if (n < 0x10000) return Uint8Array.of(0x82, n >> 8, n & 0xff);
  return Uint8Array.of(0x84, ...u32(n));
}
