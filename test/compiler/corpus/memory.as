// Differential corpus: static arrays, loads/stores of every width and sign, bounds traps, a ring buffer.
const table: StaticArray<u8> = [1, 2, 3, 200, 255, 0, 128, 7];
const words: StaticArray<i16> = [-1, 32767, -32768, 5, 1000];
const buf = new StaticArray<u32>(16);
const bytes = new StaticArray<u8>(64);

export function tget(i: i32): u8 { return table[i & 7]; }
export function wget(i: i32): i32 { return words[i % 5 < 0 ? -(i % 5) : i % 5]; }
export function put(i: i32, v: u32): u32 { const k = i & 15; buf[k] = v; return buf[k] ^ buf[(k + 1) & 15]; }
export function sumBuf(): u32 { let s: u32 = 0; for (let i = 0; i < 16; i++) s += buf[i]; return s; }
export function base(): usize { return changetype<usize>(bytes); }

export function st8(i: i32, v: i32): i32 { store<u8>(changetype<usize>(bytes) + (i & 63), v); return load<i8>(changetype<usize>(bytes) + (i & 63)); }
export function ld8u(i: i32): i32 { return load<u8>(changetype<usize>(bytes) + (i & 63)); }
export function st16(i: i32, v: i32): i32 { store<u16>(changetype<usize>(bytes) + (i & 62), v); return load<i16>(changetype<usize>(bytes) + (i & 62)) + load<u16>(changetype<usize>(bytes) + (i & 62)); }
export function st32(i: i32, v: i32): i32 { store<i32>(changetype<usize>(bytes) + (i & 60), v); return load<i32>(changetype<usize>(bytes) + (i & 60)); }
export function st64(i: i32, v: i64): i64 { store<i64>(changetype<usize>(bytes) + (i & 56), v); return load<i64>(changetype<usize>(bytes) + (i & 56)); }
export function ld64parts(i: i32): i64 {
  const p = changetype<usize>(bytes) + (i & 31);
  return (load<i8>(p) as i64) + ((load<u16>(p + 1) as i64) << 8) + ((load<i32>(p + 3) as i64) << 24) + (load<u32>(p + 7) as i64) + (load<i16>(p + 11) as i64);
}
export function st64n(i: i32, v: i64): i64 {
  const p = changetype<usize>(bytes) + (i & 31);
  store<i8>(p, v); store<i16>(p + 2, v); store<i32>(p + 4, v);
  return load<i64>(p) ^ (load<u8>(p + 1) as i64);
}
// An address far beyond any memory: both machines trap (V8 has 64 KiB, we have the module's real size).
export function oob(a: u32): i32 { return load<i32>(a + 70000); }
export function oobStore(a: u32, v: i32): void { store<i16>((a & 0xff) + 65536, v); }
export function boom(a: i32): i32 { if (a > 3) unreachable(); return a; }

// A bounded log (the meter's ring-buffer append): head index, wrap-around, checksum.
const ring = new StaticArray<u16>(8);
let head: i32 = 0;
export function logAppend(v: u16): u32 {
  ring[head] = v;
  head = (head + 1) & 7;
  let s: u32 = 0;
  for (let i = 0; i < 8; i++) s = (s << 1) + ring[i];
  return s;
}
export function copyFill(n: i32): u32 {
  memory.fill(changetype<usize>(bytes), 0x5a, n & 31);
  memory.copy(changetype<usize>(bytes) + 3, changetype<usize>(bytes), 20);
  let s: u32 = 0;
  for (let i = 0; i < 32; i++) s = s * 31 + bytes[i];
  return s;
}
