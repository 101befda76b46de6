@external("env", "log") declare function log(v: i32): void;

export function f(a: i32): i32 { log(a); return a; }
