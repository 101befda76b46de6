// Runs Intel HEX programs on Debian's mspdebug simulator (research/README.md), many per invocation: each program
// is loaded with `prog`, run to a breakpoint at its halt address, then registers and data memory are printed.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MspdebugResult {
  registers: number[];
  memory: Uint8Array;
}

export interface MspdebugJob {
  hex: string;
  halt: number;
}

/** Runs the jobs in one mspdebug process; memory [memStart, memEnd) is read back. */
export async function runMspdebug(jobs: MspdebugJob[], dir: string, tag: string, memStart: number, memEnd: number): Promise<MspdebugResult[]> {
  const args = ['-q', 'sim', 'simio add hwmult mul'];
  jobs.forEach((j, i) => {
    const f = join(dir, `${tag}-${i}.hex`);
    writeFileSync(f, j.hex);
    args.push(`prog ${f}`, `setbreak 0x${j.halt.toString(16)}`, 'run', 'regs', `md 0x${memStart.toString(16)} ${memEnd - memStart}`, 'delbreak');
  });
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('mspdebug', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errs: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.stderr.on('data', (c: Buffer) => errs.push(c));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(new Error(`mspdebug exited ${code}: ${Buffer.concat(errs).toString().slice(0, 500)}`))));
  });
  const parts = out.split('Erasing...').slice(1);
  if (parts.length !== jobs.length) throw new Error(`mspdebug: expected ${jobs.length} program outputs, got ${parts.length}`);
  return parts.map((text, i) => {
    const regs = new Array<number>(16).fill(-1);
    // the last register block of the chunk is the `regs` command's
    const blocks = text.split(/\n(?=\s*\( PC:)/);
    const last = blocks.filter((b) => /\( PC:/.test(b)).pop() ?? '';
    for (const m of last.matchAll(/\(\s*(PC|SP|SR|R\d+):\s*([0-9a-f]+)\)/g)) {
      const name = m[1]!;
      const idx = name === 'PC' ? 0 : name === 'SP' ? 1 : name === 'SR' ? 2 : Number(name.slice(1));
      regs[idx] = parseInt(m[2]!, 16) & 0xffff;
    }
    const memory = new Uint8Array(memEnd - memStart);
    let seen = 0;
    for (const m of text.matchAll(/^\s+([0-9a-f]{5}):((?: [0-9a-f]{2}){1,16})/gm)) {
      const a = parseInt(m[1]!, 16);
      if (a < memStart || a >= memEnd) continue;
      m[2]!.trim().split(' ').forEach((b, k) => (memory[a - memStart + k] = parseInt(b, 16)));
      seen++;
    }
    if (regs.includes(-1) || seen !== Math.ceil((memEnd - memStart) / 16)) throw new Error(`mspdebug: could not parse the output of program ${i} (${jobs.length} in batch)`);
    return { registers: regs, memory };
  });
}
