// `hasm run IMAGE --call NAME ARG… --json` on a compiled module (CLI.md § Emulator; issue 4 item 9).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';

describe('hasm run --call', () => {
  it('calls exports with i32/i64 arguments (negative and hex), reports results, traps and cycles', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-call-'));
    const src = join(dir, 'm.ts');
    writeFileSync(src, 'export function add(a: i32, b: i32): i32 { return a + b; }\nexport function mul64(a: i64, b: i64): i64 { return a * b; }\nexport function div(a: i32, b: i32): i32 { return a / b; }\n');
    const elf = join(dir, 'm.elf');
    const b = await hasm('build', src, '--board', 'boards/emulated.json', '-o', elf);
    expect(b.status, b.stderr).toBe(0);
    const add = await hasm('run', elf, '--call', 'add', '-5', '3', '--json');
    expect(add.status, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ result: -2 });
    expect(JSON.parse(add.stdout).cycles).toBeGreaterThan(0);
    const mul = await hasm('run', elf, '--json', '--call', 'mul64', '0x100000000', '-7');
    expect(JSON.parse(mul.stdout).result).toBe('-30064771072'); // i64 as a decimal string
    const div = await hasm('run', elf, '--call', 'div', '1', '0', '--json');
    expect(div.status).toBe(1);
    expect(JSON.parse(div.stdout)).toMatchObject({ trap: 'divzero' });
    expect((await hasm('run', elf, '--call', 'nosuch', '--json')).status).not.toBe(0);
  });
});
