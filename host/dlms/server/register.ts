import { D, type CosemData } from '../axdr.ts';
import { noSuchAttribute, noSuchMethod, readOnly, type CosemObject } from './object.ts';

// Register (class 3, version 0): 2 value, 3 scaler_unit {scaler integer, unit enum}; method 1 reset.
// Units (Blue Book table): 30 = Wh, 27 = W, 35 = V.

export class RegisterObject implements CosemObject {
  readonly classId = 3;
  readonly version = 0;
  readonly attributeCount = 3;
  readonly methodCount = 1;
  // The value is what the meter measured: never written over the wire (a reset is method 1, a separate right).
  readonly settable: readonly number[] = [];
  readonly invocable: readonly number[] = [1];
  constructor(
    readonly ln: Uint8Array,
    public value: number,
    readonly scaler: number,
    readonly unit: number,
  ) {}

  get(attr: number): CosemData | ReturnType<typeof noSuchAttribute> {
    if (attr === 1) return D.octets(this.ln);
    if (attr === 2) return D.u32(this.value);
    if (attr === 3) return D.struct([D.i8(this.scaler), D.enum(this.unit)]);
    return noSuchAttribute(attr);
  }

  set(attr: number) {
    return attr <= 3 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number, params: CosemData | undefined) {
    if (m !== 1) return noSuchMethod(m);
    void params; // reset(data): the parameter is an integer 0 by convention and carries nothing
    this.value = 0;
    return {};
  }
}
