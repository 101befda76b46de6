import { D, type CosemData } from '../axdr.ts';
import { decodeDateTime, encodeDateTime } from '../datetime.ts';
import { noSuchAttribute, noSuchMethod, readOnly, typeMismatch, type CosemContext, type CosemObject } from './object.ts';

// Clock (class 8, version 0): 2 time, 3 time_zone, 4 status, 5 daylight_savings_begin, 6 …_end,
// 7 …_deviation, 8 …_enabled, 9 clock_base. Time is kept as an offset from the host clock, so setting it
// never touches the machine's time. Methods (adjust_to_quarter …) are answered "not implemented".

export class ClockObject implements CosemObject {
  readonly classId = 8;
  readonly version = 0;
  readonly attributeCount = 9;
  readonly methodCount = 6;
  readonly settable: readonly number[] = [2, 3, 8];
  readonly invocable: readonly number[] = [];
  private offsetMs = 0;
  private timeZone = 0;
  private dstEnabled = false;
  constructor(readonly ln: Uint8Array) {}

  now(ctx: CosemContext): Date {
    return new Date(ctx.now().getTime() + this.offsetMs);
  }

  get(attr: number, ctx: CosemContext): CosemData | ReturnType<typeof noSuchAttribute> {
    const unspecified = new Uint8Array(12).fill(0xff);
    switch (attr) {
      case 1:
        return D.octets(this.ln);
      case 2:
        return D.octets(encodeDateTime(this.now(ctx), this.timeZone));
      case 3:
        return D.i16(this.timeZone);
      case 4:
        return D.u8(0);
      case 5:
      case 6:
        return D.octets(unspecified);
      case 7:
        return D.i8(60);
      case 8:
        return D.bool(this.dstEnabled);
      case 9:
        return D.enum(1); // internal crystal
      default:
        return noSuchAttribute(attr);
    }
  }

  set(attr: number, v: CosemData, ctx: CosemContext) {
    if (attr === 2) {
      const b = v.type === 'octet-string' || v.type === 'date-time' ? v.value : undefined;
      const t = b && decodeDateTime(b);
      if (!t) return typeMismatch('time must be a fully specified date-time octet-string');
      this.offsetMs = t.getTime() - ctx.now().getTime();
      return undefined;
    }
    if (attr === 3) {
      if (v.type !== 'long') return typeMismatch('time_zone must be long');
      this.timeZone = v.value;
      return undefined;
    }
    if (attr === 8) {
      if (v.type !== 'boolean') return typeMismatch('daylight_savings_enabled must be boolean');
      this.dstEnabled = v.value;
      return undefined;
    }
    return attr <= 9 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number) {
    return noSuchMethod(m);
  }
}
