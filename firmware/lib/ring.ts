// A bounded circular log in one fixed region (seed §4.5 "Separate logs", §4.6.3 "size-bounded circular log
// buffers as specified in [47]"). Region: header {next u16, used u16, seq u32} then `cap` entries of 12 bytes
// {time u32, kind u8, result u8, aux u16, value u32}. The only entry index ever written is reduced below `cap`
// first, so an append cannot leave its region whatever the header holds: a full log overwrites its own oldest
// entry, never a neighbour's. `seq` counts every append, so a reader sees how many entries were overwritten.

export const HEADER: u32 = 8;
export const ENTRY: u32 = 12;

// @ts-ignore: decorator
@inline export function ringBytes(cap: u32): u32 {
  return HEADER + cap * ENTRY;
}

export function ringAppend(base: usize, cap: u32, time: u32, kind: u32, result: u32, aux: u32, value: u32): u32 {
  let next = <u32>load<u16>(base);
  if (next >= cap) next = 0;
  const e = base + HEADER + next * ENTRY;
  store<u32>(e, time);
  store<u8>(e, <u8>kind, 4);
  store<u8>(e, <u8>result, 5);
  store<u16>(e, <u16>aux, 6);
  store<u32>(e, value, 8);
  store<u16>(base, <u16>(next + 1 == cap ? 0 : next + 1));
  const used = <u32>load<u16>(base, 2);
  if (used < cap) store<u16>(base, <u16>(used + 1), 2);
  const seq = load<u32>(base, 4) + 1;
  store<u32>(base, seq, 4);
  return seq;
}

/** The address of the i-th newest entry (0 = newest), or 0 when the log holds fewer than i + 1 entries. */
export function ringEntry(base: usize, cap: u32, i: u32): usize {
  const used = <u32>load<u16>(base, 2);
  if (i >= used || used > cap) return 0;
  let next = <u32>load<u16>(base);
  if (next >= cap) next = 0;
  const k = next > i ? next - 1 - i : next + cap - 1 - i;
  return base + HEADER + k * ENTRY;
}

export function ringSeq(base: usize): u32 {
  return load<u32>(base, 4);
}
