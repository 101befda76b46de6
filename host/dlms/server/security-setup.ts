import { D, type CosemData } from '../axdr.ts';
import { unwrapKey } from '../security/keywrap.ts';
import { DlmsSecurityError } from '../errors.ts';
import { AccessFault, FAULT, noSuchAttribute, noSuchMethod, readOnly, typeMismatch, type CosemObject } from './object.ts';

// Security setup (class 64, version 1): 2 security_policy, 3 security_suite, 4 client_system_title,
// 5 server_system_title; method 2 key_transfer — an array of {key_id enum, key_wrapped octet-string}, each key
// wrapped with the KEK by AES key wrap (RFC 3394). key_id: 0 global unicast encryption key, 1 global broadcast
// key, 2 authentication key, 3 master key (KEK). New keys take effect after the response is sent, so the response
// itself is still protected with the keys the client used.

export type KeyName = 'guek' | 'gbek' | 'gak' | 'kek';
const KEY_IDS: KeyName[] = ['guek', 'gbek', 'gak', 'kek'];

export interface SecuritySetupHooks {
  policy(): number;
  suite(): number;
  clientTitle(): Uint8Array;
  serverTitle(): Uint8Array;
  kek(): Uint8Array;
  keyBytes(): number;
  /** Queue key changes for after the response. */
  scheduleKeyChange(keys: { name: KeyName; key: Uint8Array }[]): void;
}

export class SecuritySetupObject implements CosemObject {
  readonly classId = 64;
  readonly version = 1;
  readonly attributeCount = 6;
  readonly methodCount = 8;
  readonly settable: readonly number[] = [];
  readonly invocable: readonly number[] = [2];
  constructor(
    readonly ln: Uint8Array,
    private readonly hooks: SecuritySetupHooks,
  ) {}

  get(attr: number): CosemData | AccessFault {
    switch (attr) {
      case 1:
        return D.octets(this.ln);
      case 2:
        return D.enum(this.hooks.policy());
      case 3:
        return D.enum(this.hooks.suite());
      case 4:
        return D.octets(this.hooks.clientTitle());
      case 5:
        return D.octets(this.hooks.serverTitle());
      case 6:
        return D.arr([]);
      default:
        return noSuchAttribute(attr);
    }
  }

  set(attr: number) {
    return attr <= 6 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number, params: CosemData | undefined) {
    if (m !== 2) return m >= 1 && m <= 8 ? new AccessFault(FAULT.otherReason, `not implemented: Security setup method ${m}`) : noSuchMethod(m);
    if (!params || params.type !== 'array' || params.value.length === 0) return typeMismatch('key_transfer takes a non-empty array of key_data');
    const changes: { name: KeyName; key: Uint8Array }[] = [];
    for (const item of params.value) {
      if (item.type !== 'structure' || item.value.length !== 2) return typeMismatch('key_data is {key_id, key_wrapped}');
      const [id, wrapped] = item.value;
      if (id?.type !== 'enum' || wrapped?.type !== 'octet-string') return typeMismatch('key_data is {enum, octet-string}');
      const name = KEY_IDS[id.value];
      if (!name) return typeMismatch(`unknown key_id ${id.value}`);
      let key: Uint8Array;
      try {
        key = unwrapKey(this.hooks.kek(), wrapped.value);
      } catch (e) {
        if (e instanceof DlmsSecurityError) return new AccessFault(FAULT.otherReason, e.message);
        throw e;
      }
      if (key.length !== this.hooks.keyBytes()) return typeMismatch(`key must be ${this.hooks.keyBytes()} bytes for this suite`);
      changes.push({ name, key });
    }
    this.hooks.scheduleKeyChange(changes);
    return {};
  }
}
