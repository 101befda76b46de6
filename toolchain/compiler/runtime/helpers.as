// Runtime helpers, written in AssemblyScript and compiled by this very backend (issue 4 item 3): multiply on the
// hardware multiplier, division and remainder, variable shifts and rotates, bit counts, bulk memory. Only
// operations that the backend lowers inline may appear here (constant shifts, add/sub, compares, loads/stores),
// or a helper would call itself. Each image links only the helpers its code uses.
import { trap } from "../lib/hasm";

const TRAP_DIVZERO = 3;
const TRAP_OVERFLOW = 4;

// 16×16→32 on the board's hardware multiplier, lowered inline (intrinsics.ts `mul16`, registers named from the
// board description), so this never calls mul32 back.
@external("hasm", "mul16") declare function mul16(x: u16, y: u16): u32;
@inline function mulw(x: u32, y: u32): u32 {
  return mul16(x as u16, y as u16);
}

export function mul32(a: u32, b: u32): u32 {
  const lo = mulw(a & 0xffff, b & 0xffff);
  const mid = mulw(a & 0xffff, b >>> 16) + mulw(a >>> 16, b & 0xffff);
  return lo + (mid << 16);
}

export function mul64(a: u64, b: u64): u64 {
  const a0 = (a as u32) & 0xffff, a1 = (a as u32) >>> 16, a2 = ((a >>> 32) as u32) & 0xffff, a3 = ((a >>> 48) as u32);
  const b0 = (b as u32) & 0xffff, b1 = (b as u32) >>> 16, b2 = ((b >>> 32) as u32) & 0xffff, b3 = ((b >>> 48) as u32);
  let r: u64 = mulw(a0, b0) as u64;
  r += ((mulw(a0, b1) as u64) + (mulw(a1, b0) as u64)) << 16;
  r += ((mulw(a0, b2) as u64) + (mulw(a1, b1) as u64) + (mulw(a2, b0) as u64)) << 32;
  r += ((mulw(a0, b3) + mulw(a1, b2) + mulw(a2, b1) + mulw(a3, b0)) as u64) << 48;
  return r;
}

// Restoring division, one quotient bit per step.
@inline function udivmod32(a: u32, b: u32, wantRem: bool): u32 {
  if (b == 0) trap(TRAP_DIVZERO);
  let q: u32 = 0;
  let r: u32 = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (a >>> 31);
    a = a << 1;
    q = q << 1;
    if (r >= b) {
      r -= b;
      q |= 1;
    }
  }
  return wantRem ? r : q;
}

@inline function udivmod64(a: u64, b: u64, wantRem: bool): u64 {
  if (b == 0) trap(TRAP_DIVZERO);
  let q: u64 = 0;
  let r: u64 = 0;
  for (let i = 0; i < 64; i++) {
    r = (r << 1) | (a >>> 63);
    a = a << 1;
    q = q << 1;
    if (r >= b) {
      r -= b;
      q |= 1;
    }
  }
  return wantRem ? r : q;
}

export function div_u32(a: u32, b: u32): u32 { return udivmod32(a, b, false); }
export function rem_u32(a: u32, b: u32): u32 { return udivmod32(a, b, true); }
export function div_u64(a: u64, b: u64): u64 { return udivmod64(a, b, false); }
export function rem_u64(a: u64, b: u64): u64 { return udivmod64(a, b, true); }

export function div_s32(a: i32, b: i32): i32 {
  if (b == 0) trap(TRAP_DIVZERO);
  if (a == i32.MIN_VALUE && b == -1) trap(TRAP_OVERFLOW);
  const q = udivmod32(a < 0 ? (0 - a) as u32 : a as u32, b < 0 ? (0 - b) as u32 : b as u32, false);
  return (a ^ b) < 0 ? 0 - (q as i32) : q as i32;
}
export function rem_s32(a: i32, b: i32): i32 {
  if (b == 0) trap(TRAP_DIVZERO);
  const r = udivmod32(a < 0 ? (0 - a) as u32 : a as u32, b < 0 ? (0 - b) as u32 : b as u32, true);
  return a < 0 ? 0 - (r as i32) : r as i32;
}
export function div_s64(a: i64, b: i64): i64 {
  if (b == 0) trap(TRAP_DIVZERO);
  if (a == i64.MIN_VALUE && b == -1) trap(TRAP_OVERFLOW);
  const q = udivmod64(a < 0 ? (0 - a) as u64 : a as u64, b < 0 ? (0 - b) as u64 : b as u64, false);
  return (a ^ b) < 0 ? 0 - (q as i64) : q as i64;
}
export function rem_s64(a: i64, b: i64): i64 {
  if (b == 0) trap(TRAP_DIVZERO);
  const r = udivmod64(a < 0 ? (0 - a) as u64 : a as u64, b < 0 ? (0 - b) as u64 : b as u64, true);
  return a < 0 ? 0 - (r as i64) : r as i64;
}

// Variable shifts: whole bytes first, then single bits (wasm takes the count modulo the width).
export function shl32(a: u32, n: i32): u32 {
  n &= 31;
  if (n >= 16) { a = a << 16; n -= 16; }
  if (n >= 8) { a = a << 8; n -= 8; }
  while (n > 0) { a = a << 1; n--; }
  return a;
}
export function shr_u32(a: u32, n: i32): u32 {
  n &= 31;
  if (n >= 16) { a = a >>> 16; n -= 16; }
  if (n >= 8) { a = a >>> 8; n -= 8; }
  while (n > 0) { a = a >>> 1; n--; }
  return a;
}
export function shr_s32(a: i32, n: i32): i32 {
  n &= 31;
  if (n >= 16) { a = a >> 16; n -= 16; }
  while (n > 0) { a = a >> 1; n--; }
  return a;
}
export function rotl32(a: u32, n: i32): u32 { return shl32(a, n) | shr_u32(a, (32 - n) & 31) ; }
export function rotr32(a: u32, n: i32): u32 { return shr_u32(a, n) | shl32(a, (32 - n) & 31); }

export function shl64(a: u64, n: i32): u64 {
  n &= 63;
  if (n >= 32) { a = a << 32; n -= 32; }
  if (n >= 16) { a = a << 16; n -= 16; }
  while (n > 0) { a = a << 1; n--; }
  return a;
}
export function shr_u64(a: u64, n: i32): u64 {
  n &= 63;
  if (n >= 32) { a = a >>> 32; n -= 32; }
  if (n >= 16) { a = a >>> 16; n -= 16; }
  while (n > 0) { a = a >>> 1; n--; }
  return a;
}
export function shr_s64(a: i64, n: i32): i64 {
  n &= 63;
  if (n >= 32) { a = a >> 32; n -= 32; }
  if (n >= 16) { a = a >> 16; n -= 16; }
  while (n > 0) { a = a >> 1; n--; }
  return a;
}
export function rotl64(a: u64, n: i32): u64 { return shl64(a, n) | shr_u64(a, (64 - n) & 63); }
export function rotr64(a: u64, n: i32): u64 { return shr_u64(a, n) | shl64(a, (64 - n) & 63); }

export function clz32(a: u32): i32 {
  if (a == 0) return 32;
  let n = 0;
  while ((a & 0x80000000) == 0) { a = a << 1; n++; }
  return n;
}
export function ctz32(a: u32): i32 {
  if (a == 0) return 32;
  let n = 0;
  while ((a & 1) == 0) { a = a >>> 1; n++; }
  return n;
}
export function popcnt32(a: u32): i32 {
  let n = 0;
  while (a != 0) { n += (a & 1) as i32; a = a >>> 1; }
  return n;
}
export function clz64(a: u64): i32 {
  const hi = (a >>> 32) as u32;
  return hi != 0 ? clz32(hi) : 32 + clz32(a as u32);
}
export function ctz64(a: u64): i32 {
  const lo = a as u32;
  return lo != 0 ? ctz32(lo) : 32 + ctz32((a >>> 32) as u32);
}
export function popcnt64(a: u64): i32 { return popcnt32(a as u32) + popcnt32((a >>> 32) as u32); }

// memory.copy / memory.fill: every byte access is bounds-checked like any other load and store.
export function memcpy(d: usize, s: usize, n: usize): void {
  if (d <= s) {
    for (let i: usize = 0; i < n; i++) store<u8>(d + i, load<u8>(s + i));
  } else {
    let i = n;
    while (i > 0) { i--; store<u8>(d + i, load<u8>(s + i)); }
  }
}
export function memset(d: usize, v: u8, n: usize): void {
  for (let i: usize = 0; i < n; i++) store<u8>(d + i, v);
}
