// The Sancus crypto API the emulator, linker and deployer use. Hardware semantics throughout (see spongewrap.ts);
// the C-library variants are in spongewrap-library.ts for talking to tools built on libspongent.
export { spongentPermute, permuteWords, SPONGENT_BITS, SPONGENT_BYTES } from './spongent.ts';
export { wrap, unwrap, mac, type WrapOptions, type Wrapped, type Semantics } from './spongewrap.ts';
export { libraryWrap, libraryUnwrap, libraryMac } from './spongewrap-library.ts';
export { constantTimeEqual } from '../common/constant-time.ts';
export {
  deriveVendorKey,
  deriveModuleKey,
  deriveModuleKeyFromVendorKey,
  identityMac,
  type ModuleLayout,
} from './keys.ts';
export { SancusCryptoUnit, FlatMemory, readKeyFromMemory, type WordMemory, type CryptoResult } from './crypto-unit.ts';
export * from './cycles.ts';
export { KEY_BYTES, TAG_BYTES, DEFAULT_NODE_KEY } from './params.ts';
