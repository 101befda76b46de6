import { D, type CosemData } from '../axdr.ts';
import { noSuchAttribute, noSuchMethod, readOnly, typeMismatch, type CosemObject } from './object.ts';

// Data (class 1, version 0): attribute 2 `value`. The value may be computed (e.g. the frame counter).

export class DataObject implements CosemObject {
  readonly classId = 1;
  readonly version = 0;
  readonly attributeCount = 2;
  readonly methodCount = 0;
  readonly invocable: readonly number[] = [];
  get settable(): readonly number[] {
    return this.writable && typeof this.value !== 'function' ? [2] : [];
  }
  constructor(
    readonly ln: Uint8Array,
    private value: CosemData | (() => CosemData),
    private readonly writable = true,
  ) {}

  get(attr: number) {
    if (attr === 1) return D.octets(this.ln);
    if (attr === 2) return typeof this.value === 'function' ? this.value() : this.value;
    return noSuchAttribute(attr);
  }

  set(attr: number, v: CosemData) {
    if (attr !== 2) return attr === 1 ? readOnly(1) : noSuchAttribute(attr);
    if (!this.writable || typeof this.value === 'function') return readOnly(2);
    if (v.type !== this.value.type) return typeMismatch(`value must be ${this.value.type}`);
    this.value = v;
    return undefined;
  }

  action(m: number) {
    return noSuchMethod(m);
  }
}
