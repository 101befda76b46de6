// The meter's DLMS/COSEM server (IEC 62056-5-3 "Green Book" DLMS UA 1000-2; Blue Book 1000-1) in AssemblyScript:
// the TCP wrapper (IEC 62056-47) over a byte stream, AARQ/AARE with LN referencing, authentication none / LLS /
// HLS-GMAC (mechanism 5, security suite 0) in the seed's hardened profile (Table 3.2) or the Green Book's standard
// one, glo- and ded- ciphered APDUs, GET (normal and with blocks), SET, ACTION (normal), exception-response,
// RLRQ/RLRE. It follows host/dlms/server/session.ts (the reference server): same checks, same order, same answers,
// so the same client tests give the same verdicts against both (test/firmware/dlms.test.ts).
//
// One association at a time (the meter has one WAN link); one static receive buffer and one transmit buffer.
import { AARE_AUTH, AARE_HEAD, DLMS_OID, INITIATE_RESPONSE, REPLY_TO_HLS } from './tables'; // first: tables ahead of the zero buffers (tables.ts)
import {
  allowed, classMismatch, encodeAttribute, findObject, KIND_MANAGER, KIND_PUBLIC, KIND_READER,
  OBJ_ASSOCIATION, OBJ_CLOCK, OBJ_DISCONNECT, OBJ_PROFILE, OBJECTS, PENDING_TIME, requestDisconnect, requestTime,
  selectAccess, selectReady, setClock, setDisconnectState, setEnergy, setSessionValues, supplyState, takeDisconnect,
  takeTime, TITLES,
} from './objects';
import { FETCH, KNOWN, profileRefill, profileTake } from './profile';
import { AES_STATE, aes_encrypt } from '../crypto/aes';
import { ct_equal, gcm_aad, gcm_decrypt, gcm_encrypt, gcm_ghash, gcm_key, gcm_start, gcm_tag, gcm_verify } from '../crypto/gcm';
import {
  be32, copyBytes, o16, o32, o8, obegin, oN, ocopy, opos, put32, r16, r32, r8, rbad, rbegin, rfail, rleft, rlen, rpos, rskip,
  sameBytes, vbegin, vfirstRow, vmissAt, vmissed, vsize,
} from './io';

// ---- the values and requests of the objects (objects.ts), as entry points of the hosting module ----
/** Active energy import, total, in Wh (Register 1.0.1.8.0.255; the meter core's register). */
export function dlms_set_energy(wh: u32): void {
  setEnergy(wh);
}
/** The meter time in seconds since 1970-01-01 UTC and the clock status byte (Clock 0.0.1.0.0.255). */
export function dlms_set_clock(seconds: u32, status: u32): void {
  setClock(seconds, status);
}
/** The off-switch module's view (Disconnect control 0.0.96.3.10.255): output_state, control_state, control_mode. */
export function dlms_set_disconnect_state(output: u32, control: u32, mode: u32): void {
  setDisconnectState(output, control, mode);
}
/** A remote_disconnect (1) or remote_reconnect (2) the head-end asked for since the last call, or 0. */
export function dlms_take_disconnect(): u32 {
  return takeDisconnect();
}
/** Where a time the head-end asked to set lies (a 12-byte COSEM date-time), or 0 if none since the last call. */
export function dlms_take_time(): usize {
  return takeTime() ? PENDING_TIME : 0;
}

// ---- sizes ----
/** The largest APDU we receive (advertised as server max-receive-pdu-size in the InitiateResponse). */
export const MAX_PDU: u32 = 224;
const HEAD: u32 = 24; // room before a response APDU for the wrapper header (8) and a ciphered envelope's header (≤ 9)
const RX: usize = memory.data(8 + 224, 2);
const TX: usize = memory.data(24 + 224 + 16, 2);

// ---- the server's small state in 8- and 16-bit memory cells, not globals (io.ts says why: a global is two words
// of unknown range to our compiler, a cell one word whose range is known) ----
const CELLS: usize = memory.data(50, 2);
const C_PASSWORD_LEN: usize = CELLS + 0; // LLS password length (≤ 16)
const C_HARDENED: usize = CELLS + 1; // 1: the hardened profile (seed Table 3.2), 0: standard
const C_PEERS_USED: usize = CELLS + 2; // peer slots in use (the configured head-end is slot 0)
const C_PHASE: usize = CELLS + 3; // 0 none, 1 pending HLS pass 3, 2 associated, 3 failed (gone after this answer)
const C_A_SAP: usize = CELLS + 4; // the association's client SAP
const C_A_KIND: usize = CELLS + 6; // KIND_* of the association
const C_A_MECH: usize = CELLS + 7; // its authentication mechanism
const C_A_CIPHERED: usize = CELLS + 8; // 1: only ciphered requests
const C_A_PEER: usize = CELLS + 9; // the peer slot of its client title
const C_A_MAX_PDU: usize = CELLS + 10; // the smaller of both max PDUs
const C_CTOS_LEN: usize = CELLS + 12; // bytes of the CtoS held
const C_STOC_LEN: usize = CELLS + 13; // bytes of our StoC
const C_STOC_OUTSTANDING: usize = CELLS + 14; // 1: our last challenge, until pass 3 answered it (the reflection check)
const C_HAS_DED: usize = CELLS + 15; // 1: a dedicated key came with the AARQ
const C_KEY_SLOT: usize = CELLS + 16; // which key gcm_key last expanded: 0 GUEK, 1 dedicated, 0xff none
const C_BLK_ACTIVE: usize = CELLS + 17; // GET with blocks: 1 while a value is being sent
const C_BLK_NO: usize = CELLS + 18; // … its last block number (0: none sent yet)
const C_BLK_OBJ: usize = CELLS + 20; // GET (normal or with blocks): the object
const C_BLK_ATTR: usize = CELLS + 21; // … the attribute
const C_BLK_INVOKE: usize = CELLS + 22; // … the invoke-id
const C_IC_OK: usize = CELLS + 23; // 0: no server invocation counter was left (nothing is enciphered)
const C_RX_LEN: usize = CELLS + 24; // bytes in RX
const C_TX_START: usize = CELLS + 26; // where the frame to send starts
const C_HDR_SHIFT: usize = CELLS + 28; // bytes a ciphered envelope's header takes in front of OUT
const C_REQ_CONTEXT: usize = CELLS + 29; // the AARQ parsed: application context
const C_REQ_MECH: usize = CELLS + 30; // … mechanism name
const C_REQ_TITLE: usize = CELLS + 32; // … where the calling title lies (1: present but not 8 bytes)
const C_REQ_AUTH: usize = CELLS + 34; // … where the calling authentication value lies
const C_REQ_AUTH_LEN: usize = CELLS + 36; // … its length
const C_REQ_UI: usize = CELLS + 38; // … where the user-information lies
const C_REQ_UI_LEN: usize = CELLS + 40; // … its length
const C_RQ_OBJ: usize = CELLS + 42; // GET/SET/ACTION (target): the object addressed
const C_RQ_ID: usize = CELLS + 43; // … its attribute or method
const C_RQ_SEL: usize = CELLS + 44; // … GET's access selector, SET's too (0 only), ACTION's parameters flag
const C_PEND: usize = CELLS + 45; // 1: a GET waits for rows from the logs module (answered by dlms_log_entry)
const C_PEND_STYLE: usize = CELLS + 46; // … the request's ciphering (handle's style)
const C_FETCH: usize = CELLS + 47; // 1: FETCH is to be sent (dlms_fetch)
const C_BLK_POS: usize = CELLS + 48; // GET with blocks: where the next block starts in the encoded value

// ---- configuration (dlms_configure) ----
// Layout of the configuration block: GUEK 16, GAK 16, server system title 8, client system title 8,
// LLS password length 1 + 16 bytes.
const KEYS: usize = memory.data(32); // as the configuration block has them: one copy
const GUEK: usize = KEYS;
const GAK: usize = KEYS + 16;
const SERVER_TITLE: usize = TITLES; // objects.ts: security setup shows the titles
const PASSWORD: usize = memory.data(16);
let jumpThreshold: u32 = 1000000;

// ---- peers: system titles and the last invocation counter accepted from each (Green Book §9.2.7.2.4.3) ----
// Hardened (Table 3.2, "pinned titles"): only the configured head-end title is a peer. Standard: the configured one
// and one other title, first come; a third is refused rather than forgetting a counter (which would allow replays).
const PEERS: u32 = 2;
const PEER_TITLE: usize = TITLES + 8;
const PEER_IC: usize = memory.data(8, 4);
/** Where peer slot i's last accepted counter lies; i masked to a slot (0 or 1), so our compiler sees an even address
 *  in range: a word access without bounds or parity checks. */
function peerIc(i: u32): usize {
  return PEER_IC + ((i & 1) << 2);
}
const NO_PEER: u32 = 0xff;

// ---- the server's own invocation counter: reserved in blocks by the hosting module (dlms_ic_*) ----
export const IC_BLOCK: u32 = 1024;
let srvIc: u32 = 0; // the next counter to use
let srvLimit: u32 = 0; // counters below this are covered by a persisted reservation

// ---- security events (the hosting module reads and logs them: dlms_event_count) ----
export const EV_REPLAY: u32 = 0;
export const EV_JUMP: u32 = 1;
export const EV_AUTH: u32 = 2;
export const EV_REFLECTION: u32 = 3;
export const EV_DECIPHER: u32 = 4;
const EVENTS: usize = memory.data(10, 2);

// ---- the association ----
let aConformance: u32 = 0;
const CTOS: usize = memory.data(68);
const STOC: usize = memory.data(20);
const DED: usize = memory.data(16);
// GET with blocks: the attribute being sent and the last block number

/** The conformance block this server grants at most (Green Book bits): get, set, action, block-transfer-with-get. */
export const SERVER_CONFORMANCE: u32 = 0x001019;

const IV: usize = memory.data(12);
const SC: usize = memory.data(1);

// ============================================================ configuration and hooks

/**
 * Loads keys and titles from the 65-byte block at `cfg` (GUEK 16, GAK 16, server title 8, head-end title 8,
 * password length 1, password 16) and the profile: hardened (Table 3.2) or standard (Green Book, for interop).
 */
export function dlms_configure(cfg: usize, isHardened: bool, threshold: u32): void {
  cfg &= 0xffff; // (an address in the hosting module's memory: one word to our compiler)
  copyBytes(KEYS, cfg, 32); // GUEK, GAK
  copyBytes(SERVER_TITLE, cfg + 32, 16); // ours, then the head-end's (PEER_TITLE follows it: objects.ts TITLES)
  const pl = <u32>load<u8>(cfg + 48);
  store<u8>(C_PASSWORD_LEN, <u8>(pl > 16 ? 16 : pl));
  copyBytes(PASSWORD, cfg + 49, 16);
  store<u8>(C_HARDENED, isHardened ? 1 : 0);
  jumpThreshold = threshold;
  store<u8>(C_PEERS_USED, 1);
  store<u32>(PEER_IC, 0);
  store<u32>(PEER_IC + 4, 0);
  store<u8>(C_KEY_SLOT, 0xff);
  dlms_link_reset(); // no frame, no association
}

/**
 * Server invocation counter persistence (the hosting module owns non-volatile storage). At start-up, give the
 * highest limit ever persisted: every counter below it may have been used, so the server starts AT it and has
 * nothing reserved yet. dlms_ic_wanted() then returns the next limit to persist (0: none needed now); once it is
 * durably stored, dlms_ic_granted(limit) lets the server use counters below it. The server never uses a counter
 * at or above the granted limit: after any reset, no GCM nonce (server title ‖ IC) repeats.
 */
export function dlms_ic_boot(persistedLimit: u32): void {
  srvIc = persistedLimit;
  srvLimit = persistedLimit;
}
/** The limit to persist next (ahead of need: half a block before the current one runs out), or 0. */
export function dlms_ic_wanted(): u32 {
  if (srvLimit - srvIc > IC_BLOCK / 2) return 0;
  const next = srvLimit + IC_BLOCK;
  return next < srvLimit ? 0xffffffff : next;
}
export function dlms_ic_granted(limit: u32): void {
  if (limit > srvLimit) srvLimit = limit;
}
/** The next server invocation counter (read-only view for tests and the frame-counter object). */
export function dlms_server_ic(): u32 {
  return srvIc;
}
/** The last counter accepted from peer i (0: the configured head-end) — to persist with the module's state. */
export function dlms_peer_ic(i: u32): u32 {
  return i < PEERS ? load<u32>(peerIc(i)) : 0;
}
/** Restores a persisted peer counter after a reset (only raises it). */
export function dlms_peer_restore(i: u32, ic: u32): void {
  if (i < PEERS && ic > load<u32>(peerIc(i))) store<u32>(peerIc(i), ic);
}
export function dlms_event_count(kind: u32): u32 {
  return kind < 5 ? <u32>load<u16>(EVENTS + (kind << 1)) : 0;
}
function event(kind: u32): void {
  const v = load<u16>(EVENTS + ((kind & 7) << 1)); // (written out at each access, masked: even and in range)
  if (v != 0xffff) store<u16>(EVENTS + ((kind & 7) << 1), v + 1);
}

/** Takes a server invocation counter; false when none is reserved (nothing is then enciphered). */
function nextIc(): u32 {
  if (srvIc >= srvLimit) { // (0xffffffff is never below a limit: the last counter is never used)
    store<u8>(C_IC_OK, 0);
    return 0;
  }
  return srvIc++;
}

// ============================================================ crypto glue

function useKey(slot: i32): void {
  if (<i32>load<u8>(C_KEY_SLOT) == slot) return;
  gcm_key(slot == 1 ? DED : GUEK);
  store<u8>(C_KEY_SLOT, <u8>(slot));
}

/** Every GCM use here starts alike (Green Book §9.2.7.2.4): key, IV = title ‖ IC, AAD = SC ‖ AK. `scSlot`: the
 *  security control byte (0x30 or 0x10, bit 0 clear) | the key slot (0 GUEK, 1 dedicated) — one argument, so that
 *  all three are in registers. */
function gcmBegin(title: usize, ic: u32, scSlot: u32): void {
  useKey(<i32>(scSlot & 1));
  copyBytes(IV, title, 8);
  put32(IV + 8, ic);
  store<u8>(SC, <u8>(scSlot & 0xfe));
  gcm_start(IV);
  gcm_aad(SC, 1);
  gcm_aad(GAK, 16);
}

/**
 * Opens a ciphered body [p, p + n) = SC ‖ IC ‖ ciphertext ‖ tag(12) sent by the peer with system title `title`:
 * returns the plaintext length (plaintext at p + 5, decrypted in place) or -5 (deciphering error: wrong key,
 * altered bytes, or a security control other than authenticated+encrypted suite 0). The IC is in `lastIc`.
 */
let lastIc: u32 = 0;
function decipher(p: usize, n: u32, title: usize, slot: i32): i32 {
  if (n < 17) return -5;
  const sc = <u32>load<u8>(p);
  if (sc != 0x30) return -5; // the associations require authentication and encryption, suite 0
  lastIc = be32(p + 1);
  gcmBegin(title, lastIc, sc | <u32>slot);
  gcm_ghash(p + 5, n - 17);
  if (!gcm_verify(p + n - 12, 12)) return -5;
  gcm_decrypt(p + 5, n - 17);
  return <i32>(n - 17);
}

/** Writes SC ‖ IC before the n plaintext bytes at p (p - 5) and the 12-byte tag after them; false without an IC. */
function encipher(p: usize, n: u32, slot: i32): bool {
  const ic = nextIc();
  if (load<u8>(C_IC_OK) == 0) return false;
  store<u8>(p - 5, 0x30);
  put32(p - 4, ic);
  gcmBegin(SERVER_TITLE, ic, 0x30 | <u32>slot);
  gcm_encrypt(p, n);
  copyBytes(p + n, gcm_tag(), 12);
  return true;
}

/**
 * A ciphered APDU at C_REQ_UI (C_REQ_UI_LEN bytes) = tag ‖ length ‖ SC ‖ IC ‖ ciphertext ‖ tag(12) from peer slot
 * `peer` (its system title in PEER_TITLE: the AARQ's calling title once findPeer took it) under key `slot` — a
 * service request's, an AARQ's or an RLRQ's glo-initiate-request, one copy for the three: 0 when it opens and its
 * counter is accepted (the plaintext then at C_REQ_UI, C_REQ_UI_LEN bytes: the caller checked the tag); 1
 * malformed, 2 another security suite, 5 not authentic, 6 counter refused (replay or jump). (The APDU in the cells,
 * not in arguments: two arguments, in registers.)
 */
function openCiphered(slot: i32, peer: u32): u32 {
  rbegin(<usize>load<u16>(C_REQ_UI) + 1, <u32>load<u16>(C_REQ_UI_LEN) - 1);
  const bl = rlen();
  const body = rpos();
  if (rbad() || bl != rleft()) return 1;
  if (bl > 0 && (load<u8>(body) & 0x0f) != 0) return 2;
  const r = decipher(body, bl, PEER_TITLE + ((peer & 1) << 3), slot) & 0xffff; // (masked: -5 → 0xfffb)
  if (r > 0xff) return 5;
  if ((acceptIc(peer, lastIc, 0) & 0xff) != 0) return 6;
  store<u16>(C_REQ_UI, <u16>(body + 5));
  store<u16>(C_REQ_UI_LEN, <u16>r);
  return 0;
}

/** The invocation-counter rule (seed §3.4.2; host/dlms/security/counters.ts): 0 ok, 6 refused (replay or jump).
 *  Accepted, the peer's counter becomes ic + `above` (1: a hardened challenge's, which our StoC answers with). */
function acceptIc(peer: u32, ic: u32, above: u32): u32 {
  const last = load<u32>(peerIc(peer)); // (the address written out at each access: our compiler then sees it even)
  if (ic <= last) {
    event(EV_REPLAY);
    return 6;
  }
  if ((load<u8>(C_HARDENED) != 0) && ic - last > jumpThreshold) {
    event(EV_JUMP);
    return 6;
  }
  store<u32>(peerIc(peer), ic + above);
  return 0;
}

/**
 * 16 unpredictable bytes for a challenge: E_GUEK(server title ‖ IC ‖ 0^32) with a fresh server IC. Unique because
 * the IC never repeats (dlms_ic_*), unpredictable to anyone without the key; never a GCM keystream block (GCM's
 * counter blocks under our title start at 1, J0). A hardware entropy source can replace this later.
 */
function challenge(dst: usize): bool {
  const ic = nextIc();
  if (load<u8>(C_IC_OK) == 0) return false;
  useKey(0);
  copyBytes(AES_STATE, SERVER_TITLE, 8);
  put32(AES_STATE + 8, ic);
  put32(AES_STATE + 12, 0);
  aes_encrypt();
  copyBytes(dst, AES_STATE, 16);
  return true;
}

// ============================================================ wrapper framing


/** Where the hosting module puts received bytes, and how many fit. */
export function dlms_rx_ptr(): usize {
  return RX + <u32>load<u16>(C_RX_LEN);
}
export function dlms_rx_room(): u32 {
  return 8 + MAX_PDU - <u32>load<u16>(C_RX_LEN);
}
/** The frame to send after dlms_rx returned a length > 0. */
export function dlms_tx_ptr(): usize {
  return <usize>load<u16>(C_TX_START);
}
/** The link (re)connected: partial frames are dropped and the association ends (Green Book: a lost connection releases). */
export function dlms_link_reset(): void {
  store<u16>(C_RX_LEN, 0);
  store<u8>(C_PHASE, 0);
  store<u8>(C_BLK_ACTIVE, 0);
  store<u8>(C_PEND, 0);
}

/**
 * Rows a GET waits for, or after a start the logs' sequence numbers (profile.ts KNOWN): where the query for
 * the logs module lies (8 bytes, firmware/logs input `query`), once per query (then 0). The hosting module sends it on its connection to the logs module; the answers come back through
 * dlms_log_entry.
 */
export function dlms_fetch(): usize {
  if (load<u8>(C_FETCH) == 0) return 0;
  store<u8>(C_FETCH, 0);
  return FETCH;
}

/**
 * What the logs module sent the hosting module (`len` bytes at p): a copy of a log's newest entry ([log][found]
 * [index u16][seq u32][entry 12 B]: the log's sequence number, and disconnect control's state from the off-switch
 * log), sent as it appends and when asked (dlms_rx: after a start), or rows a GET asked for (dlms_fetch). Returns
 * the length of a response frame at dlms_tx_ptr() once the GET waiting for these rows, or the frame waiting for
 * the sequence numbers, is answered (0: nothing to send now; as dlms_rx otherwise).
 */
export function dlms_log_entry(p: usize, len: u32): i32 {
  p &= 0xfffe; // (an even address in the hosting module's memory, its input buffer: one word to our compiler)
  if (len == 20 && load<u8>(p) == 2 && load<u8>(p, 1) == 1) supplyState(p);
  if (!profileTake(p, len & 0xff)) return dlms_rx(0); // a copy: a frame that waited for the sequence numbers goes on
  if (load<u8>(C_PEND) == 0) return 0;
  store<u8>(C_HDR_SHIFT, 0);
  store<u8>(C_IC_OK, 1);
  const out = getValue(); // 0: more rows to ask for, the GET still waits
  if (out == 0) return 0;
  store<u8>(C_PEND, 0);
  return frame(<u32>load<u16>(C_A_SAP), seal(<u32>load<u8>(C_PEND_STYLE), out));
}

/**
 * `n` more bytes arrived at dlms_rx_ptr(). Returns the length of a response frame at dlms_tx_ptr() (0: nothing to
 * send yet), or -1 when the stream is not a wrapper stream (bad version, APDU longer than MAX_PDU): the hosting
 * module closes the connection, as host/dlms's serveWrapper does. Call again with n = 0 while it returns > 0 to
 * process frames that arrived back to back.
 */
export function dlms_rx(n: u32): i32 {
  n &= 0xffff; // (at most dlms_rx_room())
  store<u16>(C_RX_LEN, <u16>(<u32>load<u16>(C_RX_LEN) + n));
  if (<u32>load<u16>(C_RX_LEN) < 8) return 0;
  if (load<u8>(RX) != 0 || load<u8>(RX + 1) != 1) {
    dlms_link_reset();
    return -1;
  }
  const len = (<u32>load<u8>(RX + 6) << 8) | <u32>load<u8>(RX + 7);
  if (len > MAX_PDU) {
    dlms_link_reset();
    return -1;
  }
  if (<u32>load<u16>(C_RX_LEN) < 8 + len) return 0;
  if (load<u8>(KNOWN) == 0) {
    // after a start: the frame waits here until the logs module has said the logs' sequence numbers (profile.ts
    // KNOWN), then dlms_log_entry answers it; FETCH is the query for them (no query for rows was made yet), asked
    // once per frame that comes (a lost answer is asked again by the next)
    if (n != 0) store<u8>(C_FETCH, 1);
    return 0;
  }
  const src = (<u32>load<u8>(RX + 2) << 8) | <u32>load<u8>(RX + 3);
  const dst = (<u32>load<u8>(RX + 4) << 8) | <u32>load<u8>(RX + 5);
  let out: u32 = 0;
  if (dst == 1) out = handle(src, RX + 8, len);
  // drop the frame, keep what followed it
  const rest = <u32>load<u16>(C_RX_LEN) - 8 - len;
  copyBytes(RX, RX + 8 + len, rest); // forward, byte by byte: the overlap is safe
  store<u16>(C_RX_LEN, <u16>(rest));
  return frame(src, out);
}

/** The wrapper header in front of the `out`-byte response APDU, from our wPort 1 to the client's `dst`; the frame's
 *  length (0 when there is no response). */
function frame(dst: u32, out: u32): i32 {
  if (out == 0) return 0;
  store<u16>(C_TX_START, <u16>(TX + HEAD - 8 - <u32>load<u8>(C_HDR_SHIFT)));
  obegin(<usize>load<u16>(C_TX_START));
  o32(0x00010001); // version 1, source = the wPort addressed (only 1 is served)
  o32((dst << 16) | out); // destination = the client, length
  return <i32>(out + 8);
}

// ============================================================ APDU dispatch

const OUT: usize = TX + HEAD; // a plain response APDU is written here

/** Handles one APDU from client wPort `sap`; the response APDU starts at OUT - hdrShift. Returns its length. */
function handle(sap: u32, p: usize, n: u32): u32 {
  // An empty APDU is refused as the reference server refuses it (its DlmsDecodeError: state-service-unknown,
  // other-reason; test/firmware/dlms-fuzz "the reference server's verdict").
  if (n == 0) return exception(2, 3);
  store<u8>(C_HDR_SHIFT, 0);
  store<u8>(C_IC_OK, 1);
  store<u8>(C_PEND, 0); // a request that came while a GET waited for rows: the client has given up on that GET
  const tag = <u32>load<u8>(p);
  if (tag == 0x60) return establish(sap, p, n);
  if (tag == 0x62) return release(sap, p, n);
  if (<u32>load<u8>(C_PHASE) == 0 || sap != <u32>load<u16>(C_A_SAP)) return exception(1, 1); // no association for this client
  let plain = p;
  let pn = n;
  let style: u32 = 0; // 0 plain, 0x08 glo (+8 on the plain tag), 0x10 ded (+16)
  // glo-get/set/action-request C8 C9 CB, ded- D0 D1 D3: the plain tag C0 C1 C3 plus 8 or 16 (compared, not a
  // bit mask shifted by the tag: a variable shift is a helper call to our compiler)
  const ded = tag >= 0xd0;
  const under = tag - (ded ? 0x10 : 0x08);
  if (tag >= 0xc8 && under - 0xc0 < 4 && under != 0xc2) {
    if (load<u8>(C_A_CIPHERED) == 0) return exception(1, 1);
    style = ded ? 0x10 : 0x08;
    if (style == 0x10 && load<u8>(C_HAS_DED) == 0) return exception(1, 5);
    const peer = <u32>load<u8>(C_A_PEER);
    store<u16>(C_REQ_UI, <u16>p);
    store<u16>(C_REQ_UI_LEN, <u16>n);
    const e = openCiphered(style == 0x10 ? 1 : 0, peer);
    if (e == 1) return exception(2, 3);
    if (e == 6) return counterException(peer);
    if (e != 0) {
      event(EV_DECIPHER);
      return exception(1, 5);
    }
    plain = <usize>load<u16>(C_REQ_UI);
    pn = <u32>load<u16>(C_REQ_UI_LEN);
    if (pn == 0 || <u32>load<u8>(plain) != tag - style) return exception(2, 3);
  } else if (load<u8>(C_A_CIPHERED) != 0) {
    return exception(1, 1); // this association accepts only ciphered requests
  }
  const t = <u32>load<u8>(plain);
  // In the pending phase only reply_to_HLS_authentication is allowed (Green Book §9.2.7.4 pass 3).
  if (<u32>load<u8>(C_PHASE) == 1 && !isReplyToHls(plain, pn)) return exception(1, 1);
  rbegin(plain + 1, pn - 1); // every request: tag, kind, invoke-id-and-priority, …
  const kind = r8();
  const invoke = r8();
  let len: u32;
  if (t == 0xc0) len = get(kind, invoke);
  else if (t == 0xc1) len = set(kind, invoke);
  else if (t == 0xc3) len = action(kind, invoke);
  else return exception(2, 2);
  if (<u32>load<u8>(C_PHASE) == 3) store<u8>(C_PHASE, 0); // HLS failed: the association is gone after this answer
  if (len == 0) {
    // a GET waits for rows from the logs module: answered, in this request's ciphering, when they come
    store<u8>(C_PEND, 1);
    store<u8>(C_PEND_STYLE, <u8>style);
  }
  return seal(style, len);
}

/** The response APDU of `len` bytes at OUT enciphered as the request was (`style`: 0 plain, 0x08 glo, 0x10 ded);
 *  its length with the envelope (the envelope's header at OUT − hdrShift). */
function seal(style: u32, len: u32): u32 {
  // exception-response has no ciphered form; clients take it plain in a ciphered association
  if (style == 0 || len == 0 || load<u8>(OUT) == 0xd8) return len;
  const plainTag = <u32>load<u8>(OUT);
  if (!encipher(OUT, len, style == 0x10 ? 1 : 0)) return exception(1, 1);
  // envelope: tag ‖ length ‖ SC ‖ IC ‖ ciphertext ‖ tag
  const body = len + 17;
  const lb: u32 = body > 0xff ? 3 : body > 0x7f ? 2 : 1;
  store<u8>(C_HDR_SHIFT, <u8>(5 + lb + 1));
  obegin(OUT - <u32>load<u8>(C_HDR_SHIFT));
  o8(plainTag + style);
  if (lb != 1) o8(0x7f + lb); // 0x81 n or 0x82 nn
  oN(body, lb == 3 ? 2 : 1);
  return <u32>load<u8>(C_HDR_SHIFT) + len + 12;
}

function exception(state: u32, service: u32): u32 {
  store<u8>(C_HDR_SHIFT, 0);
  obegin(OUT);
  oN(0xd80000 | (state << 8) | service, 3);
  return 3;
}

/** invocation-counter-error carries the counter we hold, so an honest client can continue above it. */
function counterException(peer: u32): u32 {
  exception(1, 6);
  o32(load<u32>(peerIc(peer)));
  return 7;
}

function isReplyToHls(p: usize, n: u32): bool {
  // action-request-normal, any invoke-id, then class 15, Association LN 0.0.40.0.0.255, method 1 (tables.ts)
  return n >= 13 && load<u8>(p) == 0xc3 && load<u8>(p + 1) == 1 && sameBytes(p + 3, REPLY_TO_HLS, 9);
}

// ============================================================ ACSE

/** DLMS-UA's object identifier (tables.ts DLMS_OID; `n` bytes from `prefix`), then 01 application context / 02
 *  mechanism name. */
function isDlmsOid(p: usize, prefix: usize, n: u32, arc: u32): bool {
  return sameBytes(p, prefix, n) && <u32>load<u8>(p + n) == arc;
}


/** Parses an AARQ (BER) into req*; false if malformed. Also an RLRQ's user-information (release), which has no
 *  application context: false, with reqUi set when present. */
function parseAarq(p: usize, n: u32): bool {
  store<u8>(C_REQ_CONTEXT, 0); store<u8>(C_REQ_MECH, 0); store<u16>(C_REQ_TITLE, 0); store<u16>(C_REQ_AUTH, 0); store<u16>(C_REQ_AUTH_LEN, 0); store<u16>(C_REQ_UI, 0); store<u16>(C_REQ_UI_LEN, 0);
  rbegin(p, n);
  r8();
  const total = rlen();
  if (rbad() || total != rleft()) return false;
  while (rleft() > 0) {
    const tag = r8();
    const l = rlen();
    const v = rskip(l);
    if (rbad()) return false;
    if (tag == 0xa1) {
      if (l != 9 || !isDlmsOid(v, DLMS_OID - 2, 7, 1)) return false; // 06 07 then the OID (the AARE template's)
      store<u8>(C_REQ_CONTEXT, load<u8>(v + 8));
    } else if (tag == 0xa6) {
      if (l < 2 || load<u8>(v) != 0x04 || <u32>load<u8>(v + 1) != l - 2) return false;
      store<u16>(C_REQ_TITLE, <u16>(v + 2));
      if (l != 10) store<u16>(C_REQ_TITLE, 1); // present but not 8 bytes: refused below
    } else if (tag == 0x8b) {
      if (l != 7 || !isDlmsOid(v, DLMS_OID, 5, 2)) return false;
      store<u8>(C_REQ_MECH, load<u8>(v + 6));
    } else if (tag == 0xac) {
      if (l < 2 || load<u8>(v) != 0x80 || <u32>load<u8>(v + 1) != l - 2) return false;
      store<u16>(C_REQ_AUTH, <u16>(v + 2));
      store<u16>(C_REQ_AUTH_LEN, <u16>(l - 2));
    } else if (tag == 0xbe) {
      rbegin(v, l);
      if (r8() != 0x04) return false;
      const ul = rlen();
      if (rbad() || ul != rleft()) return false;
      store<u16>(C_REQ_UI, <u16>(rpos()));
      store<u16>(C_REQ_UI_LEN, <u16>(ul));
      rbegin(v + l, <u32>(p + n - (v + l)));
    } else if ((tag & 0x1f) == 0x1f) return false; // a multi-byte BER tag: none in an AARQ
    // any other field (calling-AE-qualifier, ACSE requirements, …) DLMS does not use here: skipped
  }
  return <u32>load<u8>(C_REQ_CONTEXT) != 0;
}


const AARE_TITLE: u32 = 0x10000; // aare: with our system title
const AARE_HLS: u32 = 0x20000; // … with mechanism 5 and our StoC

/** AARE: `code` = result | diagnostic << 8 | AARE_TITLE | AARE_HLS (one argument: with the user-information's place
 *  and length all in registers), then the optional parts (title, mechanism, StoC) and user-information. */
function aare(code: u32, ui: usize, uiLen: u32): u32 {
  store<u8>(C_HDR_SHIFT, 0);
  obegin(OUT);
  const withTitle = (code & AARE_TITLE) != 0;
  ocopy(AARE_HEAD, withTitle ? 29 : 25);
  store<u8>(OUT + 12, <u8>(<u32>load<u8>(C_REQ_CONTEXT) == 3 ? 3 : 1));
  store<u8>(OUT + 17, <u8>code);
  store<u8>(OUT + 24, <u8>(code >> 8));
  if (withTitle) ocopy(SERVER_TITLE, 8);
  if ((code & AARE_HLS) != 0) {
    const at = opos();
    ocopy(AARE_AUTH, 17); // (mechanism 5 in the template)
    store<u8>(at + 14, <u8>(<u32>load<u8>(C_STOC_LEN) + 2));
    store<u8>(at + 16, <u8><u32>load<u8>(C_STOC_LEN));
    ocopy(STOC, <u32>load<u8>(C_STOC_LEN));
  }
  if (uiLen != 0) {
    o32(0xbe000400 | ((uiLen + 2) << 16) | uiLen); // user-information: BE LL 04 LL
    ocopy(ui, uiLen);
  }
  const total = <u32>(opos() - OUT);
  store<u8>(OUT + 1, <u8>(total - 2)); // an AARE here is always < 128 bytes: one length byte
  return total;
}

function initiateResponse(at: usize, conformance: u32): void {
  copyBytes(at, INITIATE_RESPONSE, 14);
  store<u8>(at + 7, <u8>(conformance >> 16));
  store<u8>(at + 8, <u8>(conformance >> 8));
  store<u8>(at + 9, <u8>conformance);
}

// A scratch area for user-information we build (exception, InitiateResponse, ciphered): inside the transmit
// buffer behind the AARE being built at OUT (an AARE here is < 128 bytes), so it costs no RAM of its own.
const UI: usize = TX + HEAD + 140;

function reject(diag: u32, uiLen: u32): u32 {
  store<u8>(C_PHASE, 0);
  return aare(1 | (diag << 8), UI, uiLen);
}
function rejectWithException(diag: u32, service: u32, peer: u32): u32 {
  store<u8>(UI, 0xd8); // exception-response: service-error, as user-information
  store<u8>(UI + 1, 1);
  store<u8>(UI + 2, <u8>service);
  if (service == 6) {
    put32(UI + 3, load<u32>(peerIc(peer))); // invocation-counter-error carries the counter held
    return reject(diag, 7);
  }
  return reject(diag, 3);
}
function initiateError(value: u32): u32 {
  obegin(UI);
  o32(0x0e010600 | value); // confirmed-service-error: initiate, initiate-error(value)
  return reject(1, 4);
}

const NO_KIND: u32 = 0xff;
/** Which association a client SAP opens (the reference server's defaults, host/dlms/server/config.ts). */
function sapKind(sap: u32): u32 {
  if (sap == 16) return KIND_PUBLIC;
  if (sap == 17) return KIND_READER;
  if (sap == 1) return KIND_MANAGER;
  return NO_KIND;
}

/** The peer slot of a calling title, a new one if the profile and room allow, or NO_PEER. */
function findPeer(title: usize): u32 {
  const used = <u32>load<u8>(C_PEERS_USED);
  for (let i: u32 = 0; i < used; i++) if (sameBytes(PEER_TITLE + (i << 3), title, 8)) return i;
  if ((load<u8>(C_HARDENED) != 0) || used >= PEERS) return NO_PEER; // pinned (Table 3.2), or no slot without forgetting a counter
  copyBytes(PEER_TITLE + (used << 3), title, 8);
  store<u32>(peerIc(used), 0);
  store<u8>(C_PEERS_USED, <u8>(used + 1));
  return used;
}

function establish(sap: u32, p: usize, n: u32): u32 {
  store<u8>(C_PHASE, 0); // a new AARQ replaces the association
  store<u8>(C_BLK_ACTIVE, 0);
  store<u8>(C_HAS_DED, 0);
  if (<i32>load<u8>(C_KEY_SLOT) == 1) store<u8>(C_KEY_SLOT, 0xff);
  if (!parseAarq(p, n)) {
    store<u8>(C_REQ_CONTEXT, 1);
    return reject(1, 0);
  }
  const kind = sapKind(sap);
  if (kind == NO_KIND) return reject(1, 0);
  if (<u32>load<u8>(C_REQ_CONTEXT) != 1 && <u32>load<u8>(C_REQ_CONTEXT) != 3) return reject(2, 0); // application-context-name-not-supported (SN)
  const ciphered = <u32>load<u8>(C_REQ_CONTEXT) == 3;
  const mech: u32 = kind == KIND_MANAGER ? 5 : kind; // none, LLS, HLS-GMAC
  const hls = mech == 5;
  if (ciphered != hls) return reject(2, 0); // SAP 1 needs the ciphered context; 16/17 the plain one
  if (<u32>load<u8>(C_REQ_MECH) != mech) return reject(11, 0);
  if ((ciphered || hls) && (<usize>load<u16>(C_REQ_TITLE) == 0 || <usize>load<u16>(C_REQ_TITLE) == 1)) return reject(3, 0);
  let peer: u32 = 0; // (slot 0 for an association without a title: unused)
  if (ciphered || hls) {
    if (sameBytes(<usize>load<u16>(C_REQ_TITLE), SERVER_TITLE, 8)) {
      event(EV_REFLECTION); // our own title as the caller: a reflection (seed Fig 3.6)
      return reject(3, 0);
    }
    peer = findPeer(<usize>load<u16>(C_REQ_TITLE)) & 0xff;
    if (peer == NO_PEER) return reject(3, 0);
  }
  if (<u32>load<u16>(C_REQ_UI_LEN) == 0) return reject(1, 0);
  let init = <usize>load<u16>(C_REQ_UI);
  let initLen = <u32>load<u16>(C_REQ_UI_LEN);
  if (ciphered) {
    const e = load<u8>(<usize>load<u16>(C_REQ_UI)) != 0x21 ? 1 : openCiphered(0, peer); // glo-initiate-request
    if (e == 1) return reject(1, 0);
    if (e == 5) event(EV_DECIPHER);
    if (e != 0) return rejectWithException(1, e == 6 ? 6 : 5, peer); // (2: another suite)
    init = <usize>load<u16>(C_REQ_UI);
    initLen = <u32>load<u16>(C_REQ_UI_LEN);
  }
  // xDLMS InitiateRequest (Green Book §9.5): tag, dedicated-key?, response-allowed?, proposed-QoS?, version,
  // conformance (5F 1F 04 00 + 3 bytes), client-max-receive-pdu-size
  rbegin(init, initLen);
  if (r8() != 0x01) return reject(1, 0);
  let dedLen: u32 = 0;
  let ded: usize = 0;
  if (r8() != 0) {
    dedLen = r8();
    ded = rskip(dedLen);
  }
  if (r8() != 0) r8();
  if (r8() != 0) r8();
  const version = r8();
  if (r8() != 0x5f || r8() != 0x1f || r8() != 0x04) rfail();
  r8();
  const conf = (r8() << 16) | (r8() << 8) | r8();
  const maxPdu = r16();
  if (rbad()) return reject(1, 0);
  if (version < 6) return initiateError(1);
  const granted = conf & SERVER_CONFORMANCE;
  if ((granted & 0x19) == 0) return initiateError(2);
  if (maxPdu != 0 && maxPdu < 64) return initiateError(3);
  if (ded != 0 && (!ciphered || dedLen != 16)) return initiateError(4);

  // Authentication
  if (mech == 1) {
    // LLS: the password is a secret, compared in constant time, its length included (issue 16)
    let ok: u32 = <u32>load<u16>(C_REQ_AUTH_LEN) == <u32>load<u8>(C_PASSWORD_LEN) ? 1 : 0;
    ok &= ct_equal(<usize>load<u16>(C_REQ_AUTH), PASSWORD, <u32>load<u16>(C_REQ_AUTH_LEN) < <u32>load<u8>(C_PASSWORD_LEN) ? <u32>load<u16>(C_REQ_AUTH_LEN) : <u32>load<u8>(C_PASSWORD_LEN));
    if (<usize>load<u16>(C_REQ_AUTH) == 0 || ok == 0) {
      event(EV_AUTH);
      return reject(13, 0);
    }
  } else if (hls) {
    if (<usize>load<u16>(C_REQ_AUTH) == 0 || <u32>load<u16>(C_REQ_AUTH_LEN) < 8 || <u32>load<u16>(C_REQ_AUTH_LEN) > 68) return reject(13, 0);
    if ((load<u8>(C_STOC_OUTSTANDING) != 0) && <u32>load<u16>(C_REQ_AUTH_LEN) == <u32>load<u8>(C_STOC_LEN) && sameBytes(<usize>load<u16>(C_REQ_AUTH), STOC, <u32>load<u8>(C_STOC_LEN))) {
      event(EV_REFLECTION); // CtoS is the challenge we issued: a reflection (seed Figs 3.6–3.7)
      return reject(13, 0);
    }
    let counter: u32 = 0;
    if (load<u8>(C_HARDENED) != 0) {
      // Table 3.2: the challenge carries the client's counter; accept only a greater one within the threshold, and
      // answer with ours one above it (so no challenge of either side ever repeats, seed §3.4.2).
      if (<u32>load<u16>(C_REQ_AUTH_LEN) != 20) return reject(13, 0);
      counter = be32(<usize>load<u16>(C_REQ_AUTH) + 16);
      if ((acceptIc(peer, counter, 1) & 0xff) != 0) return rejectWithException(13, 6, peer);
      counter++; // (what acceptIc kept)
    }
    copyBytes(CTOS, <usize>load<u16>(C_REQ_AUTH), <u32>load<u16>(C_REQ_AUTH_LEN));
    store<u8>(C_CTOS_LEN, <u8>(<u32>load<u16>(C_REQ_AUTH_LEN)));
    if (!challenge(STOC)) return reject(1, 0);
    store<u8>(C_STOC_LEN, 16);
    if (load<u8>(C_HARDENED) != 0) {
      put32(STOC + 16, counter);
      store<u8>(C_STOC_LEN, 20);
    }
    if (<u32>load<u8>(C_STOC_LEN) == <u32>load<u8>(C_CTOS_LEN) && sameBytes(STOC, CTOS, <u32>load<u8>(C_STOC_LEN))) return reject(1, 0); // never our challenge = theirs
    store<u8>(C_STOC_OUTSTANDING, 1);
  }
  if (ded != 0) {
    copyBytes(DED, ded, 16);
    store<u8>(C_HAS_DED, 1);
  }
  store<u16>(C_A_SAP, <u16>(sap));
  store<u8>(C_A_KIND, <u8>kind);
  store<u8>(C_A_MECH, <u8>(mech));
  store<u8>(C_A_CIPHERED, ciphered ? 1 : 0);
  store<u8>(C_A_PEER, <u8>peer);
  aConformance = granted;
  store<u16>(C_A_MAX_PDU, <u16>(maxPdu == 0 || maxPdu > MAX_PDU ? MAX_PDU : maxPdu));
  store<u8>(C_PHASE, <u8>(hls ? 1 : 2));
  initiateResponse(UI + 24, granted);
  let ui = UI + 24;
  let uiLen: u32 = 14;
  if (ciphered) {
    if (!encipher(UI + 24, 14, 0)) return reject(1, 0);
    store<u8>(UI + 17, 0x28); // glo-initiate-response
    store<u8>(UI + 18, 14 + 17);
    ui = UI + 17;
    uiLen = 2 + 14 + 17;
  }
  // (ciphered = hls here: SAP 1 only, checked above) result accepted; HLS: diagnostic 14 authentication-required
  return aare(hls ? AARE_TITLE | AARE_HLS | (14 << 8) : 0, ui, uiLen);
}

function release(sap: u32, p: usize, n: u32): u32 {
  const wasCiphered = <u32>load<u8>(C_PHASE) != 0 && sap == <u32>load<u16>(C_A_SAP) && (load<u8>(C_A_CIPHERED) != 0);
  const peer = <u32>load<u8>(C_A_PEER);
  store<u8>(C_PHASE, 0);
  store<u8>(C_BLK_ACTIVE, 0);
  store<u8>(C_STOC_OUTSTANDING, 0);
  // RLRQ: 62 len [80 01 reason] [BE .. 04 .. glo-initiate-request]: its fields as an AARQ's (parseAarq)
  parseAarq(p, n);
  store<u8>(C_HDR_SHIFT, 0);
  // A ciphered association releases with a ciphered InitiateRequest; answer in kind (host/dlms session.ts).
  const ui = <usize>load<u16>(C_REQ_UI);
  if (wasCiphered && <u32>load<u16>(C_REQ_UI_LEN) > 2 && load<u8>(ui) == 0x21 && openCiphered(0, peer) == 0) {
    initiateResponse(UI + 24, aConformance);
    if (encipher(UI + 24, 14, 0)) {
      obegin(OUT);
      // RLRE 63 40 [80 01 00] [BE 35 04 33 glo-initiate-response 28 31 …]: lengths 3+2+2+2+31, 2+2+31, 2+31, 31
      o32(0x63288001); o8(0); o32(0xbe230421); o16(0x281f); ocopy(UI + 19, 31);
      return <u32>(opos() - OUT);
    }
  }
  obegin(OUT);
  o32(0x63038001); o8(0); // RLRE, reason normal
  return 5;
}

// ============================================================ xDLMS services

/** Room for a response APDU: the client's max PDU (and ours), less the ciphered envelope if any. */
function room(): u32 {
  return (load<u8>(C_A_CIPHERED) != 0) ? <u32>load<u16>(C_A_MAX_PDU) - 4 - 17 : <u32>load<u16>(C_A_MAX_PDU);
}

/** Encodes the attribute of the GET being answered (C_BLK_OBJ, C_BLK_ATTR) for this association, storing only
 *  bytes [lo, hi) of the encoding at `base`; returns the whole encoding's size (getValue measures, encodes, or sends
 *  a window of it per block). The object and attribute from their cells: three arguments, all in registers. */
function encodeWindow(base: usize, lo: u32, hi: u32): u32 {
  setSessionValues(load<u32>(PEER_IC), <u32>load<u8>(C_PHASE));
  vbegin(base, lo, hi);
  encodeAttribute(<u32>load<u8>(C_BLK_OBJ), <u32>load<u8>(C_BLK_ATTR), <u32>load<u8>(C_A_KIND));
  return vsize();
}

const EXC: u32 = 0x100; // target: an exception-response is written

/**
 * The common part of GET/SET/ACTION-request-normal after its invoke-id (Green Book §9.3): kind, class id, logical
 * name, attribute or method id, then the access-selection or parameters flag; the response header (`tag`, normal,
 * invoke-id) written; the object found and the association's right `which` (0 read, 1 write, 2 invoke) checked —
 * one copy for the three services (issue 19 item 5). Returns 0, a data-access-result (4 object-undefined, 9
 * object-class-inconsistent, 3 read-write-denied), or EXC when the request is malformed (exception written).
 */
function target(kind: u32, invoke: u32, tag: u32, which: u32): u32 {
  if (kind != 1) {
    exception(2, 2); // only -normal: with-list and SET/ACTION with blocks are not in our conformance
    return EXC;
  }
  const classId = r16();
  const ln = rskip(6);
  const id = r8();
  store<u8>(C_RQ_SEL, <u8>r8());
  if (rbad()) {
    exception(2, 3);
    return EXC;
  }
  obegin(OUT);
  oN((tag << 16) | 0x100 | invoke, 3);
  const o = findObject(classId, ln) & 0xff;
  store<u8>(C_RQ_OBJ, <u8>o);
  store<u8>(C_RQ_ID, <u8>id);
  if (o == OBJECTS) return classMismatch() ? 9 : 4;
  return allowed(o, <u32>load<u8>(C_A_KIND), which, id) ? 0 : 3;
}

function get(kind: u32, invoke: u32): u32 {
  obegin(OUT);
  if (kind == 2) {
    // get-request-next: the next block of the value being sent
    const want = r32();
    if (rbad()) return exception(2, 3);
    if (load<u8>(C_BLK_ACTIVE) == 0) return blockDar(invoke, want, 16); // no-long-get-in-progress
    if (want != <u32>load<u16>(C_BLK_NO)) return blockDar(invoke, want, 19); // data-block-number-invalid
    return getValue();
  }
  let dar = target(kind, invoke, 0xc4, 0); // get-response-normal
  if (dar == EXC) return 3;
  store<u8>(C_BLK_ACTIVE, 0);
  const o = <u32>load<u8>(C_RQ_OBJ);
  const attr = <u32>load<u8>(C_RQ_ID);
  if (dar == 0) dar = selectAccess(o, attr, <u32>load<u8>(C_RQ_SEL)); // a profile's buffer (objects.ts)
  if (dar != 0) {
    o16(0x100 | dar);
    return 4 + 1;
  }
  store<u8>(C_BLK_OBJ, <u8>(o));
  store<u8>(C_BLK_ATTR, <u8>(attr));
  store<u8>(C_BLK_INVOKE, <u8>(invoke));
  store<u16>(C_BLK_NO, 0);
  store<u16>(C_BLK_POS, 0);
  return getValue();
}

/** Rows missing from the window just encoded (io.ts vmiss): asked for from the window's first row (true: the GET
 *  waits, 0 is returned) unless they are held from there (profile.ts profileRefill); else false, and the window
 *  ends where the first missing row starts. */
function missing(): bool {
  if (vmissed() == 0 || !profileRefill(<u32>load<u8>(C_BLK_OBJ) - OBJ_PROFILE, vfirstRow())) return false;
  store<u8>(C_FETCH, 1);
  return true;
}

/**
 * The answer to the GET in C_BLK_*: the value whole (get-response-normal) when it fits the PDU and its rows are at
 * hand, else its next block. 0 when it waits for rows from the logs module (profile.ts) — called again when they
 * come (dlms_log_entry), so one path serves the first answer, the next block and an answer that waited.
 */
function getValue(): u32 {
  const invoke = <u32>load<u8>(C_BLK_INVOKE);
  const obj = <u32>load<u8>(C_BLK_OBJ);
  const attr = <u32>load<u8>(C_BLK_ATTR);
  if (!selectReady(obj, attr)) {
    store<u8>(C_FETCH, 1);
    return 0;
  }
  // (masks: sizes here are below 2^16 and a block below 224 bytes — our compiler then adds and compares one word)
  const total = encodeWindow(0, 0, 0) & 0xffff; // measured: no rows needed
  obegin(OUT);
  if (load<u8>(C_BLK_ACTIVE) == 0 && total + 4 <= room()) {
    o32(0xc4010000 | (invoke << 8)); // get-response-normal, result data
    encodeWindow(OUT + 4, 0, total);
    if (missing()) return 0;
    if (vmissed() == 0) return 4 + total;
    obegin(OUT); // more rows than are at hand: in blocks
  }
  store<u8>(C_BLK_ACTIVE, 1);
  // GetResponseWithDatablock: last?, block number, raw-data (a window of the encoded value, written at OUT + 11
  // behind the longest header and moved up one byte when its length takes one byte)
  const no = <u32>load<u16>(C_BLK_NO) + 1;
  const start = <u32>load<u16>(C_BLK_POS);
  let end = start + ((room() - 12) & 0xff); // C4 02 id last u32 00 + an octet-string length up to 3 bytes
  if (end > total) end = total;
  encodeWindow(OUT + 11, start, end);
  if (missing()) return 0;
  if (vmissed() != 0) end = vmissAt();
  const part = end - start;
  const last = end == total;
  o32(0xc4020000 | (invoke << 8) | (last ? 1 : 0)); o32(no); o8(0); // get-response-with-datablock
  if (part > 0x7f) o16(0x8100 | part);
  else {
    o8(part);
    copyBytes(OUT + 10, OUT + 11, part);
  }
  store<u16>(C_BLK_NO, <u16>(no));
  store<u16>(C_BLK_POS, <u16>(end));
  if (last) store<u8>(C_BLK_ACTIVE, 0);
  return <u32>(opos() - OUT) + part;
}

function blockDar(invoke: u32, no: u32, dar: u32): u32 {
  obegin(OUT);
  o32(0xc4020001 | (invoke << 8)); o32(no); o16(0x100 | dar);
  return 10;
}

function set(kind: u32, invoke: u32): u32 {
  let dar = target(kind, invoke, 0xc5, 1); // set-response-normal
  if (dar == EXC) return 3;
  const o = <u32>load<u8>(C_RQ_OBJ);
  if (dar != 0) {
    // refused: the data-access-result below
  } else if (load<u8>(C_RQ_SEL) != 0) dar = 250;
  else if (o == OBJ_CLOCK && load<u8>(C_RQ_ID) == 2) {
    // time: octet-string of 12 (a COSEM date-time); the clock module decides whether to take it
    const t = r8();
    const l = r8();
    const v = rskip(12);
    if (rbad() || t != 0x09 || l != 12) dar = 12; // type-unmatched
    else {
      copyBytes(PENDING_TIME, v, 12);
      requestTime();
    }
  } else dar = 3;
  o8(dar);
  return 4;
}

function action(kind: u32, invoke: u32): u32 {
  let result = target(kind, invoke, 0xc7, 2); // action-response-normal
  if (result == EXC) return 3;
  const o = <u32>load<u8>(C_RQ_OBJ);
  if (result != 0) {
    // refused: the result below
  } else if (o == OBJ_ASSOCIATION) {
    // reply_to_HLS_authentication: octet-string f(StoC)
    const t = r8();
    const l = r8();
    const f = rskip(l);
    if (load<u8>(C_RQ_SEL) == 0 || rbad() || t != 0x09) result = 3;
    else return replyToHls(f, l);
  } else if (o == OBJ_DISCONNECT) {
    // remote_disconnect / remote_reconnect (parameter integer 0): a request to the off-switch module, which decides
    requestDisconnect(<u32>load<u8>(C_RQ_ID));
  } else result = 3;
  o16(result << 8); // result, no return parameters
  return 5;
}

/** HLS pass 3 (check the client's f(StoC)) and pass 4 (our f(CtoS)); Green Book §9.2.7.4, seed §3.4.2. */
function replyToHls(f: usize, l: u32): u32 {
  const wasOutstanding = (load<u8>(C_STOC_OUTSTANDING) != 0);
  store<u8>(C_STOC_OUTSTANDING, 0);
  let ok: u32 = 0;
  if (<u32>load<u8>(C_PHASE) == 1 && wasOutstanding && l == 17 && load<u8>(f) == 0x10) {
    // f(StoC) = 10 ‖ IC ‖ GMAC_{client title ‖ IC}(10 ‖ AK ‖ StoC (‖ CtoS hardened: both challenges bound))
    const ic = be32(f + 1);
    const tag = macChallenges(PEER_TITLE + (<u32>load<u8>(C_A_PEER) << 3), ic, false);
    ok = ct_equal(tag, f + 5, 12);
  }
  if (ok == 0) {
    event(EV_AUTH);
    store<u8>(C_PHASE, 3); // failed: removed once this answer is out
    o16(0x300); // read-write-denied, no return parameters
    return 5;
  }
  const ic2 = nextIc();
  if (load<u8>(C_IC_OK) == 0) {
    store<u8>(C_PHASE, 3);
    o16(0x300);
    return 5;
  }
  const tag = macChallenges(SERVER_TITLE, ic2, true);
  store<u8>(C_PHASE, 2);
  // success, return parameters: data octet-string(17) = 10 ‖ IC ‖ tag
  o32(0x00010009); o16(0x1110); o32(ic2); ocopy(tag, 12);
  return <u32>(opos() - OUT);
}

/** GMAC over 10 ‖ AK ‖ StoC (‖ CtoS when hardened), or with the challenges the other way round for ours (`ours`:
 *  f(CtoS)), with IV = title ‖ ic; returns where the 12 bytes are. */
function macChallenges(title: usize, ic: u32, ours: bool): usize {
  gcmBegin(title, ic, 0x10);
  gcm_aad(ours ? CTOS : STOC, <u32>load<u8>(ours ? C_CTOS_LEN : C_STOC_LEN));
  if (load<u8>(C_HARDENED) != 0) gcm_aad(ours ? STOC : CTOS, <u32>load<u8>(ours ? C_STOC_LEN : C_CTOS_LEN));
  return gcm_tag(); // GCM_TAG, valid until the next GCM call
}

