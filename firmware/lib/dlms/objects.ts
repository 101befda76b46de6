// The meter's COSEM objects (Blue Book, IEC 62056-6-2) and who may do what with them: ONE table, read both by the
// object list (Association LN attribute 2, what each association is told) and by the GET/SET/ACTION checks (what
// it may do), so advertised rights are the enforced rights (as host/dlms's test/dlms/access.test.ts demands of the
// reference server).
//
// Values come from the modules that own them, through entry points of the hosting module (dlms_set_*): the
// meter core's energy, the clock module's time, the off-switch module's relay state. Requests go the other way
// as pending requests the hosting module collects (dlms_take_*): the DLMS layer asks, the owning module decides
// (seed §4.5: only off-switch security decides about the supply).
import { v8, v16, v32, vcopy, vlen } from './io';

export const KIND_PUBLIC: u32 = 0; // client SAP 16, no authentication
export const KIND_READER: u32 = 1; // client SAP 17, LLS
export const KIND_MANAGER: u32 = 2; // client SAP 1, HLS-GMAC, ciphered

export const OBJ_ASSOCIATION: u32 = 0;
export const OBJ_CLOCK: u32 = 1;
export const OBJ_ENERGY: u32 = 2;
export const OBJ_FRAME_COUNTER: u32 = 3;
export const OBJ_DISCONNECT: u32 = 4;
export const OBJECTS: u32 = 5;
const ENTRY: u32 = 20;

// Per object (20 bytes): class id, version, logical name (6), attribute count, method count, then for each kind
// (public, reader, manager): readable attributes (bit a-1), writable attributes, invocable methods (bit m-1).
// Only attributes this server implements are readable: an attribute it cannot produce is never advertised.
// prettier-ignore
const TABLE = memory.data<u8>([
  // Association LN (class 15 v1): 1 logical_name, 2 object_list, 8 association_status; method 1 reply_to_HLS
  15, 1, 0, 0, 40, 0, 0, 255, 8, 4,   0x83, 0, 0,   0x83, 0, 0,   0x83, 0, 1,   0,
  // Clock (class 8 v0): 1 logical_name, 2 time, 3 time_zone, 4 status; the manager may set the time
  8, 0, 0, 0, 1, 0, 0, 255, 9, 6,     0x0f, 0, 0,   0x0f, 0, 0,   0x0f, 2, 0,   0,
  // Register, active energy import total (class 3 v0): 1 logical_name, 2 value, 3 scaler_unit
  3, 0, 1, 0, 1, 8, 0, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  // Data, invocation counter of the head-end (class 1 v0): 1 logical_name, 2 value
  1, 0, 0, 0, 43, 1, 0, 255, 2, 0,    0x03, 0, 0,   0x03, 0, 0,   0x03, 0, 0,   0,
  // Disconnect control (class 70 v0): 1 logical_name, 2 output_state, 3 control_state, 4 control_mode;
  // methods 1 remote_disconnect, 2 remote_reconnect — the manager only
  70, 0, 0, 0, 96, 3, 10, 255, 4, 2,  0x00, 0, 0,   0x0f, 0, 0,   0x0f, 0, 3,   0,
]);

export function objClass(o: u32): u32 {
  return <u32>load<u8>(TABLE + o * ENTRY);
}
export function objName(o: u32): usize {
  return TABLE + o * ENTRY + 2;
}
function right(o: u32, kind: u32, which: u32): u32 {
  return <u32>load<u8>(TABLE + o * ENTRY + 10 + kind * 3 + which);
}
export function canRead(o: u32, kind: u32, attr: u32): bool {
  return attr >= 1 && attr <= 8 && ((right(o, kind, 0) >> (attr - 1)) & 1) != 0;
}
export function canWrite(o: u32, kind: u32, attr: u32): bool {
  return attr >= 1 && attr <= 8 && ((right(o, kind, 1) >> (attr - 1)) & 1) != 0;
}
export function canInvoke(o: u32, kind: u32, method: u32): bool {
  return method >= 1 && method <= 8 && ((right(o, kind, 2) >> (method - 1)) & 1) != 0;
}

/** The object with this class id and logical name, or OBJECTS; `classMismatch` tells a known name of another class. */
let mismatch: bool = false;
export function classMismatch(): bool {
  return mismatch;
}
export function findObject(classId: u32, ln: usize): u32 {
  mismatch = false;
  for (let o: u32 = 0; o < OBJECTS; o++) {
    const n = objName(o);
    let same = true;
    for (let i: u32 = 0; i < 6; i++) if (load<u8>(n + i) != load<u8>(ln + i)) same = false;
    if (same) {
      if (objClass(o) == classId) return o;
      mismatch = true;
    }
  }
  return OBJECTS;
}

// ---- values (set by the hosting module) ----
let energyWh: u32 = 0;
let clockSeconds: u32 = 0; // UTC, seconds since 1970-01-01
let clockStatus: u32 = 0;
let outputState: u32 = 1; // connected
let controlState: u32 = 1; // 0 disconnected, 1 connected, 2 ready for reconnection
let controlMode: u32 = 1;
let frameCounter: u32 = 0;
let associationStatus: u32 = 0;

export function setEnergy(wh: u32): void {
  energyWh = wh;
}
export function setClock(seconds: u32, status: u32): void {
  clockSeconds = seconds;
  clockStatus = status;
}
export function setDisconnectState(output: u32, control: u32, mode: u32): void {
  outputState = output;
  controlState = control;
  controlMode = mode;
}
/** Per request: the head-end's invocation counter and this association's status (0 non-associated, 1 pending, 2 associated). */
export function setSessionValues(fc: u32, status: u32): void {
  frameCounter = fc;
  associationStatus = status;
}

// ---- requests (collected by the hosting module) ----
let pendingDisconnect: u32 = 0; // 0 none, 1 remote_disconnect, 2 remote_reconnect
export const PENDING_TIME: usize = memory.data(12);
let pendingTime: bool = false;

export function requestDisconnect(method: u32): void {
  pendingDisconnect = method;
}
export function takeDisconnect(): u32 {
  const m = pendingDisconnect;
  pendingDisconnect = 0;
  return m;
}
export function requestTime(): void {
  pendingTime = true;
}
export function takeTime(): bool {
  const t = pendingTime;
  pendingTime = false;
  return t;
}

/** COSEM date-time (Blue Book 4.1.6.1, 12 bytes) of `s` seconds since 1970 UTC: deviation 0, hundredths 0. */
function dateTime(s: u32, status: u32): void {
  const days = s / 86400;
  const sod = s - days * 86400;
  // Civil date from days (H. Hinnant's days_from_civil inverse, eras of 400 years; unsigned: dates after 1970)
  const z = days + 719468;
  const era = z / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  // (5·doy + 2) / 153 as a multiply and shift, exact for 5·doy + 2 ≤ 1827: binaryen turns this unsigned division
  // into a signed one (both sides provably non-negative), and the signed helper alone costs 378 bytes of code.
  const mp = ((5 * doy + 2) * 6855) >> 20;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  v8(0x09);
  v8(12);
  v16(y);
  v8(m);
  v8(d);
  v8(((days + 3) % 7) + 1); // 1970-01-01 was a Thursday; DLMS: Monday = 1
  v8(sod / 3600);
  v8((sod / 60) % 60);
  v8(sod % 60);
  v8(0);
  v16(0); // deviation from UTC in minutes
  v8(status);
}

function logicalName(o: u32): void {
  v8(0x09);
  v8(6);
  vcopy(objName(o), 6);
}

/** The object list for an association of `kind`: every object with its rights from TABLE (Blue Book class 15 v1). */
function objectList(kind: u32): void {
  v8(0x01);
  vlen(OBJECTS);
  for (let o: u32 = 0; o < OBJECTS; o++) {
    const e = TABLE + o * ENTRY;
    v8(0x02); v8(4); // structure { class_id, version, logical_name, access_rights }
    v8(0x12); v16(<u32>load<u8>(e));
    v8(0x11); v8(<u32>load<u8>(e, 1));
    logicalName(o);
    v8(0x02); v8(2); // access_rights { attribute_access, method_access }
    const na = <u32>load<u8>(e, 8), nm = <u32>load<u8>(e, 9);
    v8(0x01); vlen(na);
    for (let a: u32 = 1; a <= na; a++) {
      v8(0x02); v8(3); // { attribute_id, access_mode, access_selectors }
      v8(0x0f); v8(a);
      v8(0x16); v8((canRead(o, kind, a) ? 1 : 0) | (canWrite(o, kind, a) ? 2 : 0));
      v8(0x00);
    }
    v8(0x01); vlen(nm);
    for (let m: u32 = 1; m <= nm; m++) {
      v8(0x02); v8(2); // { method_id, access_mode }
      v8(0x0f); v8(m);
      v8(0x16); v8(canInvoke(o, kind, m) ? 1 : 0);
    }
  }
}

/** Encodes attribute `attr` of object `o` as A-XDR Data through the windowed writer; the caller checked the right. */
export function encodeAttribute(o: u32, attr: u32, kind: u32): void {
  if (attr == 1) {
    logicalName(o);
    return;
  }
  if (o == OBJ_ASSOCIATION) {
    if (attr == 2) objectList(kind);
    else { v8(0x16); v8(associationStatus); }
  } else if (o == OBJ_CLOCK) {
    if (attr == 2) dateTime(clockSeconds, clockStatus);
    else if (attr == 3) { v8(0x10); v16(0); } // time_zone: UTC
    else { v8(0x11); v8(clockStatus); }
  } else if (o == OBJ_ENERGY) {
    if (attr == 2) { v8(0x06); v32(energyWh); }
    else { v8(0x02); v8(2); v8(0x0f); v8(0); v8(0x16); v8(30); } // scaler 0, unit 30 = Wh
  } else if (o == OBJ_FRAME_COUNTER) {
    v8(0x06); v32(frameCounter);
  } else {
    if (attr == 2) { v8(0x03); v8(outputState); }
    else if (attr == 3) { v8(0x16); v8(controlState); }
    else { v8(0x16); v8(controlMode); }
  }
}
