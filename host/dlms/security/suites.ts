// Security suites (IEC 62056-5-3 §9.2.3.2, Green Book): what each suite id selects.
// 0: AES-GCM-128. 1: AES-GCM-128, ECDSA/ECDH P-256, SHA-256. 2: AES-GCM-256, ECDSA/ECDH P-384, SHA-384.

export type SuiteId = 0 | 1 | 2;

export interface Suite {
  id: SuiteId;
  keyBytes: 16 | 32;
  curve?: 'p256' | 'p384';
  hash?: 'sha256' | 'sha384';
}

export const SUITES: Record<SuiteId, Suite> = {
  0: { id: 0, keyBytes: 16 },
  1: { id: 1, keyBytes: 16, curve: 'p256', hash: 'sha256' },
  2: { id: 2, keyBytes: 32, curve: 'p384', hash: 'sha384' },
};

export function suiteOf(id: number): Suite {
  const s = SUITES[id as SuiteId];
  if (!s) throw new RangeError(`unknown security suite ${id}`);
  return s;
}
