// CRC-16/CCITT-FALSE over 64 bytes (bitwise, polynomial 0x1021).
const data = new StaticArray<u8>(64);
function crc16(p: StaticArray<u8>, n: i32): u16 {
  let crc: u16 = 0xffff;
  for (let i = 0; i < n; i++) {
    crc ^= (unchecked(p[i]) as u16) << 8;
    for (let b = 0; b < 8; b++) crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) : (crc << 1);
  }
  return crc;
}
export function bench(): u32 {
  for (let i = 0; i < 64; i++) unchecked(data[i] = (i * 7 + 1) as u8);
  return crc16(data, 64);
}
