import selfsigned from 'selfsigned';
import { X509Certificate } from 'node:crypto';

// Per-party TLS identities: a fresh P-256 key and self-signed certificate for each evaluator, made at run time with
// the `selfsigned` package. Peers trust exactly these certificates (pinned by SHA-256 fingerprint), no CA.

export interface Identity {
  key: string;
  cert: string;
  /** SHA-256 fingerprint as node reports it (AA:BB:…) */
  fingerprint256: string;
}

export async function makeIdentity(name: string): Promise<Identity> {
  const r = await selfsigned.generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyAgreement: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { key: r.private, cert: r.cert, fingerprint256: fingerprintOf(r.cert) };
}

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
