// The one comparison for secrets and MACs in the project (issue 16): Sancus tags and keys in toolchain/sancus,
// LLS passwords, HLS responses, GCM/GMAC tags and key-wrap checks in host/dlms.

/**
 * Its time depends only on the longer length, not on where the first difference is nor on whether the lengths
 * differ, so a guesser learns nothing byte by byte (seed §3.4: timing side channels on authentication secrets).
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.max(a.length, b.length);
  let d = a.length ^ b.length;
  for (let i = 0; i < n; i++) d |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return d === 0;
}
