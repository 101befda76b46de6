// A bounded ring-buffer log (the meter's event logs): 40 appends of (timestamp, code, value) into 16 slots,
// then a checksum over the log.
const TS = new StaticArray<u32>(16);
const CODE = new StaticArray<u16>(16);
const VAL = new StaticArray<i16>(16);
let head: u32 = 0;
let count: u32 = 0;

function append(ts: u32, code: u16, val: i16): void {
  const h = head;
  unchecked(TS[h] = ts); unchecked(CODE[h] = code); unchecked(VAL[h] = val);
  head = (h + 1) & 15;
  if (count < 16) count++;
}

export function bench(): u32 {
  head = 0; count = 0;
  for (let i: u32 = 0; i < 40; i++) append(1000 + i * 37, (i & 7) as u16, (i * 3 - 50) as i16);
  let s: u32 = count;
  for (let i = 0; i < 16; i++) s = (s << 3) + (s >>> 29) + unchecked(TS[i]) + unchecked(CODE[i]) + (unchecked(VAL[i]) as u32);
  return s;
}
