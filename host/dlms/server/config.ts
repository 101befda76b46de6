import type { DlmsKeys } from '../keys.ts';
import type { Mechanism, Profile } from '../security/hls.ts';
import type { SuiteId } from '../security/suites.ts';
import { SUPPORTED_CONFORMANCE } from '../xdlms.ts';

// What a server instance is: keys, profile, and the associations it offers (client SAP → mechanism, ciphering
// and access rights). The defaults follow ../shared/CLI.md: SAP 16 public, 17 LLS reader, 1 HLS-GMAC management,
// 4 HLS-SHA256, 3 HLS-ECDSA (suites 1/2); the map is data, so a deployment can change it.

export interface AccessRule {
  /** OBIS a.b.c.d.e.f, or '*' for every object not matched earlier. */
  obis: string;
  read?: number[] | 'all';
  write?: number[] | 'all';
  methods?: number[] | 'all';
}

export interface AssociationConfig {
  clientSap: number;
  name: string;
  mechanism: Mechanism;
  /** The AARQ must use the ciphered application context, and every request must be authenticated and encrypted. */
  ciphered: boolean;
  access: AccessRule[];
}

export interface ServerConfig {
  profile: Profile;
  keys: DlmsKeys;
  suite: SuiteId;
  associations: AssociationConfig[];
  /** Hardened: the largest accepted jump of a peer's counter (seed §3.4.2 DoS guard). */
  counterJumpThreshold: number;
  maxPduSize: number;
  conformance: number;
  /** Whose counter the frame-counter object (Data 0.0.43.1.0.255) shows: a client system title, hex. */
  frameCounterClient: string;
  /** Allow MD5/SHA-1 HLS (mechanisms 3/4); off unless asked for, with a warning. */
  legacyMechanisms: boolean;
}

export const SERVER_CONFORMANCE = SUPPORTED_CONFORMANCE;

const PUBLIC_READ: AccessRule[] = [
  { obis: '0.0.40.0.0.255', read: [1, 2, 3, 4, 5, 6, 8] },
  { obis: '0.0.1.0.0.255', read: 'all' },
  { obis: '0.0.43.1.0.255', read: 'all' },
  { obis: '0.0.42.0.0.255', read: 'all' },
  // The security suite is no secret (every ciphered APDU shows it); a client refused for another suite learns which.
  { obis: '0.0.43.0.0.255', read: [1, 3] },
  { obis: '1.0.1.8.0.255', read: 'all' },
  { obis: '1.0.2.8.0.255', read: 'all' },
];
const READER: AccessRule[] = [{ obis: '0.0.40.0.0.255', read: [1, 2, 3, 4, 5, 6, 8] }, { obis: '*', read: 'all' }];
const MANAGER: AccessRule[] = [
  { obis: '0.0.40.0.0.255', read: [1, 2, 3, 4, 5, 6, 8], methods: [1] },
  { obis: '*', read: 'all', write: 'all', methods: 'all' },
];

export function defaultAssociations(profile: Profile): AssociationConfig[] {
  const hardened = profile === 'hardened';
  return [
    { clientSap: 16, name: 'public', mechanism: 'none', ciphered: false, access: PUBLIC_READ },
    { clientSap: 17, name: 'reader-lls', mechanism: 'lls', ciphered: false, access: READER },
    { clientSap: 1, name: 'management-gmac', mechanism: 'hls-gmac', ciphered: true, access: MANAGER },
    // The Green Book allows mechanism 6 without ciphering and mainstream clients use it so; hardened requires it.
    { clientSap: 4, name: 'management-sha256', mechanism: 'hls-sha256', ciphered: hardened, access: MANAGER },
    { clientSap: 3, name: 'management-ecdsa', mechanism: 'hls-ecdsa', ciphered: true, access: MANAGER },
  ];
}

/** Associations for the legacy mechanisms 3 (MD5) and 4 (SHA-1): offered only when explicitly asked for. */
export function legacyAssociations(): AssociationConfig[] {
  return [
    { clientSap: 5, name: 'legacy-md5', mechanism: 'hls-md5', ciphered: false, access: READER },
    { clientSap: 6, name: 'legacy-sha1', mechanism: 'hls-sha1', ciphered: false, access: READER },
  ];
}

export function defaultServerConfig(keys: DlmsKeys, profile: Profile = 'hardened', suite: SuiteId = 0, legacy = false): ServerConfig {
  return {
    profile,
    keys,
    suite,
    associations: legacy ? [...defaultAssociations(profile), ...legacyAssociations()] : defaultAssociations(profile),
    counterJumpThreshold: 1_000_000,
    maxPduSize: 1024,
    conformance: SERVER_CONFORMANCE,
    frameCounterClient: Buffer.from(keys.clientSystemTitle).toString('hex'),
    legacyMechanisms: legacy,
  };
}

/** Client SAP a client uses by default for a mechanism (same map as the server defaults). */
export const DEFAULT_CLIENT_SAP: Record<Mechanism, number> = {
  none: 16,
  lls: 17,
  'hls-gmac': 1,
  'hls-sha256': 4,
  'hls-ecdsa': 3,
  'hls-md5': 5,
  'hls-sha1': 6,
};
