// A 16-tap FIR filter (Q15 coefficients) over 64 voltage samples with 32-bit accumulation: metrology's
// band-limiting step; table lookups at computed indices.
const COEF: StaticArray<u16> = [120, 340, 810, 1500, 2400, 3300, 4000, 4300, 4300, 4000, 3300, 2400, 1500, 810, 340, 120];
const X = new StaticArray<u16>(80);
const Y = new StaticArray<u16>(64);

export function bench(): u32 {
  for (let i = 0; i < 80; i++) unchecked(X[i] = ((i * 2621 + 7) & 0x0fff) as u16);
  for (let n = 0; n < 64; n++) {
    let acc: u32 = 0;
    for (let k = 0; k < 16; k++) acc += (unchecked(X[n + k]) as u32) * (unchecked(COEF[k]) as u32);
    unchecked(Y[n] = (acc >>> 15) as u16);
  }
  let s: u32 = 0;
  for (let n = 0; n < 64; n++) s += unchecked(Y[n]);
  return s;
}
