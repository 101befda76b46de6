// Byte parsing: a register dump "OBIS=value;" (ASCII, as an optical-port readout carries it) scanned for digits,
// each value accumulated in 32 bits and summed with its field number.
const TEXT = new StaticArray<u8>(160);

export function bench(): u32 {
  // Build the text: 12 fields "1.8.<k>=<digits>;"
  let at = 0;
  let v: u32 = 91;
  for (let k = 0; k < 12; k++) {
    unchecked(TEXT[at++] = 49); unchecked(TEXT[at++] = 46); unchecked(TEXT[at++] = 56); unchecked(TEXT[at++] = 46);
    unchecked(TEXT[at++] = (48 + k % 10) as u8); unchecked(TEXT[at++] = 61);
    let d = v;
    for (let j = 0; j < 6; j++) { unchecked(TEXT[at++] = (48 + d % 10) as u8); d /= 10; }
    unchecked(TEXT[at++] = 59);
    v = v * 7 + 3;
  }
  // Parse it back.
  let sum: u32 = 0;
  let field: u32 = 0;
  let value: u32 = 0;
  let inValue = false;
  for (let i = 0; i < at; i++) {
    const c = unchecked(TEXT[i]) as u32;
    if (c == 61) { inValue = true; value = 0; }
    else if (c == 59) { sum += value + field; field++; inValue = false; }
    else if (inValue && c - 48 < 10) value = value * 10 + (c - 48);
  }
  return sum;
}
