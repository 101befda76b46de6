// The untrusted node runtime (issue 18 item 4): the role Contiki and its event manager play in the seed (§4.6.3,
// "Communications": an untrusted Event Manager on every node routes events from outputs to inputs and cannot
// decrypt or inspect them; Table 4.1's event manager and module loader). Unprotected code: it holds no key, reads
// no module's data, and everything it handles is either public (the deployer's load/attest/key messages, whose
// secrets are wrapped under module keys) or sealed (events). It can withhold service; it cannot forge, alter,
// replay or reorder an event undetected (the modules' input path checks all of that).
//
// It does four things (framing and messages: firmware/runtime/README.md):
//   1. frames on the WAN UART (0x7E TYPE LEN PAYLOAD CHK);
//   2. the deployer's messages: enable a module (SM_ENABLE), attest, install a connection key, call an entry;
//   3. routes events: from the WAN to a module input, from a module's outputs (the outbox) to a local module
//      input, back to the WAN or to the HAN UART;
//   4. schedules periodic work: calls module entries every N ticks of its timer (8 Hz).
// The platform layer (platform.s, generated constants from the board file) does what AssemblyScript cannot:
// interrupt handlers, the Sancus enable instruction, the module calling convention (index in r6).

@external("extern", "rt_wan_rx") declare function wan_rx(): i32;
@external("extern", "rt_wan_tx") declare function wan_tx(b: i32): void;
@external("extern", "rt_han_tx") declare function han_tx(b: i32): void;
@external("extern", "rt_take_ticks") declare function take_ticks(): i32;
/** Sleeps until a byte or a tick needs the main loop; `quiet`: a tick with an empty outbox only calls the untrusted
 *  code, in the platform layer (platform.s rt_idle). */
@external("extern", "rt_idle") declare function idle(quiet: bool): void;
@external("extern", "rt_timer_start") declare function timer_start(): void;
@external("extern", "rt_ready") declare function ready(): void;
/** The compromised-node hook (`hasm meter run --untrusted FILE.s`): the linked code's `attack`, every tick. */
@external("extern", "rt_untrusted") declare function untrusted(): void;
/** Calls entry `index` of the module whose entry point is `entry` with r12–r15 = the 4 words at linear `regs`; the
 *  4 result words are written back there; returns r12. */
@external("extern", "rt_sm_call") declare function sm_call(entry: usize, index: i32, regs: usize): i32;
/** SM_ENABLE with r9–r15 = the 7 words at linear `regs`; returns the new module's ID (0: refused). */
@external("extern", "rt_sm_enable") declare function sm_enable(regs: usize): i32;
/** Absolute address of linear offset 0 (modules take absolute pointers to unprotected memory). */
@external("extern", "rt_mem_base") declare function mem_base(): usize;
/** Absolute address of the outbox modules write their sealed outputs to (toolchain/sancus/module/runtime.ts). */
@external("extern", "rt_outbox") declare function outbox(): usize;
/** Copies `len` bytes from absolute `src` to linear `dst` / from linear `src` to absolute `dst`. */
@external("extern", "rt_peek") declare function peek(dst: usize, src: usize, len: i32): void;
@external("extern", "rt_poke") declare function poke(dst: usize, src: usize, len: i32): void;
/** Bit k set when outbox slot k (slots `stride` bytes apart) holds an output (its first word non-zero): the runtime
 *  looks after every call and every tick, and mostly finds the outbox empty. */
@external("extern", "rt_outbox_used") declare function outbox_used(stride: i32): i32;
/** Zero into the word at absolute `dst` (a taken slot's "full" word). */
@external("extern", "rt_clear16") declare function clear16(dst: usize): void;

// ---- constants shared with the host (host/deploy/wan.ts) and the module runtime ------------------------------
const SYNC: u8 = 0x7e;
const MAX_PAYLOAD: i32 = 128;
const MAX_EVENT: i32 = 64; // toolchain/sancus/module/runtime.ts MAX_EVENT
const TAG: i32 = 8;
const OUTBOX_SLOTS: i32 = 4; // toolchain/sancus/module/runtime.ts OUTBOX_SLOTS
const OUTBOX_SLOT: i32 = 6 + MAX_EVENT + TAG;
const HANDLE_INPUT: i32 = 2;
const ATTEST: i32 = 0;
const SET_KEY: i32 = 1;

const T_HELLO: u8 = 0x01;
const T_ENABLE: u8 = 0x02;
const T_CALL: u8 = 0x03;
const T_ATTEST: u8 = 0x04;
const T_SETKEY: u8 = 0x05;
const T_EVENT: u8 = 0x06;
const T_ROUTE: u8 = 0x07;
const T_PERIODIC: u8 = 0x08;
const T_START: u8 = 0x09;
const T_SETKEYS: u8 = 0x0a;
const T_DLMS: u8 = 0x0b;
const T_OUTPUT: u8 = 0x10;
const T_ERROR: u8 = 0x7f;
const REPLY: u8 = 0x80;

const E_CHECKSUM: u8 = 1;
const E_TYPE: u8 = 2;
const E_ARGS: u8 = 3;
const E_FULL: u8 = 4;

const ROUTE_LOCAL: u8 = 1;
const ROUTE_WAN: u8 = 2;
const ROUTE_HAN: u8 = 3;

const MAX_MODULES: i32 = 16;
const MAX_ROUTES: i32 = 32;
const MAX_PERIODIC: i32 = 16;
const QUEUE: i32 = 8; // a power of two: indices wrap with a mask (a signed % calls the 32-bit division routine)
const QUEUE_ENTRY: i32 = 4 + MAX_EVENT + TAG; // conn u16, len u16, sealed
/** DLMS/COSEM wrapper frames (IEC 62056-47) on the same line: header 8 bytes, APDU ≤ 224 (firmware/lib/dlms MAX_PDU). */
const WRAPPER_HEAD: i32 = 8;
const WRAPPER_MAX_APDU: i32 = 224;

// ---- state (all of it unprotected, as it should be) ------------------------------------------------------------
const rx = memory.data(MAX_PAYLOAD + 4);
const tx = memory.data(MAX_PAYLOAD + 4);
const regs = memory.data(16);
const modEntry = memory.data(MAX_MODULES * 2);
const routeConn = memory.data(MAX_ROUTES * 2);
const routeKind = memory.data(MAX_ROUTES);
const routeSlot = memory.data(MAX_ROUTES);
const perSlot = memory.data(MAX_PERIODIC);
const perIndex = memory.data(MAX_PERIODIC);
const perPeriod = memory.data(MAX_PERIODIC * 2);
const perLeft = memory.data(MAX_PERIODIC * 2);
const queue = memory.data(QUEUE * QUEUE_ENTRY);
const results = memory.data(16);
/** Word-aligned copy of a request for a module (the crypto unit and the module runtime read whole words). */
const work = memory.data(32);
/** A wrapper frame being received, whole, for the module that terminates DLMS (T_DLMS); the runtime only routes it. */
const wrapper = memory.data(WRAPPER_HEAD + WRAPPER_MAX_APDU);
// Non-zero, declared last: the backend sizes linear memory by the last data segment, and binaryen drops the
// all-zero segments of the buffers above, so without it they would lie past the mapped memory (and trap).
const MEMORY_END = memory.data<u8>([0x5a, 0xa5]);

let routes: i32 = 0;
let periodics: i32 = 0;
let qHead: i32 = 0;
let qCount: i32 = 0;
let ticks: u32 = 0;
let running: bool = false;
/** Events dropped because the queue was full or they had no route (an honest runtime reports them). */
let dropped: i32 = 0;

/** The module slot and entry index wrapper frames go to (T_DLMS); slot 0xff: none, the bytes are hunted over. */
let dlmsSlot: i32 = 0xff;
let dlmsEntry: i32 = 0;
let wGot: i32 = 0;
let wLen: i32 = 0;

// receiver state: 0 hunt, 1 type, 2 len, 3 payload, 4 checksum, 5 wrapper frame
let rxState: i32 = 0;
/** Ticks since the last WAN byte: a frame left unfinished for two ticks is dropped (its byte was lost — the UART
 *  holds one byte, overrun while a module ran with interrupts off — or its sender gave up), so the next frame is
 *  read from its start instead of as the rest of the old one. */
let rxIdle: i32 = 0;
let rxType: i32 = 0;
let rxLen: i32 = 0;
let rxGot: i32 = 0;
let rxSum: i32 = 0;

// ---- framing ----------------------------------------------------------------------------------------------------
function send(port: i32, type: u8, len: i32): void {
  // port 0: WAN, 1: HAN (transmit only: the data diode is the board's wiring)
  let sum: i32 = type + len;
  put(port, SYNC);
  put(port, type);
  put(port, len);
  for (let i = 0; i < len; i++) {
    const b = load<u8>(tx + i);
    sum += b;
    put(port, b);
  }
  put(port, (0x100 - (sum & 0xff)) & 0xff);
}

function put(port: i32, b: i32): void {
  if (port == 0) wan_tx(b);
  else han_tx(b);
}

function error(code: u8, type: i32): void {
  store<u8>(tx, code);
  store<u8>(tx + 1, type);
  send(0, T_ERROR, 2);
}

function u16at(p: usize): i32 {
  return <i32>load<u8>(p) | (<i32>load<u8>(p + 1) << 8);
}

function put16(p: usize, v: i32): void {
  store<u8>(p, v & 0xff);
  store<u8>(p + 1, (v >> 8) & 0xff);
}

/** Feeds one received byte to the frame parser; dispatches a complete frame. */
function receive(b: i32): void {
  rxIdle = 0;
  if (rxState == 0) {
    if (b == SYNC) rxState = 1;
    else if (b == 0 && dlmsSlot != 0xff) {
      // A wrapper frame starts with its version 0x0001 (IEC 62056-47); an event frame with 0x7E: the first byte
      // tells them apart (firmware/README.md "DLMS on the WAN UART").
      rxState = 5;
      wGot = 0;
      wLen = WRAPPER_HEAD;
      wrapperByte(b);
    }
    return;
  }
  if (rxState == 5) {
    wrapperByte(b);
    return;
  }
  if (rxState == 1) {
    rxType = b;
    rxSum = b;
    rxState = 2;
    return;
  }
  if (rxState == 2) {
    if (b > MAX_PAYLOAD) {
      rxState = 0;
      error(E_ARGS, rxType);
      return;
    }
    rxLen = b;
    rxGot = 0;
    rxSum += b;
    rxState = rxLen > 0 ? 3 : 4;
    return;
  }
  if (rxState == 3) {
    store<u8>(rx + rxGot, b);
    rxGot++;
    rxSum += b;
    if (rxGot == rxLen) rxState = 4;
    return;
  }
  rxState = 0;
  if (((rxSum + b) & 0xff) != 0) {
    error(E_CHECKSUM, rxType);
    return;
  }
  dispatch(rxType, rxLen);
}

/** One byte of a wrapper frame: checks the header as it comes (version 1, APDU length 0..224: an empty APDU is the
 *  server's to refuse, as any head-end's bad input), else back to
 *  hunting; a whole frame goes to the DLMS module's entry as (absolute address, length). */
function wrapperByte(b: i32): void {
  store<u8>(wrapper + wGot, b);
  wGot++;
  if (wGot == 2 && b != 1) { rxState = 0; return; }
  if (wGot == WRAPPER_HEAD) {
    const n = (<i32>load<u8>(wrapper + 6) << 8) | <i32>load<u8>(wrapper + 7);
    if (n > WRAPPER_MAX_APDU) { rxState = 0; return; }
    wLen = WRAPPER_HEAD + n;
  }
  if (wGot < wLen) return;
  rxState = 0;
  const at = <i32>(mem_base() + wrapper);
  call(dlmsSlot, dlmsEntry, at, 0, wLen, 0);
  route();
}

// ---- module calls -----------------------------------------------------------------------------------------------
function call(slot: i32, index: i32, a: i32, b: i32, c: i32, d: i32): i32 {
  put16(regs, a);
  put16(regs + 2, b);
  put16(regs + 4, c);
  put16(regs + 6, d);
  const r = sm_call(<usize>u16at(modEntry + slot * 2), index, regs);
  drain();
  return r;
}

/** Moves every pending output of the outbox into the queue (in slot order), then routes the queue. */
function drain(): void {
  const used = outbox_used(OUTBOX_SLOT);
  if (used == 0) return;
  const box = outbox();
  for (let k = 0; k < OUTBOX_SLOTS; k++) {
    if ((used & (1 << k)) == 0) continue;
    const at = box + k * OUTBOX_SLOT;
    peek(regs + 8, at + 2, 4);
    const conn = u16at(regs + 8);
    const len = u16at(regs + 10);
    clear16(at);
    if (len > MAX_EVENT || qCount == QUEUE) {
      dropped++;
      continue;
    }
    const e = queue + ((qHead + qCount) & (QUEUE - 1)) * QUEUE_ENTRY;
    put16(e, conn);
    put16(e + 2, len);
    peek(e + 4, at + 6, len + TAG);
    qCount++;
  }
}

/** Routes queued events until the queue is empty (local deliveries may queue more). */
function route(): void {
  while (qCount > 0) {
    const e = queue + qHead * QUEUE_ENTRY;
    qHead = (qHead + 1) & (QUEUE - 1);
    qCount--;
    const conn = u16at(e);
    const len = u16at(e + 2);
    deliver(conn, e + 4, len);
  }
}

function findRoute(conn: i32): i32 {
  for (let i = 0; i < routes; i++) if (u16at(routeConn + i * 2) == conn) return i;
  return -1;
}

/** One sealed event (`len` payload bytes + tag at linear `at`) to where its connection goes. */
function deliver(conn: i32, at: usize, len: i32): i32 {
  const r = findRoute(conn);
  if (r < 0) {
    dropped++;
    return 0;
  }
  const kind = load<u8>(routeKind + r);
  if (kind == ROUTE_LOCAL) {
    return call(load<u8>(routeSlot + r), HANDLE_INPUT, conn, <i32>(mem_base() + at), len, 0);
  }
  put16(tx, conn);
  for (let i = 0; i < len + TAG; i++) store<u8>(tx + 2 + i, load<u8>(at + i));
  send(kind == ROUTE_HAN ? 1 : 0, T_OUTPUT, len + TAG + 2);
  return 1;
}

// ---- the deployer's messages and events from the WAN --------------------------------------------------------
function setRoute(conn: i32, kind: u8, slot: u8): bool {
  let r = findRoute(conn);
  if (r < 0) {
    if (routes == MAX_ROUTES) return false;
    r = routes++;
  }
  put16(routeConn + r * 2, conn);
  store<u8>(routeKind + r, kind);
  store<u8>(routeSlot + r, slot);
  return true;
}

function slotOk(slot: i32): bool {
  return slot < MAX_MODULES && u16at(modEntry + slot * 2) != 0;
}

function dispatch(type: i32, len: i32): void {
  const reply = <u8>(type | REPLY);
  if (type == T_HELLO) {
    store<u8>(tx, 1); // protocol version
    store<u8>(tx + 1, <u8>MAX_MODULES);
    store<u8>(tx + 2, <u8>MAX_EVENT);
    put16(tx + 3, dropped);
    store<u8>(tx + 5, load<u8>(MEMORY_END));
    send(0, reply, 6);
    return;
  }
  if (type == T_ENABLE) {
    // slot u8, then r9..r15 as 7 little-endian words: tag*, nonce, vendor, text start/end, data start/end; then
    // optionally an entry index (u8) to call once right after enabling (a compiled module's start function)
    if ((len != 15 && len != 16) || load<u8>(rx) >= <u8>MAX_MODULES) { error(E_ARGS, type); return; }
    for (let i = 0; i < 14; i++) store<u8>(regs + i, load<u8>(rx + 1 + i));
    const id = sm_enable(regs);
    if (id != 0) {
      put16(modEntry + load<u8>(rx) * 2, u16at(rx + 7)); // r12: the text start is the entry point
      if (len == 16) call(load<u8>(rx), load<u8>(rx + 15), 0, 0, 0, 0);
    }
    store<u8>(tx, load<u8>(rx));
    put16(tx + 1, id);
    send(0, reply, 3);
    return;
  }
  if (type == T_CALL) {
    // slot u8, index u8, r12..r15 → r12..r15
    if (len != 10 || !slotOk(load<u8>(rx))) { error(E_ARGS, type); return; }
    call(load<u8>(rx), load<u8>(rx + 1), u16at(rx + 2), u16at(rx + 4), u16at(rx + 6), u16at(rx + 8));
    for (let i = 0; i < 8; i++) store<u8>(results + i, load<u8>(regs + i));
    route(); // the outputs the call left go out before the reply
    for (let i = 0; i < 8; i++) store<u8>(tx + i, load<u8>(results + i));
    send(0, reply, 8);
    return;
  }
  if (type == T_ATTEST) {
    // slot u8, challenge (16) → r12, tag (8): the module reads the challenge from and writes the tag to our buffer
    if (len != 17 || !slotOk(load<u8>(rx))) { error(E_ARGS, type); return; }
    for (let i = 0; i < 16; i++) store<u8>(work + i, load<u8>(rx + 1 + i));
    const base = <i32>mem_base();
    const r = call(load<u8>(rx), ATTEST, base + <i32>work, base + <i32>work + 16, 0, 0);
    put16(tx, r);
    for (let i = 0; i < 8; i++) store<u8>(tx + 2 + i, load<u8>(work + 16 + i));
    send(0, reply, 10);
    return;
  }
  if (type == T_SETKEY || type == T_SETKEYS) {
    // one (set key) or up to 5 (set keys) of: slot u8, route kind u8 (0: none, else as T_ROUTE for the request's
    // connection, to this slot), request (22: AD ‖ wrapped key ‖ tag; the AD's first word is the connection id,
    // big-endian) → r12 of each, in order
    const n = len / 24;
    if (len == 0 || len % 24 != 0 || (type == T_SETKEY && n != 1)) { error(E_ARGS, type); return; }
    for (let k = 0; k < n; k++) {
      const q = rx + k * 24;
      if (!slotOk(load<u8>(q)) || load<u8>(q + 1) > ROUTE_HAN) { error(E_ARGS, type); return; }
    }
    for (let k = 0; k < n; k++) {
      const q = rx + k * 24;
      for (let i = 0; i < 22; i++) store<u8>(work + i, load<u8>(q + 2 + i));
      const r = call(load<u8>(q), SET_KEY, <i32>mem_base() + <i32>work, 0, 0, 0);
      const kind = load<u8>(q + 1);
      if (r == 1 && kind != 0 && !setRoute((<i32>load<u8>(work) << 8) | <i32>load<u8>(work + 1), kind, load<u8>(q))) { error(E_FULL, type); return; }
      put16(results + k * 2, r);
    }
    for (let k = 0; k < n * 2; k++) store<u8>(tx + k, load<u8>(results + k));
    send(0, reply, n * 2);
    return;
  }
  if (type == T_EVENT) {
    // conn u16, cipher ‖ tag → conn, r12 (1: the module accepted it); outputs it caused go out first
    if (len < 2 + TAG || len > 2 + MAX_EVENT + TAG) { error(E_ARGS, type); return; }
    const conn = u16at(rx);
    const r = deliver(conn, rx + 2, len - 2 - TAG);
    route();
    put16(tx, conn);
    put16(tx + 2, r);
    send(0, reply, 4);
    return;
  }
  if (type == T_ROUTE) {
    // conn u16, kind u8, slot u8
    const kind = load<u8>(rx + 2);
    if (len != 4 || kind < ROUTE_LOCAL || kind > ROUTE_HAN || (kind == ROUTE_LOCAL && !slotOk(load<u8>(rx + 3)))) { error(E_ARGS, type); return; }
    if (!setRoute(u16at(rx), kind, load<u8>(rx + 3))) { error(E_FULL, type); return; }
    store<u8>(tx, 1);
    send(0, reply, 1);
    return;
  }
  if (type == T_PERIODIC) {
    // slot u8, index u8, period u16 (ticks)
    if (len != 4 || !slotOk(load<u8>(rx)) || u16at(rx + 2) == 0) { error(E_ARGS, type); return; }
    if (periodics == MAX_PERIODIC) { error(E_FULL, type); return; }
    const p = periodics++;
    store<u8>(perSlot + p, load<u8>(rx));
    store<u8>(perIndex + p, load<u8>(rx + 1));
    put16(perPeriod + p * 2, u16at(rx + 2));
    put16(perLeft + p * 2, u16at(rx + 2));
    store<u8>(tx, 1);
    send(0, reply, 1);
    return;
  }
  if (type == T_DLMS) {
    // slot u8, entry index u8: where wrapper frames go (the module hosting the DLMS/COSEM server)
    if (len != 2 || !slotOk(load<u8>(rx))) { error(E_ARGS, type); return; }
    dlmsSlot = load<u8>(rx);
    dlmsEntry = load<u8>(rx + 1);
    store<u8>(tx, 1);
    send(0, reply, 1);
    return;
  }
  if (type == T_START) {
    if (!running) timer_start();
    running = true;
    store<u8>(tx, 1);
    send(0, reply, 1);
    return;
  }
  error(E_TYPE, type);
}

// ---- periodic work ------------------------------------------------------------------------------------------------
function tick(): void {
  ticks++;
  if (rxState != 0 && ++rxIdle >= 2) rxState = 0;
  // What a protected scheduler's calls left for the WAN or HAN (issue 20, host/deploy/scheduler.ts): out first.
  // Mostly there is nothing (a reading every half hour, a log entry now and then): one look at the outbox and the
  // queue, without the calls (issue 18 "Simulation speed": eight ticks a second).
  if (outbox_used(OUTBOX_SLOT) != 0) drain();
  if (qCount > 0) route();
  untrusted();
  for (let p = 0; p < periodics; p++) {
    const left = u16at(perLeft + p * 2) - 1;
    if (left > 0) {
      put16(perLeft + p * 2, left);
      continue;
    }
    put16(perLeft + p * 2, u16at(perPeriod + p * 2));
    call(load<u8>(perSlot + p), load<u8>(perIndex + p), <i32>(ticks & 0xffff), <i32>(ticks >>> 16), 0, 0);
    route();
  }
}

/** The runtime's main loop: never returns. */
export function main(): void {
  ready();
  for (;;) {
    const b = wan_rx();
    if (b >= 0) {
      receive(b);
      continue;
    }
    // The ticks, then straight to sleep: rt_idle looks at the receive ring and the tick count with interrupts off
    // and returns at once when either has something for this loop, so a wake-up looks at each once, not twice; and
    // while nothing is half received, queued or periodic here (a node with a protected scheduler), the ticks that
    // find the outbox empty never come back here (issue 18 "Simulation speed": eight wake-ups a second, most with
    // nothing but the untrusted code's call to do).
    for (let n = take_ticks(); n > 0; n--) tick();
    idle(rxState == 0 && qCount == 0 && periodics == 0);
  }
}
