// Helpers for peripheral register files: byte lanes of 16-bit registers.

/** Byte addresses of `count` 16-bit registers from `base`. */
export function wordAddresses(base: number, count: number): number[] {
  return Array.from({ length: count * 2 }, (_, i) => base + i);
}

/** Reads the addressed byte (byte access) or the whole word of a 16-bit register value. */
export function laneRead(value: number, addr: number, byte: boolean): number {
  if (!byte) return value & 0xffff;
  return addr & 1 ? (value >> 8) & 0xff : value & 0xff;
}

/** A byte write into a 16-bit register that keeps the other byte (the usual peripheral behaviour). */
export function laneMerge(old: number, addr: number, value: number, byte: boolean): number {
  if (!byte) return value & 0xffff;
  return addr & 1 ? (old & 0x00ff) | ((value & 0xff) << 8) : (old & 0xff00) | (value & 0xff);
}

/** A numeric board option (JSON number or "0x…" string, as boards/schema.json allows), or the default. */
export function optNumber(cfg: Record<string, unknown>, key: string, fallback: number): number {
  const v = cfg[key];
  if (v === undefined) return fallback;
  return typeof v === 'string' ? Number(v) : (v as number);
}
