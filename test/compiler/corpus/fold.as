// Differential corpus for operand folding (toolchain/compiler/fold.ts): values loaded only to be used once —
// memory-to-memory copies, read-modify-write of bytes and words in static memory (whose flags a following
// compare or carry may or may not read), compares of a loaded byte with signed and unsigned conditions.
const cells = memory.data(32);
let counter: u8 = 0;
let total: u32 = 0;

export function copyByte(i: i32, j: i32): i32 {
  store<u8>(cells + (i & 15), <u8>j);
  store<u8>(cells + 16 + (j & 15), load<u8>(cells + (i & 15)));
  return load<u8>(cells + 16 + (j & 15));
}

export function copyWord(i: i32, v: i32): i32 {
  store<u16>(cells + (i & 14), <u16>v);
  store<u16>(cells + 16, load<u16>(cells + (i & 14)));
  store<u8>(cells + 18, <u8>load<u16>(cells + 16));
  return load<u16>(cells + 16) + load<u8>(cells + 18);
}

// A byte counter: the word add of a zero-extended byte and the byte add differ in the flags (carry out of bit 7).
export function bump(k: i32): i32 {
  counter = <u8>(counter + <u8>k);
  return counter;
}

export function bumpThenTest(k: i32): i32 {
  const c = <u8>(load<u8>(cells, 3) + <u8>k);
  store<u8>(cells, c, 3);
  return c == 0 ? 1000 : c < 0x80 ? 2000 : 3000;
}

export function setBits(k: i32): i32 {
  store<u8>(cells, load<u8>(cells, 5) | <u8>(k & 0x7f), 5);
  store<u8>(cells, load<u8>(cells, 6) & ~<u8>(k & 0x0f), 6);
  store<u8>(cells, load<u8>(cells, 7) ^ <u8>k, 7);
  return load<u16>(cells + 6) + load<u8>(cells, 5);
}

export function addWord(k: i32): i32 {
  store<u16>(cells + 8, load<u16>(cells + 8) + <u16>k);
  store<u16>(cells + 10, load<u16>(cells + 10) - <u16>(k >> 3));
  return load<u16>(cells + 8) * 3 + load<u16>(cells + 10);
}

// A 32-bit accumulator in memory: the low word's add sets the carry that the high word's addc reads.
export function accumulate(k: i32): u32 {
  total += <u32>k;
  store<u32>(cells + 12, load<u32>(cells + 12) + <u32>(k >> 4));
  return total ^ load<u32>(cells + 12);
}

// A loaded byte compared as signed and unsigned (N and V of the byte form differ from the word form).
export function classify(i: i32, v: i32): i32 {
  store<u8>(cells + (i & 7), <u8>v);
  const s = load<i8>(cells + (i & 7));
  const u = load<u8>(cells + (i & 7));
  let r = 0;
  if (s < 5) r |= 1;
  if (u < 5) r |= 2;
  if (u >= 200) r |= 4;
  if (s > -3) r |= 8;
  if (u == 0x7f) r |= 16;
  if ((u & 0x81) != 0) r |= 32;
  return r;
}

export function compareWords(i: i32, v: i32): i32 {
  store<u16>(cells + 20, <u16>v);
  const w = load<i16>(cells + 20);
  return (w < <i16>i ? 1 : 0) + (load<u16>(cells + 20) > <u16>i ? 2 : 0) + (<u32>load<u32>(cells + 20) > <u32>i ? 4 : 0);
}

// Compares with a constant on the left after the lowering's swap (x > C is C < x): each word compared from the
// other side (lower-cond.ts), the constant's edges included (C + 1 overflowing a word).
export function gtConsts(x: i32): i32 {
  let r = 0;
  if (x > 0) r |= 1;
  if (x > -1) r |= 2;
  if (x > 0x7fff) r |= 4;
  if (x > 0xffff) r |= 8;
  if (x > 0x7fffffff - 1) r |= 16;
  if (<u32>x > 0xfffffffe) r |= 32;
  if (<u32>x > 0xffff) r |= 64;
  if (<u32>x > 0x1ffff) r |= 128;
  if (x <= -32769) r |= 256;
  if (<u32>x <= 0x8000) r |= 512;
  if (x <= 0x10000) r |= 1024;
  if (<u32>x > 0) r |= 2048;
  return r;
}

export function gtConsts64(x: i64): i32 {
  let r = 0;
  if (x > 0) r |= 1;
  if (x > -1) r |= 2;
  if (x > 0xffffffff) r |= 4;
  if (<u64>x > 0x7fffffffffffffff) r |= 8;
  if (x <= 0x1234_5678_9abc) r |= 16;
  if (<u64>x > 0xffff) r |= 32;
  return r;
}
