// Differential corpus: loops, switch (br_table), recursion, indirect calls, globals.
let counter: i32 = 0;
let acc64: i64 = 0x1234_5678_9abc_def0;

export function sumTo(n: i32): i32 {
  let s = 0;
  for (let i = 0; i < n && i < 5000; i++) s += i;
  return s;
}
function fibr(n: i32): i32 { return n < 2 ? n : fibr(n - 1) + fibr(n - 2); }
export function fib(n: i32): i32 { return fibr(n & 15); }
function factr(n: i32): i64 { return n <= 1 ? 1 : (n as i64) * factr(n - 1); }
export function fact64(n: i32): i64 { return factr(n & 31); }
export function gcd(a: u32, b: u32): u32 { while (b != 0) { const t = a % b; a = b; b = t; } return a; }
export function collatz(n: u32): i32 { let steps = 0; while (n > 1 && steps < 1000) { n = (n & 1) ? 3 * n + 1 : n >> 1; steps++; } return steps; }

export function sw(x: i32): i32 {
  switch (x) {
    case 0: return 100;
    case 1: return 205;
    case 2: return -3;
    case 3: return 77777;
    case 4: return x * 9;
    case 5: return 12;
    case 7: return 1 << 20;
    default: return -1;
  }
}
export function sw2(x: u32, y: i32): i32 {
  let r = y;
  switch (x & 7) {
    case 0: r += 1;
    case 1: r *= 3; break;
    case 2: r ^= 0x5555; break;
    case 3: r -= 100;
    case 4: r = r << 2; break;
    default: r = ~r;
  }
  return r;
}

function double(x: i32): i32 { return x * 2; }
function square(x: i32): i32 { return x * x; }
function negate(x: i32): i32 { return -x; }
function add3(x: i32): i32 { return x + 3; }
const ops: StaticArray<(x: i32) => i32> = [double, square, negate, add3];
export function apply(i: i32, x: i32): i32 { return ops[i & 3](x); }
export function applyChain(x: i32, n: i32): i32 { for (let i = 0; i < n && i < 20; i++) x = ops[i & 3](x); return x; }

export function bump(d: i32): i32 { counter += d; return counter; }
export function bump64(d: i64): i64 { acc64 = acc64 * 3 + d; return acc64; }
export function nested(a: i32, b: i32): i32 {
  let r = 0;
  for (let i = 0; i < (a & 15); i++) {
    for (let j = 0; j < (b & 15); j++) {
      if ((i ^ j) & 1) continue;
      if (i * j > 50) break;
      r += i * 16 + j;
    }
  }
  return r;
}
export function early(a: i32): i32 {
  if (a < 0) return -1;
  if (a == 0) return 0;
  let x = a;
  while (true) { x = x * 5 + 1; if (x > 10000 || x < 0) return x; }
}
export function lnot(a: i32, b: i32): i32 { return (!a ? 1 : 0) | ((a && b) ? 2 : 0) | ((a || b) ? 4 : 0); }
