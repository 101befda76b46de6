import { D, type CosemData } from '../axdr.ts';
import { AccessFault, FAULT, noSuchAttribute, noSuchMethod, readOnly, type CosemObject } from './object.ts';
import type { Rights } from './access.ts';

// Association LN (class 15, version 2) for the current association (0.0.40.0.0.255): 2 object_list (only what
// this association may see, with its access rights), 3 associated_partners_id, 5 xDLMS_context_info,
// 6 authentication_mechanism_name, 8 association_status; method 1 reply_to_HLS_authentication (passes 3/4).

export interface AssociationView {
  clientSap: number;
  serverSap: number;
  mechanismId: number;
  contextId: number;
  conformance: number;
  maxReceivePdu: number;
  maxSendPdu: number;
  status(): number; // 0 non-associated, 1 association-pending, 2 associated
  visibleObjects(): { obj: CosemObject; rights: Rights }[];
  replyToHls(response: Uint8Array): Uint8Array | AccessFault;
}

const OID = (arc: number, id: number) => Uint8Array.of(0x60, 0x85, 0x74, 0x05, 0x08, arc, id);

export class AssociationLnObject implements CosemObject {
  readonly classId = 15;
  readonly version = 2;
  readonly attributeCount = 11;
  readonly methodCount = 2;
  readonly settable: readonly number[] = [];
  // change_HLS_secret (2) is refused by design: keys change through Security setup key_transfer.
  readonly invocable: readonly number[] = [1];
  constructor(
    readonly ln: Uint8Array,
    private readonly view: AssociationView,
  ) {}

  objectList(): CosemData {
    return D.arr(
      this.view.visibleObjects().map(({ obj, rights }) =>
        D.struct([
          D.u16(obj.classId),
          D.u8(obj.version),
          D.octets(obj.ln),
          D.struct([
            D.arr(rights.attributes.map((mode, i) => D.struct([D.i8(i + 1), D.enum(mode), D.null()]))),
            D.arr(rights.methods.map((mode, i) => D.struct([D.i8(i + 1), D.enum(mode)]))),
          ]),
        ]),
      ),
    );
  }

  get(attr: number): CosemData | AccessFault {
    const v = this.view;
    switch (attr) {
      case 1:
        return D.octets(this.ln);
      case 2:
        return this.objectList();
      case 3:
        return D.struct([D.i8(v.clientSap), D.u16(v.serverSap)]);
      case 4:
        return D.octets(OID(1, v.contextId));
      case 5: {
        const bits = v.conformance.toString(2).padStart(24, '0');
        return D.struct([
          { type: 'bit-string', value: bits },
          D.u16(v.maxReceivePdu),
          D.u16(v.maxSendPdu),
          D.u8(6),
          D.i8(0),
          D.octets(new Uint8Array(0)),
        ]);
      }
      case 6:
        return D.octets(OID(2, v.mechanismId));
      case 7:
        return new AccessFault(FAULT.readWriteDenied, 'the secret is write-only');
      case 8:
        return D.enum(v.status());
      case 9:
        return D.octets(Uint8Array.of(0, 0, 43, 0, 0, 255));
      case 10:
        return D.arr([]);
      case 11:
        return D.arr([]);
      default:
        return noSuchAttribute(attr);
    }
  }

  set(attr: number) {
    return attr <= 11 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number, params: CosemData | undefined) {
    if (m === 1) {
      if (!params || params.type !== 'octet-string') return new AccessFault(FAULT.typeUnmatched, 'reply_to_HLS_authentication takes an octet-string');
      const r = this.view.replyToHls(params.value);
      return r instanceof AccessFault ? r : { data: D.octets(r) };
    }
    if (m === 2) return new AccessFault(FAULT.readWriteDenied, 'change_HLS_secret is not offered: use key_transfer on Security setup');
    return noSuchMethod(m);
  }
}
