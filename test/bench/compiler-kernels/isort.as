// Insertion sort of 48 readings (u16), then a position-weighted checksum: loops over arrays with computed indices.
const A = new StaticArray<u16>(48);

export function bench(): u32 {
  let x: u32 = 12345;
  for (let i = 0; i < 48; i++) {
    x = x * 1103515245 + 12345;
    unchecked(A[i] = (x >>> 16) as u16);
  }
  for (let i = 1; i < 48; i++) {
    const v = unchecked(A[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(A[j]) > v) {
      unchecked(A[j + 1] = unchecked(A[j]));
      j--;
    }
    unchecked(A[j + 1] = v);
  }
  let s: u32 = 0;
  for (let i = 0; i < 48; i++) s += (unchecked(A[i]) as u32) * ((i + 1) as u32);
  return s;
}
