// `hasm run` observability as a first user meets it (issue 15 item 3): --trace names code as `hasm disas` does,
// --vcd holds the clock, the PC and the UART lines and takes a signal list, --trace/--profile cover a --call, and
// an unknown --call name lists the exports. In-process through main() with a captured io.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../host/cli/main.ts';
import { encodeSignature } from '../../toolchain/abi/signature.ts';

const dir = mkdtempSync(join(tmpdir(), 'run-obs-'));

async function hasm(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

async function build(name: string, source: string): Promise<string> {
  const s = join(dir, `${name}.s`);
  const elf = join(dir, `${name}.elf`);
  writeFileSync(s, source);
  const r = await hasm('as', s, '-o', elf);
  expect(r.status, r.stderr).toBe(0);
  return elf;
}

const LOOP = `  .text
  .global start
start:
  mov #0x5a80, &0x0120
  mov #0x2a00, sp
  mov #3, r10
loop:
  call #work
  dec r10
  jnz loop
  dint
halt: jmp halt
work:
  mov #2, r11
1: dec r11
  jnz 1b
  ret
`;

// Sends 'A' on the emulated board's WAN UART (base 0x0080: CTRL, STATUS, BAUD_LO, BAUD_HI, TX) and waits a frame.
const UART = `  .text
  .global start
start:
  mov #0x5a80, &0x0120
  mov.b #1, &0x0080
  mov.b #0x41, &0x0084
  mov #1500, r10
1: dec r10
  jnz 1b
  dint
halt: jmp halt
`;

describe('run --trace', () => {
  it('names code as disas does: <function+0xN> for the PC and for jump targets', async () => {
    const elf = await build('loop', LOOP);
    const r = await hasm('run', elf, '--trace', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\s+\d+  401e <work\+0x4>:  jne 0x401c <work\+0x2>$/m);
    expect(r.stderr).toMatch(/^\s+\d+  [0-9a-f]{4} <loop>:  call #work$/m);
    expect(r.stderr).toMatch(/<halt>:  jmp 0x[0-9a-f]{4} <halt>$/m);
    const d = await hasm('disas', elf);
    expect(d.stdout).toMatch(/401e:  fe23            2  jne\t0x401c <work\+0x2>/);
  });
});

describe('run --vcd', () => {
  it('the clock, the PC and the UART lines by default', async () => {
    const elf = await build('uart', UART);
    const vcd = join(dir, 'all.vcd');
    const r = await hasm('run', elf, '--vcd', vcd, '--json');
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(vcd, 'utf8');
    for (const v of ['$var wire 1 ! clk $end', '$var wire 16 " pc $end', 'wan_txd', 'wan_rxd', 'han_txd', 'relay']) expect(text).toContain(v);
    // The PC's first value is the entry; 'A' = 0x41 goes out LSB first after a start bit: 0 1 0 0 0 0 0 1 0 1.
    expect(text).toMatch(/^b100000000000000 "$/m);
    const txId = /\$var wire 1 (\S+) wan_txd \$end/.exec(text)![1]!;
    const bits = [...text.matchAll(new RegExp(`^([01])${txId.replace(/[$^\\]/g, '\\$&')}$`, 'gm'))].map((m) => m[1]).join('');
    expect(bits).toBe('1' + '0' + '10000010' + '1'); // initial idle, then the frame
    // Times never go backwards.
    const times = [...text.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
  });

  it('--vcd-signals chooses; an unknown one lists what the board has', async () => {
    const elf = await build('uart2', UART);
    const vcd = join(dir, 'some.vcd');
    expect((await hasm('run', elf, '--vcd', vcd, '--vcd-signals', 'pc,wan.tx,p1', '--json')).status).toBe(0);
    const vars = [...readFileSync(vcd, 'utf8').matchAll(/^\$var wire \d+ \S+ (\S+) \$end$/gm)].map((m) => m[1]);
    expect(vars).toEqual(['pc', 'wan_txd', 'relay', 'led', 'P1_2', 'relay_fb', 'P1_4', 'P1_5', 'P1_6', 'P1_7']);
    const bad = await hasm('run', elf, '--vcd', vcd, '--vcd-signals', 'pc,nope');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--vcd-signals: no signal 'nope' on board 'emulated' \(it has: clk, pc, wan\.tx, wan, wan\.rx, /);
    expect((await hasm('run', elf, '--vcd-signals', 'pc')).stderr).toMatch(/--vcd-signals goes with --vcd/);
  });
});

describe('run --call', () => {
  // A compiled module's shape, by hand: an export and its signature symbol (toolchain/abi/signature.ts).
  const MODULE = `  .text
  .global add
add:
  add r14, r12
  addc r15, r13
  ret
  .global __hasm_sig_add
  .set __hasm_sig_add, ${encodeSignature(['i32', 'i32'], ['i32'])}
  .global twice
twice:
  call #add
  ret
  .global __hasm_sig_twice
  .set __hasm_sig_twice, ${encodeSignature(['i32', 'i32'], ['i32'])}
`;

  it('--trace and --profile cover the call', async () => {
    const elf = await build('module', MODULE);
    const r = await hasm('run', elf, '--call', 'twice', '2', '-5', '--trace', '--profile', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe(-3);
    expect(r.stderr).toMatch(/<twice>:  call #add$/m);
    expect(r.stderr).toMatch(/<add\+0x4>:  ret$/m);
    const rows = Object.fromEntries([...r.stderr.matchAll(/^\s+(\d+)\s+(\d+)\s+(\S+)$/gm)].map((m) => [m[3], Number(m[2])]));
    expect(rows).toEqual({ twice: 2, add: 3 });
  });

  it('an unknown name lists the exports', async () => {
    const elf = await build('module2', MODULE);
    const r = await hasm('run', elf, '--call', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`hasm run: --call: 'nope' is not an exported function of ${elf}; its exports: add, twice (hasm run --help for usage)`);
  });
});
