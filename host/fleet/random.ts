// A reproducible stream of bytes for the deployer's keys and challenges (SHA-256 of label ‖ block counter): tests
// and benches get the same run twice. A deployment for real uses crypto.randomBytes (the deployer's default).
import { createHash } from 'node:crypto';

export function seededRandom(label: string): (n: number) => Uint8Array {
  let block = 0;
  let pool = new Uint8Array(0);
  return (n: number) => {
    while (pool.length < n) {
      const h = createHash('sha256').update(`${label}/${block++}`).digest();
      const next = new Uint8Array(pool.length + h.length);
      next.set(pool);
      next.set(h, pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}
