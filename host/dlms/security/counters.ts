// Invocation-counter acceptance (seed §3.4.2; ../shared/CLI.md): a counter is accepted only when it is strictly
// greater than the last one seen from that peer (gaps allowed: real clients skip values), and — in the hardened
// profile — no more than `threshold` above it, so a forged huge counter cannot push a meter towards a key change
// (the DoS the seed warns about).

export type CounterVerdict = { ok: true } | { ok: false; reason: 'replay' | 'jump' };

export function checkCounter(last: number, received: number, threshold: number | undefined): CounterVerdict {
  if (received <= last) return { ok: false, reason: 'replay' };
  if (threshold !== undefined && received - last > threshold) return { ok: false, reason: 'jump' };
  return { ok: true };
}

export const MAX_IC = 0xffffffff;
