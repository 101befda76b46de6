// The Sancus default build (SECURITY = 64; ../shared/research/sancus.md §2.1). A node and its tool chain must be
// built with the same value; we support only the default.

/** Key and tag size in bytes (SANCUS_KEY_SIZE / SANCUS_TAG_SIZE in sancus-compiler sm_support.h). */
export const KEY_BYTES = 8;
export const TAG_BYTES = 8;
/** The key enters the sponge, and the tag leaves it, as 16-bit words. */
export const KEY_WORDS = KEY_BYTES / 2;
export const TAG_WORDS = TAG_BYTES / 2;
/** sancus-core's default MASTER_KEY (its CMakeLists.txt), as a byte string in memory order. */
export const DEFAULT_NODE_KEY = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe);

export function checkKey(key: Uint8Array, what = 'key'): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`${what} must be ${KEY_BYTES} bytes, got ${key.length}`);
}

export function checkTag(tag: Uint8Array, what = 'tag'): void {
  if (tag.length !== TAG_BYTES) throw new RangeError(`${what} must be ${TAG_BYTES} bytes, got ${tag.length}`);
}
