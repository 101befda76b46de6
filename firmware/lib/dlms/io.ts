// Byte reading and writing for the DLMS server (A-XDR, IEC 62056-6-2; BER lengths of ACSE, IEC 62056-5-3 §9.3).
// Static cursors, no allocation (firmware/README.md: modules allocate statically). A read past the end never
// touches memory beyond the input: it sets `bad` and returns 0, so a parser can run to its end and check once.

// The cursors live in memory cells of 16 bits, not in globals: our compiler keeps every global as two words and
// knows nothing of its range, while a 16-bit load is known to be below 2^16 — one register, half the bounds check
// (toolchain/compiler/README.md "ranges"). Every buffer of the server lies in the first 64 KiB of linear memory.
const CUR: usize = memory.data(16, 2);
const RP: usize = CUR; // read position
const RE: usize = CUR + 2; // read end
const BAD: usize = CUR + 4; // a read went past the end
const OP: usize = CUR + 6; // write position
const VBASE: usize = CUR + 8; // windowed writer: where the window's bytes go,
const VPOS: usize = CUR + 10; // bytes of the whole encoding so far,
const VLO: usize = CUR + 12; // the window [VLO, VHI) of the encoding that is stored
const VHI: usize = CUR + 14;
// Rows of the value the writer could not fill (profile.ts: not fetched from the logs module yet): VMISS 1 when a
// row inside the window was not written, VMISS_AT where the first such row starts; VFIRST_Q the window's first row
// (its sequence number), VIN whether one was seen.
const MISS: usize = memory.data(8, 4);
const VFIRST_Q: usize = MISS;
const VMISS_AT: usize = MISS + 4;
const VMISS: usize = MISS + 6;
const VIN: usize = MISS + 7;

/** Starts reading [p, p + n). */
export function rbegin(p: usize, n: u32): void {
  store<u16>(RP, <u16>p);
  store<u16>(RE, <u16>(p + n));
  store<u8>(BAD, 0);
}
export function rbad(): bool {
  return load<u8>(BAD) != 0;
}
export function rfail(): void {
  store<u8>(BAD, 1);
}
export function rpos(): usize {
  return <usize>load<u16>(RP);
}
export function rleft(): u32 {
  return <u32>load<u16>(RE) - <u32>load<u16>(RP);
}
/** Reads n (1–4) bytes big-endian. A loop, so that the optimiser calls it rather than inlining it at each of
 *  the parser's many reads (measured: inlined reads and writes made the server 2× larger; README.md). */
export function rN(n: u32): u32 {
  let v: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const p = <usize>load<u16>(RP);
    if (p >= <usize>load<u16>(RE)) {
      store<u8>(BAD, 1);
      return 0;
    }
    v = (v << 8) | <u32>load<u8>(p);
    store<u16>(RP, <u16>(p + 1));
  }
  return v;
}
export function r8(): u32 {
  return rN(1) & 0xff;
}
export function r16(): u32 {
  return rN(2) & 0xffff;
}
export function r32(): u32 {
  return rN(4);
}
// Results of calls are two words of unknown range to our compiler (it knows the ranges of parameters, not of
// results): the exported rlen, rskip and sameBytes are inline wrappers that mask what the out-of-line body
// returns, so that every caller compares and adds one word (issue 19 item 5).
// @ts-ignore: decorator
@inline export function rlen(): u32 {
  return rlenBody() & 0xffff;
}
// @ts-ignore: decorator
@inline export function rskip(n: u32): usize {
  return rskipBody(n) & 0xffff;
}
// @ts-ignore: decorator
@inline export function sameBytes(a: usize, b: usize, n: u32): bool {
  return (sameBody(a, b, n) & 1) != 0;
}

/** A-XDR / BER length: one byte below 0x80, else 0x81 n or 0x82 nn (longer never fits our buffers). */
function rlenBody(): u32 {
  const b = r8();
  if (b < 0x80) return b;
  if (b == 0x81) return r8();
  if (b == 0x82) return r16();
  store<u8>(BAD, 1);
  return 0;
}
/** Skips n bytes and returns where they start (bad if fewer remain). */
function rskipBody(n: u32): usize {
  const p = <usize>load<u16>(RP);
  if (n > rleft()) {
    store<u8>(BAD, 1);
    store<u16>(RP, load<u16>(RE));
    return p;
  }
  store<u16>(RP, <u16>(p + n));
  return p;
}

// The output cursor: plain writes at OP.
export function obegin(p: usize): void {
  store<u16>(OP, <u16>p);
}
export function opos(): usize {
  return <usize>load<u16>(OP);
}
/** Writes the low n (1–4) bytes of v big-endian (a loop for the same reason as rN). */
export function oN(v: u32, n: u32): void {
  for (let i: u32 = n; i > 0; i--) {
    const p = <usize>load<u16>(OP);
    store<u8>(p, <u8>(i == 4 ? v >> 24 : i == 3 ? v >> 16 : i == 2 ? v >> 8 : v));
    store<u16>(OP, <u16>(p + 1));
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
  const p = <usize>load<u16>(OP);
  copyBytes(p, src, n);
  store<u16>(OP, <u16>(p + n));
}

// The windowed value writer: a COSEM value is encoded from its start every time, and only the bytes inside
// [wlo, whi) are stored (at wbase). GET with block transfer sends a value larger than the PDU one window at a
// time without a buffer for the whole value (Green Book §9.4.6.2: blocks of the encoded Data).
export function vbegin(base: usize, lo: u32, hi: u32): void {
  store<u16>(VBASE, <u16>base);
  store<u16>(VPOS, 0);
  store<u16>(VLO, <u16>lo);
  store<u16>(VHI, <u16>hi);
  store<u16>(VMISS, 0); // (and VIN)
}
/** Bytes of the whole encoding so far (inside the window or not). */
export function vsize(): u32 {
  return <u32>load<u16>(VPOS);
}
/** The windowed form of oN. */
export function vN(v: u32, n: u32): void {
  for (let i: u32 = n; i > 0; i--) {
    const at = <u32>load<u16>(VPOS);
    const lo = <u32>load<u16>(VLO);
    if (at >= lo && at < <u32>load<u16>(VHI)) store<u8>(<usize>load<u16>(VBASE) + (at - lo), <u8>(i == 4 ? v >> 24 : i == 3 ? v >> 16 : i == 2 ? v >> 8 : v));
    store<u16>(VPOS, <u16>(at + 1));
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
/** The next n bytes (row q): false, counted and not to be written, when none of them is inside the window. */
export function vinside(q: u32, n: u32): bool {
  const at = <u32>load<u16>(VPOS);
  if (at + n <= <u32>load<u16>(VLO) || at >= <u32>load<u16>(VHI)) {
    store<u16>(VPOS, <u16>(at + n));
    return false;
  }
  if (load<u8>(VIN) == 0) store<u32>(VFIRST_Q, q);
  store<u8>(VIN, 1);
  return true;
}
/** The next n bytes, a row inside the window, cannot be written (its data is not at hand): counted, and the first
 *  such row's start noted (vmissed, vmissAt). */
export function vmiss(n: u32): void {
  const at = <u32>load<u16>(VPOS);
  if (load<u8>(VMISS) == 0) {
    store<u16>(VMISS_AT, <u16>at);
    store<u8>(VMISS, 1);
  }
  store<u16>(VPOS, <u16>(at + n));
}
/** 1 when a row inside the window was not written (vmiss), else 0. */
export function vmissed(): u32 {
  return <u32>load<u8>(VMISS);
}
export function vmissAt(): u32 {
  return <u32>load<u16>(VMISS_AT);
}
/** The first row inside the window (when vmissed() is not 0). */
export function vfirstRow(): u32 {
  return load<u32>(VFIRST_Q);
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
  p &= 0xffff;
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p, 1) << 16) | (<u32>load<u8>(p, 2) << 8) | <u32>load<u8>(p, 3);
}
export function put32(p: usize, v: u32): void {
  p &= 0xffff;
  store<u8>(p, <u8>(v >> 24));
  store<u8>(p, <u8>(v >> 16), 1);
  store<u8>(p, <u8>(v >> 8), 2);
  store<u8>(p, <u8>v, 3);
}
/** Public data compared (titles, OBIS codes): early exit is fine here, never for secrets (crypto/gcm.ts ct_equal). */
function sameBody(a: usize, b: usize, n: u32): u32 {
  a &= 0xffff; b &= 0xffff; n &= 0xffff;
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return 0;
  return 1;
}
export function copyBytes(d: usize, s: usize, n: u32): void {
  d &= 0xffff; s &= 0xffff; n &= 0xffff;
  for (let i: u32 = 0; i < n; i++) store<u8>(d + i, load<u8>(s + i));
}

