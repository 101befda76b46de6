// Value ranges (issue 17 item 1/2): a loop counter Binaryen rewrote as `D = L + 1; … L = D` (the body reusing
// L + 1) is bounded by its guard like a plain `L = L + 1`, so its accesses need no check; the same shape with
// another set of L between the guard and `D = L + 1` proves nothing, keeps its check, and an out-of-range
// access still traps (issue 17 item 2: every access proven or checked).
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildWasm } from '../../toolchain/compiler/compile.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

const board = loadBoard('emulated');
// 40 bytes of data: u16 table[i] = i + 1 for i in 0..19. `walk` reads table[i] with i < 20 and then sets i from
// the copy; `skew(k)` first adds k to i inside the guarded arm, so `i + 1` is no longer bounded by the guard.
const loop = (name: string, extra: string, param: string) => `
  (func $${name} (export "${name}") ${param} (result i32)
    (local $i i32) (local $d i32) (local $s i32)
    (loop $top
      (if (i32.lt_s (local.get $i) (i32.const 20))
        (then
          ${extra}
          (local.set $s (i32.add (local.get $s)
            (i32.mul (local.tee $d (i32.add (local.get $i) (i32.const 1)))
                     (i32.load16_u (i32.shl (local.get $d) (i32.const 1))))))
          (local.set $i (local.get $d))
          (br $top))))
    (local.get $s))`;

// `down(n)`: j = n & 15 counts down while j >= 0 (insertion sort's inner loop): its reads under the check are in
// [0, 15], no check. `early(n)`: the decrement runs before the read, so the read may see −1 — checked, and traps.
// `from1`: a counter that starts at 1 (its web never sees the entry 0) indexes with i − 1, proven.
const DOWN = `
  (func $down (export "down") (param $n i32) (result i32)
    (local $j i32) (local $s i32)
    (local.set $j (i32.and (local.get $n) (i32.const 15)))
    (loop $top
      (if (i32.ge_s (local.get $j) (i32.const 0))
        (then
          (local.set $s (i32.add (local.get $s) (i32.load16_u (i32.shl (local.get $j) (i32.const 1)))))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br $top))))
    (local.get $s))
  (func $early (export "early") (param $n i32) (result i32)
    (local $j i32) (local $s i32)
    (local.set $j (i32.and (local.get $n) (i32.const 15)))
    (loop $top
      (if (i32.ge_s (local.get $j) (i32.const 0))
        (then
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (local.set $s (i32.add (local.get $s) (i32.load16_u (i32.shl (local.get $j) (i32.const 1)))))
          (br $top))))
    (local.get $s))
  (func $from1 (export "from1") (result i32)
    (local $i i32) (local $s i32)
    (local.set $i (i32.const 1))
    (loop $top
      (if (i32.lt_s (local.get $i) (i32.const 21))
        (then
          (local.set $s (i32.add (local.get $s) (i32.load16_u (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $top))))
    (local.get $s))`;
const TABLE = `(memory 1)
  (data (i32.const 0) "${Array.from({ length: 21 }, (_, i) => `\\${(i + 1).toString(16).padStart(2, '0')}\\00`).join('')}")`;

async function build(funcs: string, file: string) {
  const mod = binaryen.parseText(`(module ${TABLE} ${funcs})`);
  expect(mod.validate()).toBeTruthy();
  const b = await buildWasm(mod.emitBinary(), board, { heap: 0, file });
  const fn = (name: string) => {
    const at = b.backend.asm.indexOf(`\n${name}:`);
    return b.backend.asm.slice(at, b.backend.asm.indexOf('.size', at));
  };
  const image = imageFromLinked(b.image, file);
  const call = (name: string, args: bigint[]) => callExport(loadMachine(image, board), image, name, args);
  return { b, fn, call };
}

describe('value ranges: a counter counting down under a >= 0 check; a counter starting above 0', () => {
  it('reads under the check are proven; a read after the decrement is checked and traps at −1', async () => {
    const { fn, call } = await build(DOWN, 'ranges-down');
    expect(fn('down')).not.toMatch(/trap_memory/);
    expect(fn('from1')).not.toMatch(/trap_memory/);
    expect(fn('early')).toMatch(/trap_memory/);
    for (const n of [0n, 5n, 15n, 31n]) expect(call('down', [n]).result).toBe(BigInt(Array.from({ length: Number(n & 15n) + 1 }, (_, i) => i + 1).reduce((a, x) => a + x, 0)));
    expect(call('from1', []).result).toBe(BigInt((20 * 21) / 2));
    expect(call('early', [3n]).trap).toBe('memory'); // j = −1: address −2
  }, 60_000);
});

describe('value ranges: a guarded counter copied through another local', () => {
  it('is bounded by its guard (no check in the loop); another set of the counter first keeps the check, which traps', async () => {
    const { b, fn, call } = await build(`${loop('walk', '', '')} ${loop('skew', '(local.set $i (i32.add (local.get $i) (local.get $k)))', '(param $k i32)')}`, 'ranges-copy');
    expect(fn('walk')).not.toMatch(/trap_memory/);
    expect(fn('skew')).toMatch(/trap_memory/);
    // walk: Σ_{d=1..20} d · table[d] = Σ d · (d + 1)
    const want = Array.from({ length: 20 }, (_, i) => (i + 1) * (i + 2)).reduce((a, x) => a + x, 0);
    expect(call('walk', []).result).toBe(BigInt(want));
    expect(call('skew', [0n]).result).toBe(BigInt(want));
    // k = 5000: i + 1 = 5001, the address 10002 lies beyond the module's memory; nothing proved it in range.
    expect(b.backend.memSize).toBeLessThan(10002);
    expect(call('skew', [5000n]).trap).toBe('memory');
  }, 60_000);
});
