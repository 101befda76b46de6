// Thousands of Binaryen fuzz modules through V8 and the emulator (issue 4 "Random programs"). Usage:
//   npx tsx test/bench/compiler-fuzz.ts [FIRST_SEED] [COUNT]
import { loadBoard } from '../../boards/board.ts';
import { fuzzOne } from '../compiler/fuzz.ts';

const first = Number(process.argv[2] ?? 1000);
const count = Number(process.argv[3] ?? 300); // `make bench` default; pass 3000 for a long run
const board = loadBoard('emulated');
let calls = 0;
let traps = 0;
let mismatches = 0;
let skipped = 0;
let errors = 0;
const t0 = Date.now();
for (let seed = first; seed < first + count; seed++) {
  try {
    const o = await fuzzOne(seed, board);
    calls += o.calls;
    traps += o.traps;
    mismatches += o.mismatches.length;
    if (o.skipped) skipped++;
    for (const m of o.mismatches.slice(0, 3)) console.log(`seed ${seed}: ${m.fn}(${m.args.join(', ')}): V8 ${m.v8}, ours ${m.ours}`);
  } catch (e) {
    errors++;
    console.log(`seed ${seed}: compile/run error: ${(e as Error).message.split('\n')[0]}`);
  }
}
console.log('');
console.log('modules  skipped  errors  calls  value-results  traps  mismatches  seconds');
console.log(`${String(count).padStart(7)}  ${String(skipped).padStart(7)}  ${String(errors).padStart(6)}  ${String(calls).padStart(5)}  ${String(calls - traps).padStart(13)}  ${String(traps).padStart(5)}  ${String(mismatches).padStart(10)}  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)}`);
