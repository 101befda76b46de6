// Thousands of Binaryen fuzz modules through V8 and the emulator (issue 4 "Random programs", issue 17 item 2).
// Usage:
//   npx tsx test/bench/compiler-fuzz.ts [FIRST_SEED] [COUNT] [--log test/bench/fuzz-log.md]
// With --log, one table row is appended per run: seeds, modules, skipped, errors, calls, mismatches, and the
// compiler it ran on (HEAD, plus a digest of any uncommitted change under toolchain/ — the run loads the compiler
// once at start, so the row names exactly the code that was fuzzed). The log is how the count over an issue is
// audited: rows with fresh seeds add up.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { loadBoard } from '../../boards/board.ts';
import { fuzzOne } from '../compiler/fuzz.ts';

const args = process.argv.slice(2);
const logAt = args.indexOf('--log');
const logFile = logAt >= 0 ? args.splice(logAt, 2)[1] : undefined;
if (logAt >= 0 && !logFile) throw new Error('--log needs a file');
const first = Number(args[0] ?? 1000);
const count = Number(args[1] ?? 300); // `make bench` default; pass 3000 for a long run

/** The compiler this run loads: HEAD and, when toolchain/ has uncommitted changes, a digest of that diff. */
function compilerVersion(): string {
  const git = (...a: string[]) => execFileSync('git', a, { encoding: 'utf8' });
  const head = git('rev-parse', '--short=7', 'HEAD').trim();
  const diff = git('diff', 'HEAD', '--', 'toolchain/') + git('ls-files', '--others', '--exclude-standard', '--', 'toolchain/');
  const dirty = git('status', '--porcelain', '--', 'toolchain/compiler/').split('\n').filter(Boolean).map((l) => l.slice(3).replace('toolchain/compiler/', ''));
  if (!diff) return head;
  return `${head} + uncommitted toolchain/ (digest ${createHash('sha256').update(diff).digest('hex').slice(0, 10)}; in compiler/: ${dirty.join(', ') || 'none'})`;
}
const version = logFile ? compilerVersion() : '';

const board = loadBoard('emulated');
let calls = 0;
let traps = 0;
let mismatches = 0;
let skipped = 0;
let errors = 0;
const bad: number[] = [];
const t0 = Date.now();
const started = new Date(t0).toISOString().slice(0, 16).replace('T', ' ');
for (let seed = first; seed < first + count; seed++) {
  try {
    const o = await fuzzOne(seed, board);
    calls += o.calls;
    traps += o.traps;
    mismatches += o.mismatches.length;
    if (o.mismatches.length) bad.push(seed);
    if (o.skipped) skipped++;
    for (const m of o.mismatches.slice(0, 3)) console.log(`seed ${seed}: ${m.fn}(${m.args.join(', ')}): V8 ${m.v8}, ours ${m.ours}`);
  } catch (e) {
    errors++;
    bad.push(seed);
    console.log(`seed ${seed}: compile/run error: ${(e as Error).message.split('\n')[0]}`);
  }
}
const seconds = (Date.now() - t0) / 1000;
console.log('');
console.log('modules  skipped  errors  calls  value-results  traps  mismatches  seconds');
console.log(`${String(count).padStart(7)}  ${String(skipped).padStart(7)}  ${String(errors).padStart(6)}  ${String(calls).padStart(5)}  ${String(calls - traps).padStart(13)}  ${String(traps).padStart(5)}  ${String(mismatches).padStart(10)}  ${seconds.toFixed(1).padStart(7)}`);
if (logFile) {
  const row = [`${first}–${first + count - 1}`, count, count - skipped, skipped, errors, calls, calls - traps, mismatches, bad.join(' ') || '—', version, started, seconds.toFixed(0)];
  appendFileSync(logFile, `| ${row.join(' | ')} |\n`);
}
if (mismatches || errors) process.exitCode = 1;
