// `board.NAME` imports (toolchain/compiler/intrinsics.ts, firmware/lib/board.ts): the address of the board's memory
// region or peripheral NAME as the board file gives it — the same source built for two boards gets each board's
// address; a name the board lacks, or a board import with arguments, fails the build.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { hasm } from '../cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hasm-board-'));
const source = (name: string, decl: string, call: string) => {
  const src = join(dir, `${name}.ts`);
  writeFileSync(src, `${decl}\nexport function at(): i32 { return <i32>${call}; }\n`);
  return src;
};
const NVM = '@external("board", "nvm") declare function nvm(): usize;\n@external("board", "nvcount_cs") declare function cs(): usize;';

describe('board addresses in AssemblyScript', () => {
  it('is each board\'s own address of a memory region and a peripheral', { timeout: 240_000 }, async () => {
    const src = source('nvm', NVM, 'nvm() + (cs() << 16)');
    for (const board of ['emulated', 'emulated-dlms']) {
      const b = loadBoard(board);
      const elf = join(dir, `${board}.elf`);
      const built = await hasm('build', src, '--board', `boards/${board}.json`, '-o', elf);
      expect(built.status, built.stderr).toBe(0);
      const r = await hasm('run', elf, '--board', `boards/${board}.json`, '--call', 'at', '--json');
      expect(r.status, r.stderr).toBe(0);
      const nvm = b.memory.find((m) => m.name === 'nvm')!.start;
      const cs = b.peripherals.find((p) => p.name === 'nvcount_cs')!.base;
      expect(JSON.parse(r.stdout).result).toBe((nvm | (cs << 16)) | 0);
    }
  });

  it('fails the build for a name the board lacks and for a board import with arguments', { timeout: 240_000 }, async () => {
    const missing = await hasm('build', source('missing', '@external("board", "nosuch") declare function x(): usize;', 'x()'), '-o', join(dir, 'm.elf'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/__board_nosuch/);
    const args = await hasm('build', source('args', '@external("board", "nvm") declare function x(a: i32): usize;', 'x(1)'), '-o', join(dir, 'a.elf'));
    expect(args.status).toBe(2);
    expect(args.stderr).toMatch(/board address is a function of no arguments/);
  });
});
