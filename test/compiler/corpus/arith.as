// Differential corpus: integer arithmetic of every width, wrap-around, signed/unsigned edge cases.
export function add32(a: i32, b: i32): i32 { return a + b; }
export function sub32(a: i32, b: i32): i32 { return a - b; }
export function mul32(a: i32, b: i32): i32 { return a * b; }
export function mulu16(a: u16, b: u16): u32 { return (a as u32) * (b as u32); }
export function divs32(a: i32, b: i32): i32 { return a / b; }
export function divu32(a: u32, b: u32): u32 { return a / b; }
export function rems32(a: i32, b: i32): i32 { return a % b; }
export function remu32(a: u32, b: u32): u32 { return a % b; }
export function and32(a: i32, b: i32): i32 { return a & b; }
export function or32(a: i32, b: i32): i32 { return a | b; }
export function xor32(a: i32, b: i32): i32 { return a ^ b; }
export function shl32(a: i32, b: i32): i32 { return a << b; }
export function shrs32(a: i32, b: i32): i32 { return a >> b; }
export function shru32(a: u32, b: u32): u32 { return a >>> b; }
export function rotl32(a: u32, b: u32): u32 { return rotl<u32>(a, b); }
export function rotr32(a: u32, b: u32): u32 { return rotr<u32>(a, b); }
export function shlc(a: i32): i32 { return (a << 1) ^ (a << 7) ^ (a << 8) ^ (a << 13) ^ (a << 16) ^ (a << 23); }
export function shrsc(a: i32): i32 { return (a >> 1) ^ (a >> 7) ^ (a >> 8) ^ (a >> 15) ^ (a >> 16) ^ (a >> 31); }
export function shruc(a: u32): u32 { return (a >>> 1) ^ (a >>> 9) ^ (a >>> 8) ^ (a >>> 17) ^ (a >>> 24) ^ (a >>> 31); }
export function clz32(a: u32): i32 { return clz<u32>(a) as i32; }
export function ctz32(a: u32): i32 { return ctz<u32>(a) as i32; }
export function popcnt32(a: u32): i32 { return popcnt<u32>(a) as i32; }
export function lts(a: i32, b: i32): i32 { return (a < b ? 1 : 0) + (a <= b ? 2 : 0) + (a > b ? 4 : 0) + (a >= b ? 8 : 0) + (a == b ? 16 : 0) + (a != b ? 32 : 0); }
export function ltu(a: u32, b: u32): i32 { return (a < b ? 1 : 0) + (a <= b ? 2 : 0) + (a > b ? 4 : 0) + (a >= b ? 8 : 0) + (a == b ? 16 : 0) + (a != b ? 32 : 0); }
export function eqz(a: i32): i32 { return a == 0 ? 7 : 9; }
export function u8add(a: u8, b: u8): u8 { return a + b; }
export function u16add(a: u16, b: u16): u16 { return a + b; }
export function i16mul(a: i16, b: i16): i16 { return a * b; }
export function i8neg(a: i8): i8 { return -a; }
export function ext8(a: i32): i32 { return <i32><i8>a; }
export function ext16(a: i32): i32 { return <i32><i16>a; }
export function sel(a: i32, b: i32, c: i32): i32 { return select<i32>(a, b, c > 10); }
export function cmpimm(a: i32): i32 { return (a > 100 ? 1 : 0) | (a < -5 ? 2 : 0) | ((a as u32) > 70000 ? 4 : 0) | (a == 65536 ? 8 : 0); }

export function add64(a: i64, b: i64): i64 { return a + b; }
export function sub64(a: i64, b: i64): i64 { return a - b; }
export function mul64(a: i64, b: i64): i64 { return a * b; }
export function divs64(a: i64, b: i64): i64 { return a / b; }
export function divu64(a: u64, b: u64): u64 { return a / b; }
export function rems64(a: i64, b: i64): i64 { return a % b; }
export function remu64(a: u64, b: u64): u64 { return a % b; }
export function shl64(a: i64, b: i64): i64 { return a << b; }
export function shrs64(a: i64, b: i64): i64 { return a >> b; }
export function shru64(a: u64, b: u64): u64 { return a >>> b; }
export function rotl64(a: u64, b: u64): u64 { return rotl<u64>(a, b); }
export function shc64(a: i64): i64 { return (a << 3) ^ (a >> 17) ^ ((a as u64) >>> 33 as i64) ^ (a << 48) ^ (a >> 63); }
export function lt64(a: i64, b: i64): i32 { return (a < b ? 1 : 0) + (a <= b ? 2 : 0) + (a > b ? 4 : 0) + (a >= b ? 8 : 0) + (a == b ? 16 : 0) + ((a as u64) < (b as u64) ? 32 : 0) + ((a as u64) >= (b as u64) ? 64 : 0); }
export function bits64(a: u64): i64 { return clz<u64>(a) + ctz<u64>(a) * 100 + popcnt<u64>(a) * 10000; }
export function wrap(a: i64): i32 { return a as i32; }
export function extu(a: u32): u64 { return a as u64; }
export function exts(a: i32): i64 { return a as i64; }
export function mix(a: i32, b: i64, c: i32, d: i64): i64 { return (a as i64) * 3 + b - (c as i64) ^ d; }
export function many(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32): i32 { return a - b * 2 + c * 3 - d * 4 + e * 5 - f * 6 + g * 7; }
export function rotc(a: u32): u32 { return rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ rotl<u32>(a, 3) ^ rotr<u32>(a, 13) ^ rotl<u32>(a, 9) ^ rotr<u32>(a, 25) ^ rotr<u32>(a, 16) ^ rotl<u32>(a, 1); }
export function shbytes(a: i32): i32 { return (a << 9) ^ (a >> 11) ^ ((a >>> 12) as i32) ^ (a << 15) ^ (a >> 8) ^ ((a >>> 14) as i32); }
export function shu16(a: u16, b: u8): u32 { return ((a << 8) as u32) ^ ((a as u32) << 12) ^ ((b as u32) << 10) ^ ((a >> 9) as u32) ^ (((a as u32) * 40000) >>> 3); }
export function mulk(a: i32, b: u16): i32 { return a * 7 + a * (b as i32) - a * 40000; }
