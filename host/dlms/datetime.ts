// COSEM date-time (Blue Book §4.1.6.1): 12 octets — year (2), month, day, weekday (1 = Monday), hour, minute,
// second, hundredths, deviation (2, signed minutes; 0x8000 = unspecified), clock status.

export function encodeDateTime(d: Date, deviationMinutes = 0): Uint8Array {
  const b = new Uint8Array(12);
  const y = d.getUTCFullYear();
  b[0] = y >> 8;
  b[1] = y & 0xff;
  b[2] = d.getUTCMonth() + 1;
  b[3] = d.getUTCDate();
  b[4] = ((d.getUTCDay() + 6) % 7) + 1;
  b[5] = d.getUTCHours();
  b[6] = d.getUTCMinutes();
  b[7] = d.getUTCSeconds();
  b[8] = Math.floor(d.getUTCMilliseconds() / 10);
  const dev = deviationMinutes & 0xffff;
  b[9] = dev >> 8;
  b[10] = dev & 0xff;
  b[11] = 0;
  return b;
}

/** Decodes a fully specified date-time (UTC, deviation ignored as we always send 0); undefined if any field is "not specified". */
export function decodeDateTime(b: Uint8Array): Date | undefined {
  if (b.length !== 12) return undefined;
  const year = (b[0]! << 8) | b[1]!;
  if (year === 0xffff || b[2]! > 12 || b[3]! > 31 || b[5]! > 23 || b[6]! > 59 || b[7]! > 59) return undefined;
  const ms = b[8] === 0xff ? 0 : b[8]! * 10;
  const t = Date.UTC(year, b[2]! - 1, b[3]!, b[5]!, b[6]!, b[7]!, ms);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export function formatDateTime(b: Uint8Array): string {
  const d = decodeDateTime(b);
  return d ? d.toISOString() : Buffer.from(b).toString('hex');
}
