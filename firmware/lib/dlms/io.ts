// Byte reading and writing for the DLMS server (A-XDR, IEC 62056-6-2; BER lengths of ACSE, IEC 62056-5-3 §9.3).
// Static cursors, no allocation (firmware/README.md: modules allocate statically). A read past the end never
// touches memory beyond the input: it sets `bad` and returns 0, so a parser can run to its end and check once.

let rp: usize = 0;
let re: usize = 0;
let bad: bool = false;

/** Starts reading [p, p + n). */
export function rbegin(p: usize, n: u32): void {
  rp = p;
  re = p + n;
  bad = false;
}
export function rbad(): bool {
  return bad;
}
export function rfail(): void {
  bad = true;
}
export function rpos(): usize {
  return rp;
}
export function rleft(): u32 {
  return <u32>(re - rp);
}
/** Reads n (1–4) bytes big-endian. A loop, so that the optimiser calls it rather than inlining it at each of
 *  the parser's many reads (measured: inlined reads and writes made the server 2× larger; README.md). */
export function rN(n: u32): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (rp >= re) {
      bad = true;
      return 0;
    }
    v = (v << 8) | <u32>load<u8>(rp);
    rp++;
  }
  return v;
}
export function r8(): u32 {
  return rN(1);
}
export function r16(): u32 {
  return rN(2);
}
export function r32(): u32 {
  return rN(4);
}
/** A-XDR / BER length: one byte below 0x80, else 0x81 n or 0x82 nn (longer never fits our buffers). */
export function rlen(): u32 {
  const b = r8();
  if (b < 0x80) return b;
  if (b == 0x81) return r8();
  if (b == 0x82) return r16();
  bad = true;
  return 0;
}
/** Skips n bytes and returns where they start (bad if fewer remain). */
export function rskip(n: u32): usize {
  const p = rp;
  if (n > <u32>(re - rp)) {
    bad = true;
    rp = re;
    return p;
  }
  rp += n;
  return p;
}

// The output cursor: plain writes at `op`.
let op: usize = 0;
export function obegin(p: usize): void {
  op = p;
}
export function opos(): usize {
  return op;
}
/** Writes the low n (1–4) bytes of v big-endian (a loop for the same reason as rN). */
export function oN(v: u32, n: u32): void {
  for (let i: u32 = n; i > 0; i--) {
    store<u8>(op, <u8>(i == 4 ? v >> 24 : i == 3 ? v >> 16 : i == 2 ? v >> 8 : v));
    op++;
  }
}
export function o8(v: u32): void {
  oN(v, 1);
}
export function o16(v: u32): void {
  oN(v, 2);
}
export function o32(v: u32): void {
  oN(v, 4);
}
export function ocopy(src: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(op + i, load<u8>(src + i));
  op += n;
}

// The windowed value writer: a COSEM value is encoded from its start every time, and only the bytes inside
// [wlo, whi) are stored (at wbase). GET with block transfer sends a value larger than the PDU one window at a
// time without a buffer for the whole value (Green Book §9.4.6.2: blocks of the encoded Data).
let vbase: usize = 0;
let vpos: u32 = 0;
let vlo: u32 = 0;
let vhi: u32 = 0;
export function vbegin(base: usize, lo: u32, hi: u32): void {
  vbase = base;
  vpos = 0;
  vlo = lo;
  vhi = hi;
}
/** Bytes of the whole encoding so far (inside the window or not). */
export function vsize(): u32 {
  return vpos;
}
/** The windowed form of oN. */
export function vN(v: u32, n: u32): void {
  for (let i: u32 = n; i > 0; i--) {
    if (vpos >= vlo && vpos < vhi) store<u8>(vbase + (vpos - vlo), <u8>(i == 4 ? v >> 24 : i == 3 ? v >> 16 : i == 2 ? v >> 8 : v));
    vpos++;
  }
}
export function v8(b: u32): void {
  vN(b, 1);
}
export function v16(v: u32): void {
  vN(v, 2);
}
export function v32(v: u32): void {
  vN(v, 4);
}
export function vcopy(src: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) v8(<u32>load<u8>(src + i));
}
/** An A-XDR length (Green Book: 0x81 n / 0x82 nn above 127). */
export function vlen(n: u32): void {
  if (n > 0xff) {
    v8(0x82);
    v16(n);
  } else if (n > 0x7f) {
    v8(0x81);
    v8(n);
  } else v8(n);
}

export function be32(p: usize): u32 {
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p, 1) << 16) | (<u32>load<u8>(p, 2) << 8) | <u32>load<u8>(p, 3);
}
export function put32(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 24));
  store<u8>(p, <u8>(v >> 16), 1);
  store<u8>(p, <u8>(v >> 8), 2);
  store<u8>(p, <u8>v, 3);
}
/** Public data compared (titles, OBIS codes): early exit is fine here, never for secrets (crypto/gcm.ts ct_equal). */
export function sameBytes(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
export function copyBytes(d: usize, s: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(d + i, load<u8>(s + i));
}
