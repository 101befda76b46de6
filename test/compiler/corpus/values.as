// Differential corpus for the ranges of if/else and block values (ranges.ts): a value below 2^16 on every path has
// the high word 0; one arm (or one `br` value) of full width keeps both words.
export function ifSmall(c: i32, x: i32, y: i32): i32 {
  const v: i32 = c & 1 ? x & 0xff : <i32>(<u32>y >>> 16);
  return v * 65537 + (v > 0x7fff ? 1 : 0);
}

export function ifWide(c: i32, x: i32, y: i32): i32 {
  const v: i32 = c & 1 ? x & 0xff : y;
  return (v >>> 8) + (v > 0xffff ? 1 : 0);
}

function pick(c: i32, x: i32): i32 {
  if (c == 1) return x & 0x7f;
  if (c == 2) return 300;
  if (c == 3) return x;
  return (x >>> 20) & 0xfff;
}

export function calls(c: i32, x: i32): i32 {
  const v = pick(c & 3, x);
  return v > 0xffff ? v ^ 0x55 : v * 3;
}

export function switchy(c: i32, x: i32): i32 {
  let v: i32 = 0;
  switch (c & 7) {
    case 0: v = x & 0xff; break;
    case 1: v = 0xffff; break;
    case 2: v = x; break;
    case 3: v = (x >>> 24) + 1; break;
    default: v = c;
  }
  return v + 0x10000 * (v & 3) + (v >= 0x10000 ? 7 : 0);
}

export function loopValue(n: i32, x: i32): i32 {
  let s: i32 = 0;
  for (let i = 0; i < (n & 15); i++) {
    s = i & 1 ? s + (x & 0xff) : (s >>> 1) ^ x;
  }
  return s;
}

// x & ~y as BIC, and (x & y) != 0 as BIT, with constant words on either side (lower-arith.ts, lower-cond.ts).
export function andNot(x: i32, y: i32): i32 {
  return (x & ~y) + ((~y & 0xff00) & x) * 3 + (x & ~(y & 0xffff));
}

export function andNot64(x: i64, y: i64): i64 {
  return (x & ~y) ^ (~(y | 0xffff0000) & x);
}

export function bitTests(x: i32, y: i32, z: i64): i32 {
  let r = 0;
  if (x & y) r |= 1;
  if ((x & 0xffff) & y) r |= 2;
  if (x & (y >>> 16)) r |= 4;
  if (!(x & y)) r |= 8;
  if (z & <i64>x) r |= 16;
  if ((z & (<i64>y << 32)) == 0) r |= 32;
  if (0x80 & x) r |= 64;
  return r;
}

// Logical right shifts: CLRC + RRC once, then RRA on the top word (its bit 15 is 0), whose carry the next word's RRC
// reads — also where only a lower word of the result is used (the top word's result dead, its carry not).
export function shrLow(x: i32, k: i32): i32 {
  return ((x >>> 3) & 0xffff) + ((x >>> 7) & 0xff) * 3 + (x >>> 5) + ((x >>> (k & 7 | 1)) & 0xfff);
}

export function shrLow64(x: i64): i32 {
  return <i32>((x >>> 5) & 0xffff) ^ <i32>(x >>> 13) ^ <i32>((x >>> 3) >>> 32);
}

export function shrHigh(x: i32): i32 {
  return ((x >>> 4) >>> 16) + (<i32>(<u16>x) >>> 4) + (<i32>(<u16>x) >>> 11);
}
