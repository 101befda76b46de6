// The meter's COSEM objects (Blue Book, IEC 62056-6-2) and who may do what with them: ONE table, read both by the
// object list (Association LN attribute 2, what each association is told) and by the GET/SET/ACTION checks (what
// it may do), so advertised rights are the enforced rights (as host/dlms's test/dlms/access.test.ts demands of the
// reference server).
//
// Values come from the modules that own them, over their sealed connections to the hosting module (CS security),
// which hands them in through entry points (dlms_set_*, dlms_log_entry): the meter core's registers, the clock
// module's time, the logs module's entries (the profiles, profile.ts: asked for when a GET needs them) and, from the
// off-switch log's copies, the supply state. Requests go the other way as pending requests the hosting module collects (dlms_take_*): the DLMS layer
// asks, the owning module decides (seed §4.5: only off-switch security decides about the supply).
import { copyBytes, sameBytes, v16, v32, v8, vcopy, vN } from './io';
import { rom_u8 } from '../../../toolchain/compiler/lib/hasm';
import { dateTime, encodeProfile, profileScan, profileSelect } from './profile';

export const KIND_PUBLIC: u32 = 0; // client SAP 16, no authentication
export const KIND_READER: u32 = 1; // client SAP 17, LLS
export const KIND_MANAGER: u32 = 2; // client SAP 1, HLS-GMAC, ciphered

export const OBJ_ASSOCIATION: u32 = 0;
export const OBJ_CLOCK: u32 = 1;
export const OBJ_ENERGY: u32 = 2; // total, then tariffs 1–4
export const OBJ_FRAME_COUNTER: u32 = 7;
export const OBJ_DISCONNECT: u32 = 8;
export const OBJ_SECURITY: u32 = 9;
export const OBJ_PROFILE: u32 = 10; // load profile, security event log, off-switch event log (profile.ts)
export const OBJECTS: u32 = 13;
const ENTRY: u32 = 20;

// Per object (20 bytes): class id, version, logical name (6), attribute count, method count, then for each kind
// (public, reader, manager): readable attributes (bit a-1), writable attributes, invocable methods (bit m-1).
// Only attributes this server implements are readable: an attribute it cannot produce is never advertised.
// In the module's text (flash), not RAM: @lazy puts it in the ROM tail, read only through hasm.rom_u8 by `entry`
// (toolchain/compiler/README.md "Read-only tables"; issue 19's RAM goal: 260 B).
// prettier-ignore
@lazy const TABLE = memory.data<u8>([
  // Association LN (class 15 v1): 1 logical_name, 2 object_list, 8 association_status; method 1 reply_to_HLS
  15, 1, 0, 0, 40, 0, 0, 255, 8, 4,   0x83, 0, 0,   0x83, 0, 0,   0x83, 0, 1,   0,
  // Clock (class 8 v0): 1 logical_name, 2 time, 3 time_zone, 4 status; the manager may set the time
  8, 0, 0, 0, 1, 0, 0, 255, 9, 6,     0x0f, 0, 0,   0x0f, 0, 0,   0x0f, 2, 0,   0,
  // Registers, active energy import total and per tariff 1–4 (class 3 v0): 1 logical_name, 2 value, 3 scaler_unit
  3, 0, 1, 0, 1, 8, 0, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  3, 0, 1, 0, 1, 8, 1, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  3, 0, 1, 0, 1, 8, 2, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  3, 0, 1, 0, 1, 8, 3, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  3, 0, 1, 0, 1, 8, 4, 255, 3, 1,     0x07, 0, 0,   0x07, 0, 0,   0x07, 0, 0,   0,
  // Data, invocation counter of the head-end (class 1 v0): 1 logical_name, 2 value
  1, 0, 0, 0, 43, 1, 0, 255, 2, 0,    0x03, 0, 0,   0x03, 0, 0,   0x03, 0, 0,   0,
  // Disconnect control (class 70 v0): 1 logical_name, 2 output_state, 3 control_state, 4 control_mode;
  // methods 1 remote_disconnect, 2 remote_reconnect — the manager only
  70, 0, 0, 0, 96, 3, 10, 255, 4, 2,  0x00, 0, 0,   0x0f, 0, 0,   0x0f, 0, 3,   0,
  // Security setup (class 64 v1): 1 logical_name, 2 security_policy, 3 security_suite, 4 client_system_title,
  // 5 server_system_title (6 certificates, methods 1–8: not offered)
  64, 1, 0, 0, 43, 0, 0, 255, 6, 8,   0x1f, 0, 0,   0x1f, 0, 0,   0x1f, 0, 0,   0,
  // Profile generic (class 7 v1, profile.ts): 1, 2 buffer, 3 capture_objects, 4 capture_period, 5 sort_method,
  // 7 entries_in_use, 8 profile_entries. Consumption is personal data (seed ch. 5): not for the public client;
  // the security event log for the manager only.
  7, 1, 1, 0, 99, 1, 0, 255, 8, 2,    0x01, 0, 0,   0xdf, 0, 0,   0xdf, 0, 0,   0,
  7, 1, 0, 0, 99, 98, 0, 255, 8, 2,   0x01, 0, 0,   0x01, 0, 0,   0xdf, 0, 0,   0,
  7, 1, 0, 0, 99, 98, 2, 255, 8, 2,   0x01, 0, 0,   0xdf, 0, 0,   0xdf, 0, 0,   0,
]);

// Small values in 8-bit memory cells, not u32 globals (io.ts says why: a global is two words of unknown range to our
// compiler); ahead of the zero-filled buffers, for their non-zero initial values (tables.ts). Initially connected (output 1, control 1) in Blue Book mode 4: what off-switch security does — remote disconnect,
// local disconnect (credit, tamper), no manual disconnect; a remote reconnect only arms (ready_for_reconnection),
// the button reconnects.
const VALS = memory.data<u8>([1, 1, 4, 0, 0, 0, 0, 0]);
const V_OUTPUT: usize = VALS; // output_state
const V_CONTROL: usize = VALS + 1; // control_state: 0 disconnected, 1 connected, 2 ready for reconnection
const V_MODE: usize = VALS + 2; // control_mode
const V_CLOCK_STATUS: usize = VALS + 3;
const V_ASSOCIATION: usize = VALS + 4; // association_status of the association asking
const V_DISCONNECT: usize = VALS + 5; // a pending request: 0 none, 1 remote_disconnect, 2 remote_reconnect
const V_TIME: usize = VALS + 6; // 1: a time to set is pending (PENDING_TIME)
const V_MISMATCH: usize = VALS + 7; // findObject: a known name of another class

/** Object o's entry of TABLE, copied to RAM where the code reads it: one rom_u8 loop, the readers' plain loads at
 *  constant addresses (smaller than a checked rom read at each use, within the code budget; 20 B of RAM). */
const ENT: usize = memory.data(ENTRY);
function entry(o: u32): void {
  const t = TABLE + (o & 15) * ENTRY; // (o < OBJECTS: the mask changes nothing but bounds the address)
  for (let i: u32 = 0; i < ENTRY; i++) store<u8>(ENT + i, rom_u8(t + i));
}
/** The rights byte `which` (0 read, 1 write, 2 invoke) of association `kind` on object `o`: bit id − 1. */
function rights(o: u32, kind: u32, which: u32): u32 {
  entry(o);
  return <u32>load<u8>(ENT + 10 + kind * 3 + which);
}
/** Right `which` (0 read, 1 write, 2 invoke) of association `kind` on attribute or method `id` of object `o`: one
 *  function for the three (our compiler pays each copy in full; issue 19 item 5). */
export function allowed(o: u32, kind: u32, which: u32, id: u32): bool {
  if (id - 1 >= 8) return false;
  let bits = rights(o, kind, which);
  // bit id - 1, shifted one place at a time: a variable shift is a 114-byte helper to our compiler
  for (let i: u32 = 1; i < id; i++) bits >>= 1;
  return (bits & 1) != 0;
}

/** The object with this class id and logical name, or OBJECTS; `classMismatch` tells a known name of another class. */
export function classMismatch(): bool {
  return load<u8>(V_MISMATCH) != 0;
}
export function findObject(classId: u32, ln: usize): u32 {
  store<u8>(V_MISMATCH, 0);
  for (let o: u32 = 0; o < OBJECTS; o++) {
    entry(o);
    if (sameBytes(ENT + 2, ln, 6)) { // (public bytes: an early exit is fine)
      if (<u32>load<u8>(ENT) == classId) return o;
      store<u8>(V_MISMATCH, 1);
    }
  }
  return OBJECTS;
}

// ---- values (set by the hosting module) ----
const ENERGY: usize = memory.data(20, 4); // Wh: total, tariffs 1–4 (the core's registers)
/** System titles, shared with the server (server.ts): ours 8, then the peers' (the configured head-end first). */
export const TITLES: usize = memory.data(24);
let clockSeconds: u32 = 0; // UTC, seconds since 1970-01-01
let frameCounter: u32 = 0;

export function setEnergy(wh: u32): void {
  store<u32>(ENERGY, wh);
}
/** The core's registers (its CMD_READ reply from offset 8): total, then tariffs 1–4, Wh, u32 little-endian. */
export function dlms_set_registers(p: usize): void {
  copyBytes(ENERGY, p, 20);
}
/**
 * Disconnect control's state from an entry of the off-switch log the logs module copied to the hosting module as it
 * appended it ([log u8][found u8][index u16][seq u32][entry 12 B]; firmware/offswitch: aux = holds << 8 | pending,
 * value = relay closed) — closed: connected; open with nothing holding it: ready for reconnection (the button closes
 * it); else disconnected.
 */
export function supplyState(p: usize): void {
  // (bytes: the address's parity is unknown to our compiler here, a word load would branch on it)
  const closed = (<u32>load<u8>(p, 16) | <u32>load<u8>(p, 17) | <u32>load<u8>(p, 18) | <u32>load<u8>(p, 19)) != 0;
  store<u8>(V_OUTPUT, closed ? 1 : 0);
  store<u8>(V_CONTROL, closed ? 1 : load<u8>(p, 15) == 0 ? 2 : 0);
}
export function setClock(seconds: u32, status: u32): void {
  clockSeconds = seconds;
  store<u8>(V_CLOCK_STATUS, <u8>status);
}
export function setDisconnectState(output: u32, control: u32, mode: u32): void {
  store<u8>(V_OUTPUT, <u8>output);
  store<u8>(V_CONTROL, <u8>control);
  store<u8>(V_MODE, <u8>mode);
}
/** Per request: the head-end's invocation counter and this association's status (0 non-associated, 1 pending, 2 associated). */
export function setSessionValues(fc: u32, status: u32): void {
  frameCounter = fc;
  store<u8>(V_ASSOCIATION, <u8>status);
}

// ---- requests (collected by the hosting module) ----
export const PENDING_TIME: usize = memory.data(12);

export function requestDisconnect(method: u32): void {
  store<u8>(V_DISCONNECT, <u8>method);
}
export function takeDisconnect(): u32 {
  const m = <u32>load<u8>(V_DISCONNECT);
  store<u8>(V_DISCONNECT, 0);
  return m;
}
export function requestTime(): void {
  store<u8>(V_TIME, 1);
}
export function takeTime(): bool {
  const t = load<u8>(V_TIME) != 0;
  store<u8>(V_TIME, 0);
  return t;
}

function logicalName(o: u32): void {
  v16(0x0906); // octet-string of 6 (fixed bytes are written as one value: one call, not one per byte)
  entry(o);
  vcopy(ENT + 2, 6);
}

/** The object list for an association of `kind`: every object with its rights from TABLE (Blue Book class 15 v1). */
function objectList(kind: u32): void {
  // (every count here is below 128: one-byte A-XDR lengths; class ids below 256)
  v16(0x0100 | OBJECTS);
  for (let o: u32 = 0; o < OBJECTS; o++) {
    v32(0x02041200); // structure { class_id (long-unsigned, high byte 0), version, logical_name, access_rights }
    entry(o); // (ENT: object o's entry from here on: logicalName and rights copy the same)
    vN((<u32>load<u8>(ENT) << 16) | 0x1100 | <u32>load<u8>(ENT, 1), 3);
    logicalName(o);
    const na = <u32>load<u8>(ENT, 8), nm = <u32>load<u8>(ENT, 9);
    v32(0x02020100 | na); // access_rights { attribute_access: array of na, method_access }
    // the rights bytes read once per object and shifted along (the same bits allowed() tests)
    let rd = rights(o, kind, 0);
    let wr = rights(o, kind, 1);
    for (let a: u32 = 1; a <= na; a++) {
      v32(0x02030f00 | a); // { attribute_id, access_mode, access_selectors (null) }
      vN(0x160000 | (((rd & 1) | ((wr & 1) << 1)) << 8), 3);
      rd >>= 1;
      wr >>= 1;
    }
    v16(0x0100 | nm);
    let inv = rights(o, kind, 2);
    for (let m: u32 = 1; m <= nm; m++) {
      v32(0x02020f00 | m); // { method_id, access_mode }
      v16(0x1600 | (inv & 1));
      inv >>= 1;
    }
  }
}

/** GET's access selection (the reader at the selector when sel is 1): defined on a profile's buffer only
 *  (profile.ts); elsewhere scope-of-access-violated, as host/dlms's reference server answers. */
export function selectAccess(o: u32, attr: u32, sel: u32): u32 {
  if (o >= OBJ_PROFILE && attr == 2) return profileSelect(o - OBJ_PROFILE, sel);
  return sel != 0 ? 13 : 0;
}

/** False while the selection of a GET of `attr` of `o` waits for rows from the logs module (profile.ts profileScan). */
export function selectReady(o: u32, attr: u32): bool {
  return o < OBJ_PROFILE || attr != 2 || profileScan(o - OBJ_PROFILE);
}

/** Encodes attribute `attr` of object `o` as A-XDR Data through the windowed writer; the caller checked the right. */
export function encodeAttribute(o: u32, attr: u32, kind: u32): void {
  if (attr == 1) {
    logicalName(o);
    return;
  }
  if (o == OBJ_ASSOCIATION) {
    if (attr == 2) objectList(kind);
    else v16(0x1600 | <u32>load<u8>(V_ASSOCIATION));
  } else if (o == OBJ_CLOCK) {
    if (attr == 2) dateTime(clockSeconds, <u32>load<u8>(V_CLOCK_STATUS));
    else if (attr == 3) vN(0x100000, 3); // time_zone: UTC
    else v16(0x1100 | <u32>load<u8>(V_CLOCK_STATUS));
  } else if (o >= OBJ_PROFILE) {
    encodeProfile(o - OBJ_PROFILE, attr);
  } else if (o == OBJ_SECURITY) {
    // policy 3 (authenticated and encrypted), suite 0 — as host/dlms's reference server; the titles
    if (attr <= 3) v16(attr == 2 ? 0x1603 : 0x1600);
    else { v16(0x0908); vcopy(attr == 4 ? TITLES + 8 : TITLES, 8); }
  } else if (o < OBJ_FRAME_COUNTER) {
    if (attr == 2) { v8(0x06); v32(load<u32>(ENERGY + ((o - OBJ_ENERGY) << 2))); }
    else { v32(0x02020f00); v16(0x161e); } // scaler 0, unit 30 = Wh
  } else if (o == OBJ_FRAME_COUNTER) {
    v8(0x06); v32(frameCounter);
  } else {
    // output_state boolean, control_state and control_mode enums: attributes 2–4 are cells 0–2
    v16((attr == 2 ? 0x0300 : 0x1600) | <u32>load<u8>(VALS + ((attr - 2) & 3)));
  }
}
