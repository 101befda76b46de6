import { D, type CosemData } from '../axdr.ts';
import { AccessFault, FAULT, noSuchAttribute, noSuchMethod, readOnly, typeMismatch, type CosemObject } from './object.ts';

// Disconnect control (class 70, version 0): 2 output_state (boolean), 3 control_state (0 disconnected,
// 1 connected, 2 ready_for_reconnection), 4 control_mode (0–6); methods 1 remote_disconnect, 2 remote_reconnect.
// Blue Book state machine, remote transitions only: mode 0 allows none; remote_reconnect goes straight to
// connected in modes 1, 3, 5 and to ready_for_reconnection (the customer must press the button) in 2, 4, 6.

export class DisconnectControlObject implements CosemObject {
  readonly classId = 70;
  readonly version = 0;
  readonly attributeCount = 4;
  readonly methodCount = 2;
  readonly settable: readonly number[] = [4];
  readonly invocable: readonly number[] = [1, 2];
  state = 1;
  constructor(
    readonly ln: Uint8Array,
    public mode = 4,
  ) {}

  get(attr: number): CosemData | AccessFault {
    if (attr === 1) return D.octets(this.ln);
    if (attr === 2) return D.bool(this.state === 1);
    if (attr === 3) return D.enum(this.state);
    if (attr === 4) return D.enum(this.mode);
    return noSuchAttribute(attr);
  }

  set(attr: number, v: CosemData) {
    if (attr === 4) {
      if (v.type !== 'enum' || v.value > 6) return typeMismatch('control_mode is enum 0..6');
      this.mode = v.value;
      return undefined;
    }
    return attr <= 3 ? readOnly(attr) : noSuchAttribute(attr);
  }

  action(m: number, params: CosemData | undefined) {
    if (m !== 1 && m !== 2) return noSuchMethod(m);
    if (params && params.type !== 'integer') return typeMismatch('remote_disconnect/reconnect take integer 0');
    if (this.mode === 0) return new AccessFault(FAULT.readWriteDenied, 'control_mode 0: remote control is disabled');
    if (m === 1) this.state = 0;
    else if (this.state === 0) this.state = this.mode % 2 === 0 ? 2 : 1;
    return {};
  }
}
