// Issue 15 item 3, the compiler's part: a module that never touches linear memory gets none; zero-filled memory is
// .bss (its initial bytes copied in by __hasm_init); an out-of-range array access traps naming AS's message, the
// file and line AS's abort carries, and the function that failed — read back by the call path (hasm run --call).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';
import { main } from '../../host/cli/main.ts';
import { runCall } from '../../host/cli/run-call.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = fileURLToPath(new URL('./fixtures/', import.meta.url));
const board = loadBoard('emulated');
const dataBytes = (img: { sections: { name: string; size: number }[] }, name: string) => img.sections.filter((s) => s.name === name).reduce((n, s) => n + s.size, 0);

describe('linear memory of a compiled module', () => {
  it('a module without memory instructions gets no linear memory', async () => {
    const b = await buildSource(`${here}nomem.ts`, board);
    expect(b.backend.memSize).toBe(0);
    expect(b.backend.asm).not.toMatch(/__hasm_mem\b/);
    // .data holds only the trap handler's two words (reason, info); no .bss at all
    expect(dataBytes(b.image, '.data')).toBe(4);
    expect(dataBytes(b.image, '.bss')).toBe(0);
    const image = imageFromLinked(b.image, 'nomem');
    expect(callExport(loadMachine(image, board), image, 'mix', [5n, 1n]).result).toBe(BigInt.asIntN(32, BigInt((5 ^ 8) + 0x9e3779b9)));
  }, 60_000);

  it('zero-filled memory is .bss; the static data is a .rodata image that __hasm_init copies in', async () => {
    const b = await buildSource(`${here}bounds.ts`, board);
    expect(b.backend.memSize).toBeGreaterThan(1024);
    expect(b.backend.asm).toMatch(/\.bss\n\s+\.balign 2\n\s+\.global __hasm_mem\n__hasm_mem:\n\s+\.skip \d+/);
    expect(dataBytes(b.image, '.bss')).toBe(b.backend.memSize);
    expect(dataBytes(b.image, '.data')).toBe(4);
    const image = imageFromLinked(b.image, 'bounds');
    const m = loadMachine(image, board);
    // the array's header (AS runtime object) came from the initial image: length 8 reads back through `get`
    expect(callExport(m, image, 'get', [7n]).result).toBe(0n);
  }, 60_000);
});

describe('an out-of-range array access', () => {
  it('traps with AS abort message, the file and line it carries, and the function', async () => {
    const b = await buildSource(`${here}bounds.ts`, board);
    const image = imageFromLinked(b.image, 'bounds');
    const o = callExport(loadMachine(image, board), image, 'get', [8n]);
    expect(o.trap).toBe('abort');
    expect(o.message).toMatch(/^Index out of range at ~lib\/staticarray\.ts:\d+:\d+ \(in .*bounds\.ts:4: function get\)$/);
    // the text lives in .rodata (flash), not in the module's RAM
    expect(b.backend.asm).toMatch(/__hasm_str_0:\n\s+\.byte 73, 110, 100/);
  }, 60_000);

  it('hasm run --call prints the trap reason with the abort text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hasm-abort-'));
    const elf = join(dir, 'bounds.elf');
    const quiet = { out: () => {}, err: () => {} };
    expect(await main(['build', `${here}bounds.ts`, '-o', elf], quiet)).toBe(0);
    const out: string[] = [];
    expect(runCall(elf, 'get', ['8'], { board, json: false }, { out: (t: string) => void out.push(t), err: () => {} })).toBe(1);
    expect(out[0]).toMatch(/^trap: abort: Index out of range at ~lib\/staticarray\.ts:\d+:\d+ \(in .*bounds\.ts:4: function get\) \(\d+ cycles\)$/);
    const json: string[] = [];
    expect(runCall(elf, 'get', ['8'], { board, json: true }, { out: (t: string) => void json.push(t), err: () => {} })).toBe(1);
    expect(JSON.parse(json[0]!)).toMatchObject({ trap: 'abort', message: expect.stringMatching(/^Index out of range/) });
  }, 60_000);

  it('with no AS check and no proof, the backend bounds check still traps; a proven index has no check', async () => {
    const b = await buildSource(`${here}bounds.ts`, board);
    const image = imageFromLinked(b.image, 'bounds');
    const m = loadMachine(image, board);
    expect(callExport(m, image, 'raw', [3n]).result).toBe(0n);
    expect(callExport(m, image, 'raw', [BigInt(b.backend.memSize)]).trap).toBe('memory');
    expect(callExport(m, image, 'raw', [-1000n]).trap).toBe('memory'); // the high word check
    const fn = (name: string) => {
      const at = b.backend.asm.indexOf(`\n${name}:`);
      return b.backend.asm.slice(at, b.backend.asm.indexOf('.size', at));
    };
    expect(fn('raw')).toMatch(/cmp #\d+, r12\n\s+jhs \S+trap_memory/);
    expect(fn('masked')).not.toMatch(/trap_memory|cmp/);
    expect(callExport(m, image, 'masked', [13n]).result).toBe(0n);
  }, 60_000);
});
