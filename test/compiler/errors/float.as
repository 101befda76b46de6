export function ok(a: i32): i32 { return a + 1; }

export function scale(a: i32): f64 {
  return (a as f64) * 1.5;
}
