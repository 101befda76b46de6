// The linear memory's start-up code (ARCHITECTURE.md "The compiler path" 5; wasm: memory starts zeroed, then the
// data segments apply). `__hasm_init` clears the whole memory a word at a time, then writes only the non-zero words
// of the initial image: each run of them as inline `mov #w, &addr` stores or, when that is shorter, in a `.rodata`
// table ([address, end address, words…]…, 0) that a copy loop walks. A module's static area is mostly zero (buffers,
// counters: test/firmware/repro/zero-static-data.as): an image up to the last non-zero byte cost hundreds of bytes
// of flash for zeros.

/** Words the MSP430's constant generator makes (SLAU144 §3.2.4): `mov #w, &a` is then 4 bytes, else 6. */
const CG_WORDS = new Set([0, 1, 2, 4, 8, 0xffff]);
/** A new run costs its two header words: a zero gap this long (in words) or shorter is cheaper copied. */
const MERGE_GAP = 2;
/** Bytes of the table walker below (mov #, r13; the run loop; the copy loop). */
const WALKER_BYTES = 24;

interface Run {
  start: number; // word index
  words: number[];
}

/** Runs of non-zero words (zero gaps of at most MERGE_GAP words folded in). */
function nonZeroRuns(mem: Uint8Array): Run[] {
  const runs: Run[] = [];
  let gap = Infinity;
  for (let i = 0; i * 2 < mem.length; i++) {
    const w = mem[2 * i]! | ((mem[2 * i + 1] ?? 0) << 8);
    if (w === 0) {
      gap++;
      continue;
    }
    const last = runs[runs.length - 1];
    if (last && gap <= MERGE_GAP) {
      for (let k = 0; k < gap; k++) last.words.push(0);
      last.words.push(w);
    } else runs.push({ start: i, words: [w] });
    gap = 0;
  }
  return runs;
}

/**
 * `__hasm_init`'s memory part for a memory of `memSize` bytes at `mem` (a symbol) with initial bytes `image`:
 * the code (r12–r14 clobbered) and the `.rodata` it reads (empty when the stores are inline).
 */
export function memoryInit(mem: string, memSize: number, image: Uint8Array): { code: string[]; rodata: string[] } {
  const code = [`  mov #${mem}, r12`, '.Lhasm_init_clear:', '  clr 0(r12)', '  incd r12', `  cmp #${mem}+${memSize}, r12`, '  jne .Lhasm_init_clear'];
  // Each run as inline stores or in the table, whichever is shorter; the table only if it repays its walker.
  const runs = nonZeroRuns(image);
  const inlineCost = (r: Run) => r.words.reduce((m, w) => m + (w === 0 ? 0 : CG_WORDS.has(w) ? 4 : 6), 0);
  const tableCost = (r: Run) => 4 + 2 * r.words.length;
  let tabled = runs.filter((r) => tableCost(r) < inlineCost(r));
  if (tabled.reduce((n, r) => n + inlineCost(r) - tableCost(r), 0) <= WALKER_BYTES + 2) tabled = [];
  for (const r of runs) if (!tabled.includes(r)) r.words.forEach((w, k) => w && code.push(`  mov #${w}, &${mem}+${2 * (r.start + k)}`));
  if (!tabled.length) return { code, rodata: [] };
  code.push(
    `  mov #${mem}_init, r13`,
    '.Lhasm_init_run:',
    '  mov @r13+, r12', // the run's address; 0 ends the table
    '  cmp #0, r12',
    '  jeq .Lhasm_init_done',
    '  mov @r13+, r14', // its end address
    '.Lhasm_init_copy:',
    '  mov @r13+, 0(r12)',
    '  incd r12',
    '  cmp r14, r12',
    '  jne .Lhasm_init_copy',
    '  jmp .Lhasm_init_run',
    '.Lhasm_init_done:',
  );
  const rodata = ['  .balign 2', `${mem}_init:`];
  for (const r of tabled) {
    const bytes = r.words.flatMap((w) => [w & 0xff, w >> 8]);
    rodata.push(`  .word ${mem}+${2 * r.start}, ${mem}+${2 * (r.start + r.words.length)}`);
    for (let i = 0; i < bytes.length; i += 16) rodata.push(`  .byte ${bytes.slice(i, i + 16).join(', ')}`);
  }
  rodata.push('  .word 0');
  return { code, rodata };
}
