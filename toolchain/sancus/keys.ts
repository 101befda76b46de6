import { FlatMemory, SancusCryptoUnit, type ModuleLayout } from './crypto-unit.ts';
import { checkKey, KEY_BYTES } from './params.ts';

// The Sancus key hierarchy as SM_ENABLE derives it (sancus-core crypto/crypto_control.v GEN_VKEY_INIT …
// WRITE_SMKEY_WAIT; ../shared/research/sancus.md §2.2):
//   vendor key K_SP = MAC(node key, vendor id as one little-endian 16-bit word);
//   module key K_SM = MAC(K_SP, text words [textStart, textEnd) ‖ LE16 textStart ‖ textEnd ‖ dataStart ‖ dataEnd);
//   identity MAC    = MAC(8 zero bytes, same identity) — what SM_VERIFY_ADDR/PREV compare with.
// Keys are 8-byte strings in memory order. Computed with the crypto-unit model, so an odd-length text range takes
// the byte after it, as the core does (`followingText`, default 0x00).

export type { ModuleLayout };

export function checkLayout(layout: ModuleLayout, textLength: number): void {
  for (const [k, v] of Object.entries(layout)) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`layout ${k} must be a 16-bit address, got ${v}`);
  }
  if (layout.textEnd - layout.textStart !== textLength) {
    throw new RangeError(`text is ${textLength} bytes but the layout's text range [0x${layout.textStart.toString(16)}, 0x${layout.textEnd.toString(16)}) is ${layout.textEnd - layout.textStart}`);
  }
}

export function deriveVendorKey(nodeKey: Uint8Array, vendorId: number): Uint8Array {
  checkKey(nodeKey, 'node key');
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffff) throw new RangeError(`vendor id must be 16 bits, got ${vendorId}`);
  // A module-less enable: only the vendor half matters; any layout works, the empty one is cheapest.
  const r = new SancusCryptoUnit().enable(new FlatMemory(16), nodeKey, vendorId, { textStart: 0, textEnd: 0, dataStart: 0, dataEnd: 0 });
  return r.vendorKey!;
}

function textMemory(text: Uint8Array, layout: ModuleLayout, followingText: number): FlatMemory {
  checkLayout(layout, text.length);
  const mem = new FlatMemory();
  mem.load(layout.textStart, text);
  if (text.length % 2 && layout.textEnd < 0x10000) mem.bytes[layout.textEnd] = followingText & 0xff;
  return mem;
}

/** K_SM from a vendor key (`sancus-crypto --gen-sm-key`). */
export function deriveModuleKeyFromVendorKey(vendorKey: Uint8Array, text: Uint8Array, layout: ModuleLayout,
  followingText = 0): Uint8Array {
  checkKey(vendorKey, 'vendor key');
  return new SancusCryptoUnit().moduleKey(textMemory(text, layout, followingText), vendorKey, layout).key;
}

/** K_SM from the node key, as the core derives it when it enables the module. */
export function deriveModuleKey(nodeKey: Uint8Array, vendorId: number, text: Uint8Array, layout: ModuleLayout,
  followingText = 0): Uint8Array {
  return deriveModuleKeyFromVendorKey(deriveVendorKey(nodeKey, vendorId), text, layout, followingText);
}

/** The zero-key identity MAC a caller stores to verify a callee (SM_VERIFY_ADDR; `sancus-crypto --fill-macs`). */
export function identityMac(text: Uint8Array, layout: ModuleLayout, followingText = 0): Uint8Array {
  return deriveModuleKeyFromVendorKey(new Uint8Array(KEY_BYTES), text, layout, followingText);
}
