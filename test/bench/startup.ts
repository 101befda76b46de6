// Benchmark (issue 15 item 1): what a user waits for and the memory it takes, per `hasm` command, beside the peers
// a firmware engineer would otherwise run — clang-14 compiling the same function for the MSP430, and asc alone —
// all in the same run. Each command is a fresh process (that is how users meet it); wall time is the median of
// RUNS, peak memory (max RSS of the process and its children) the largest. Usage: npx tsx test/bench/startup.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'hasm-startup-'));
const hasm = ['node', join(ROOT, 'bin/hasm.mjs')];

// The same small function three ways: AssemblyScript for hasm build and asc, C for clang.
writeFileSync(join(dir, 'add.ts'), 'export function add(a: i32, b: i32): i32 {\n  return a * 3 + b;\n}\n');
writeFileSync(join(dir, 'add.c'), 'long add(long a, long b) {\n  return a * 3 + b;\n}\n');

// Peak memory needs wait4's rusage, which Node's child_process does not give: a few lines of Python (on every
// machine this project runs on) run the command and print seconds and max RSS in KiB.
const MEASURE = `
import os, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_, status, ru = os.wait4(p.pid, 0)
if os.waitstatus_to_exitcode(status) != 0:
    sys.stderr.write(err.decode(errors="replace")); sys.exit(1)
print(time.monotonic() - t, ru.ru_maxrss)
`;

function measure(argv: string[]): { s: number; kib: number } {
  const r = spawnSync('python3', ['-c', MEASURE, ...argv], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${r.stderr}`);
  const [s, kib] = r.stdout.trim().split(/\s+/).map(Number);
  return { s: s!, kib: kib! };
}

function bench(argv: string[]) {
  measure(argv); // warm the file cache, build dist/ and the compiler's helper cache: users pay those once
  const runs = Array.from({ length: RUNS }, () => measure(argv));
  const times = runs.map((r) => r.s).sort((a, b) => a - b);
  return { s: times[Math.floor(times.length / 2)]!, mb: Math.max(...runs.map((r) => r.kib)) / 1024 };
}

execFileSync(hasm[0]!, [...hasm.slice(1), 'as', 'test/demo/hello.s', '-o', join(dir, 'hello.elf')], { cwd: ROOT, stdio: 'pipe' });
execFileSync(hasm[0]!, [...hasm.slice(1), 'build', join(dir, 'add.ts'), '-o', join(dir, 'add.elf')], { cwd: ROOT, stdio: 'pipe' });

const rows: Array<[string, string[], number | undefined]> = [
  ['hasm --help', [...hasm, '--help'], 0.3],
  ['hasm --version', [...hasm, '--version'], 0.3],
  ['hasm as (demo program)', [...hasm, 'as', 'test/demo/hello.s', '-o', join(dir, 'h2.elf')], 0.3],
  ['hasm disas (demo image)', [...hasm, 'disas', join(dir, 'hello.elf')], 0.3],
  ['hasm run (demo image)', [...hasm, 'run', join(dir, 'hello.elf'), '--max-cycles', '200000', '--json'], 0.3],
  ['hasm run --call (compiled add)', [...hasm, 'run', join(dir, 'add.elf'), '--call', 'add', '2', '3', '--json'], 0.3],
  ['hasm build (small module, cached front end)', [...hasm, 'build', join(dir, 'add.ts'), '-o', join(dir, 'a2.elf')], 3],
  // A new source every run (its constant from the clock), so asc and wasm-ctor-eval really run: the first build of
  // a module, or the first after an edit.
  ['hasm build (small module, first build)', ['sh', '-c', `printf 'export function add(a: i32, b: i32): i32 {\\n  return a * %s + b;\\n}\\n' "$(date +%N | sed 's/^0*//')" > ${join(dir, 'new.ts')} && ${hasm.join(' ')} build ${join(dir, 'new.ts')} -o ${join(dir, 'new.elf')}`], 3],
  ['hasm deploy (two-module example)', [...hasm, 'deploy', 'host/deploy/examples/two-modules.json'], 5],
  ['asc alone (same module, same options)', ['node', join(ROOT, 'node_modules/assemblyscript/bin/asc.js'), join(dir, 'add.ts'), '--runtime', 'stub', '-O3', '--shrinkLevel', '1', '--use', 'abort=', '-o', join(dir, 'a.wasm')], undefined],
  ['clang-14 --target=msp430 -Os -c (C twin)', ['clang-14', '--target=msp430', '-Os', '-c', join(dir, 'add.c'), '-o', join(dir, 'add.o')], undefined],
];

console.log(`start-up and peak memory, median wall time of ${RUNS} fresh processes (after one warm-up run)\n`);
console.log('| command | wall s | peak MB | target s |');
console.log('|---|---:|---:|---:|');
let over = 0;
for (const [name, argv, target] of rows) {
  const { s, mb } = bench(argv);
  if (target !== undefined && s > target) over++;
  console.log(`| ${name} | ${s.toFixed(2)} | ${mb.toFixed(0)} | ${target === undefined ? 'peer' : target.toFixed(1)}${target !== undefined && s > target ? ' OVER' : ''} |`);
}
rmSync(dir, { recursive: true, force: true });
console.log(over ? `\n${over} command(s) over target on this run (machine load shows here: rerun on a quiet machine)` : '\nall within target');
