// Decimal formatting of 24 meter readings (u32) into an ASCII buffer (division and remainder by 10), then a
// checksum of the text: the register display and the DLMS text values.
const OUT = new StaticArray<u8>(256);
const TMP = new StaticArray<u8>(10);

function fmt(v: u32, at: i32): i32 {
  let n = 0;
  do {
    unchecked(TMP[n] = (48 + v % 10) as u8);
    v /= 10;
    n++;
  } while (v != 0);
  for (let k = 0; k < n; k++) unchecked(OUT[at + k] = unchecked(TMP[n - 1 - k]));
  unchecked(OUT[at + n] = 44);
  return at + n + 1;
}

export function bench(): u32 {
  let at = 0;
  let v: u32 = 7;
  for (let i = 0; i < 24; i++) {
    at = fmt(v, at);
    v = v * 31 + 12345;
  }
  let s: u32 = 0;
  for (let i = 0; i < at; i++) s = s * 3 + unchecked(OUT[i]);
  return s + (at as u32);
}
