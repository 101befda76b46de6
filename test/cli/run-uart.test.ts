// `hasm run` shows what the program sends on its UARTs as lines: on stdout, or on stderr when stdout carries the
// --json object (CLI.md: exactly one JSON object on stdout).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasm } from '../cli-harness.ts';

describe('hasm run: UART output', () => {
  const elf = join(mkdtempSync(join(tmpdir(), 'hasm-uart-')), 'hello.elf');

  it('prints whole lines, on stdout without --json and on stderr with it', async () => {
    expect((await hasm('as', 'test/demo/hello.s', '-o', elf)).status).toBe(0);
    const plain = await hasm('run', elf, '--max-cycles', '2000000');
    expect(plain.status).toBe(0);
    expect(plain.stdout.split('\n')[0]).toBe('Hello from the emulated meter node (openMSP430, 20 MHz)');
    expect(plain.stdout).toMatch(/^timer tick 1$/m);
    const json = await hasm('run', elf, '--max-cycles', '2000000', '--json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ stop: 'halt' });
    expect(json.stderr).toMatch(/^Hello from the emulated meter node \(openMSP430, 20 MHz\)$/m);
  });
});
