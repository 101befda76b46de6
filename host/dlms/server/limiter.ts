import { D, type CosemData } from '../axdr.ts';
import { noSuchAttribute, noSuchMethod, readOnly, typeMismatch, type CosemObject } from './object.ts';

// Limiter (class 71, version 0): 2 monitored_value, 3 threshold_active, 4 threshold_normal, 5 threshold_emergency,
// 6 min_over_threshold_duration, 7 min_under_threshold_duration, 8 emergency_profile, 9 emergency_profile_group_id_list,
// 10 emergency_profile_active, 11 actions. The reference server stores and serves the configuration; it does not
// run the supervision loop (there is no live load in the model).

export class LimiterObject implements CosemObject {
  readonly classId = 71;
  readonly version = 0;
  readonly attributeCount = 11;
  readonly methodCount = 0;
  readonly settable: readonly number[] = [4, 5, 6, 7];
  readonly invocable: readonly number[] = [];
  private thresholds = { normal: 10_000, emergency: 4_000 };
  private minOver = 60;
  private minUnder = 60;
  private emergencyActive = false;

  constructor(
    readonly ln: Uint8Array,
    private readonly monitored: { classId: number; ln: Uint8Array; attr: number },
    private readonly disconnectScript: Uint8Array,
  ) {}

  get(attr: number): CosemData | ReturnType<typeof noSuchAttribute> {
    switch (attr) {
      case 1:
        return D.octets(this.ln);
      case 2:
        return D.struct([D.u16(this.monitored.classId), D.octets(this.monitored.ln), D.i8(this.monitored.attr)]);
      case 3:
        return D.u32(this.emergencyActive ? this.thresholds.emergency : this.thresholds.normal);
      case 4:
        return D.u32(this.thresholds.normal);
      case 5:
        return D.u32(this.thresholds.emergency);
      case 6:
        return D.u32(this.minOver);
      case 7:
        return D.u32(this.minUnder);
      case 8:
        return D.struct([D.u16(0), D.octets(new Uint8Array(12).fill(0xff)), D.u32(0)]);
      case 9:
        return D.arr([]);
      case 10:
        return D.bool(this.emergencyActive);
      case 11:
        return D.struct([D.struct([D.octets(this.disconnectScript), D.u16(1)]), D.struct([D.octets(this.disconnectScript), D.u16(2)])]);
      default:
        return noSuchAttribute(attr);
    }
  }

  set(attr: number, v: CosemData) {
    const u32 = (f: (n: number) => void) => {
      if (v.type !== 'double-long-unsigned') return typeMismatch(`attribute ${attr} is double-long-unsigned`);
      f(v.value);
      return undefined;
    };
    if (attr === 4) return u32((n) => (this.thresholds.normal = n));
    if (attr === 5) return u32((n) => (this.thresholds.emergency = n));
    if (attr === 6) return u32((n) => (this.minOver = n));
    if (attr === 7) return u32((n) => (this.minUnder = n));
    return attr <= 11 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number) {
    return noSuchMethod(m);
  }
}
