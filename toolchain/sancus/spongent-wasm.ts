// π_b of SPONGENT-160/160/16 (spongent.ts) as a small WebAssembly function, written here byte by byte: the same
// 22 table lookups per round, but on three 64-bit words and with the table in linear memory, where the lookups need
// no bounds checks — 3 loads per byte instead of the JavaScript version's 6. The permutation under every Sancus
// seal and unseal (the crypto unit model runs tens of them per simulated second of the meter; issue 18 "Simulation
// speed"). The table and round constants are spongent.ts's own, copied into the module's memory; test/sancus checks
// this function against the JavaScript one and against the hardware vectors.
//
// Memory: [0, 24) the state as three little-endian i64 (bytes 0..7, 8..15, 16..21 + two zero bytes); [64, 1504) the
// round constants, 16 bytes a round (low: into word 0, high: into word 2); [2048, …) the table, 22 × 256 entries of
// 24 bytes (entry = spongent.ts's six 32-bit words, i.e. three i64).

const STATE = 0;
const RC = 64;
const TABLE_AT = 2048;
const ENTRY = 24;
const ROUNDS = 90;
const BYTES = 22;

// Opcodes (WebAssembly core spec §5.4).
const OP = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21, i64Load: 0x29, i64Store: 0x37,
  i32Const: 0x41, i64Const: 0x42, i32LtU: 0x49, i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71, i64Xor: 0x85,
  i64ShrU: 0x88, i32WrapI64: 0xa7,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 of a small non-negative constant (≤ 2^31). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    if ((n === 0 && !(b & 0x40))) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** The function body: locals 0–2 state words, 3–5 accumulators (i64), 6 round, 7 address (i32). */
function body(): number[] {
  const S = [0, 1, 2], A = [3, 4, 5], R = 6, X = 7;
  const c: number[] = [];
  const load64 = (offset: number) => c.push(OP.i64Load, 3, ...uleb(offset));
  // load the state
  for (let j = 0; j < 3; j++) c.push(OP.i32Const, 0), load64(STATE + 8 * j), c.push(OP.localSet, S[j]!);
  c.push(OP.loop, 0x40);
  // round constants: s0 ^= rc[r].lo, s2 ^= rc[r].hi (address r·16)
  for (const [j, off] of [[0, RC], [2, RC + 8]] as const) {
    c.push(OP.localGet, S[j]!, OP.localGet, R, OP.i32Const, 16, OP.i32Mul);
    load64(off);
    c.push(OP.i64Xor, OP.localSet, S[j]!);
  }
  for (let j = 0; j < 3; j++) c.push(OP.i64Const, 0, OP.localSet, A[j]!);
  for (let k = 0; k < BYTES; k++) {
    // x = ((s[k/8] >> 8·(k mod 8)) & 255) · 24; a_j ^= table[k][x] word j
    c.push(OP.localGet, S[k >> 3]!, OP.i64Const, ...sleb(8 * (k & 7)), OP.i64ShrU, OP.i32WrapI64);
    c.push(OP.i32Const, ...sleb(255), OP.i32And, OP.i32Const, ...sleb(ENTRY), OP.i32Mul, OP.localSet, X);
    for (let j = 0; j < 3; j++) {
      c.push(OP.localGet, A[j]!, OP.localGet, X);
      load64(TABLE_AT + k * 256 * ENTRY + 8 * j);
      c.push(OP.i64Xor, OP.localSet, A[j]!);
    }
  }
  for (let j = 0; j < 3; j++) c.push(OP.localGet, A[j]!, OP.localSet, S[j]!);
  // r += 1; loop while r < 90
  c.push(OP.localGet, R, OP.i32Const, 1, OP.i32Add, OP.localSet, R);
  c.push(OP.localGet, R, OP.i32Const, ...sleb(ROUNDS), OP.i32LtU, OP.brIf, 0, OP.end);
  // store the state
  for (let j = 0; j < 3; j++) c.push(OP.i32Const, 0, OP.localGet, S[j]!, OP.i64Store, 3, ...uleb(STATE + 8 * j));
  c.push(OP.end);
  const locals = vec([[6, 0x7e], [2, 0x7f]]); // 6 × i64, 2 × i32
  return [...locals, ...c];
}

function moduleBytes(pages: number): Uint8Array {
  const code = body();
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0x00, 0x00]])), // type 0: [] → []
    ...section(3, vec([[0x00]])), // function 0: type 0
    ...section(5, vec([[0x00, ...uleb(pages)]])), // memory 0: min pages
    ...section(7, vec([[...name('memory'), 0x02, 0x00], [...name('permute'), 0x00, 0x00]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface WasmPermutation {
  /** Applies π_b in place to six 32-bit words (spongent.ts layout). */
  permuteWords(w: Uint32Array): void;
}

/** Builds the module over spongent.ts's table (Int32Array, 22·256·6 words) and round constants. */
export function wasmPermutation(table: Int32Array, roundLo: Uint32Array, roundHi: Uint32Array): WasmPermutation {
  const bytes = TABLE_AT + BYTES * 256 * ENTRY;
  const pages = Math.ceil(bytes / 65536);
  const instance = new wasm.Instance(new wasm.Module(moduleBytes(pages)));
  const memory = instance.exports.memory as { buffer: ArrayBuffer };
  const permute = instance.exports.permute as () => void;
  const words = new Int32Array(memory.buffer);
  words.set(table, TABLE_AT / 4);
  for (let r = 0; r < ROUNDS; r++) {
    words[RC / 4 + 4 * r] = roundLo[r]!; // low i64: bits 0..6 of word 0
    words[RC / 4 + 4 * r + 3] = roundHi[r]!; // high i64's upper half: state word 5
  }
  const state = new Uint32Array(memory.buffer, STATE, 6);
  return {
    permuteWords(w: Uint32Array): void {
      state[0] = w[0]!; state[1] = w[1]!; state[2] = w[2]!; state[3] = w[3]!; state[4] = w[4]!; state[5] = w[5]! & 0xffff;
      permute();
      w[0] = state[0]!; w[1] = state[1]!; w[2] = state[2]!; w[3] = state[3]!; w[4] = state[4]!; w[5] = state[5]!;
    },
  };
}
