// Runs Debian's LLVM tools as oracles (research/README.md). Installed by `make test` (Makefile: apt-deps).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function scratchDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hasm-oracle-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `llvm-mc --show-encoding` over many lines at once: returns the bytes per input line, or the error text. */
export function llvmEncodings(lines: string[]): (number[] | string)[] {
  const { dir, done } = scratchDir();
  try {
    // One input line per statement; llvm-mc prints each instruction followed by `; encoding: [...]` and reports
    // errors on stderr with the line number, so a rejected form does not hide the others.
    const src = join(dir, 'in.s');
    writeFileSync(src, lines.join('\n') + '\n');
    const r = spawnSync('llvm-mc', ['-triple=msp430', '--show-encoding', src], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const results: (number[] | string)[] = lines.map(() => 'no output');
    for (const m of r.stderr.matchAll(/in\.s:(\d+):\d+: error: (.*)/g)) results[Number(m[1]) - 1] = m[2]!;
    const encodings = [...r.stdout.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) =>
      m[1]!.split(',').map((b) => Number(b.trim())),
    );
    let k = 0;
    for (let i = 0; i < lines.length; i++) {
      if (results[i] === 'no output') results[i] = encodings[k++] ?? 'missing encoding';
    }
    return results;
  } finally {
    done();
  }
}

/** Assembles `.short` data with llvm-mc into an object and returns llvm-objdump's text per address. */
export function llvmDisassemble(words: number[], objdump = 'llvm-objdump'): { byAddress: Map<number, string>; crashed: boolean } {
  const { dir, done } = scratchDir();
  try {
    const src = join(dir, 'w.s');
    const obj = join(dir, 'w.o');
    const body: string[] = ['.text'];
    for (let i = 0; i < words.length; i += 16) body.push('.short ' + words.slice(i, i + 16).join(', '));
    writeFileSync(src, body.join('\n') + '\n');
    execFileSync('llvm-mc', ['-triple=msp430', '-filetype=obj', src, '-o', obj]);
    const r = spawnSync(objdump, ['-d', '--no-show-raw-insn', obj], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const byAddress = new Map<number, string>();
    for (const m of r.stdout.matchAll(/^\s*([0-9a-f]+):\s+(.*)$/gm)) byAddress.set(parseInt(m[1]!, 16), m[2]!.trim());
    return { byAddress, crashed: r.status !== 0 };
  } finally {
    done();
  }
}
