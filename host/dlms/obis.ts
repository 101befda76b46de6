import { DlmsDecodeError } from './errors.ts';

// OBIS logical names: six value groups A.B.C.D.E.F, each 0..255 (IEC 62056-6-1).

export function parseObis(text: string): Uint8Array {
  const parts = text.trim().split(/[.:\-*]/);
  if (parts.length !== 6 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new DlmsDecodeError(`bad OBIS code '${text}' (expected six numbers 0..255 as a.b.c.d.e.f)`);
  }
  return Uint8Array.from(parts.map(Number));
}

export function formatObis(ln: Uint8Array): string {
  return Array.from(ln).join('.');
}
