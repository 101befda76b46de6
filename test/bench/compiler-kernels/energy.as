// 32-bit energy accumulation with scaling: 64 samples of voltage × current (i16 × i16 → i32 power), scaled by
// a calibration gain (Q8) and accumulated; whole watt-hour units are carried out of the accumulator.
const V = new StaticArray<i16>(64);
const I = new StaticArray<i16>(64);
let acc: u32 = 0;
let wh: u32 = 0;

export function bench(): u32 {
  for (let k = 0; k < 64; k++) { unchecked(V[k] = (23000 - k * 211) as i16); unchecked(I[k] = (500 + k * 97 - 3000) as i16); }
  acc = 0; wh = 0;
  for (let k = 0; k < 64; k++) {
    const p = (unchecked(V[k]) as i32) * (unchecked(I[k]) as i32);
    const e = (p > 0 ? p : -p) as u32;
    acc += (e >>> 8) * 205;
    while (acc >= 3600000) { acc -= 3600000; wh++; }
  }
  return wh * 1000 + (acc >>> 12);
}
