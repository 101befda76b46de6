// Kept for importers outside test/firmware (test/dc): the meter's PRF is no longer Speck64/128 but the Sancus
// crypto unit's wrap tag (firmware/lib/prf.ts); its host oracle is prf-oracle.ts.
export { prf } from './prf-oracle.ts';
