// `hasm build MODULE.ts --module NAME`: a compiled AssemblyScript unit packaged as a Sancus protected module in a
// node image, with the loader's information beside it (issue 10 item 3, CLI.md § Toolchain).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImageFile } from '../../toolchain/link/image.ts';
import { imageBytes } from '../../toolchain/sancus/module/package.ts';
import { hasm } from '../cli-harness.ts';

const SRC = new URL('../sancus/fixtures/tariff.ts', import.meta.url).pathname;

describe('hasm build --module', () => {
  it('writes a node image and loader info whose text and layout match the image', { timeout: 180_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hasm-mod-')), 'node.elf');
    const r = await hasm('build', SRC, '--module', 'tariff', '--vendor', '0x7a11', '-o', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.modules[0]).toMatchObject({ name: 'tariff', vendor_id: 0x7a11 });
    expect(summary.modules[0].entries.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['__sm_tariff_attest', 'add', 'bill']));
    const info = JSON.parse(readFileSync(`${out}.modules.json`, 'utf8')).modules[0];
    const image = loadImageFile(out);
    const text = imageBytes(image, info.layout.textStart, info.layout.textEnd);
    expect(Buffer.from(text).toString('hex')).toBe(info.text);
    // An export's code is named per module (compiled.ts: two modules on one node may both export `add`).
    const add = image.symbols.find((s) => s.name === '__sm_tariff_x_add');
    expect(add?.address).toBeGreaterThanOrEqual(info.layout.textStart);
    expect(add?.address).toBeLessThan(info.layout.textEnd);
    expect((await hasm('build', SRC, '--module', 'tariff', '--emit', 'asm', '-o', out)).status).toBe(2);
    expect((await hasm('build', SRC, '--module', '9bad', '-o', out)).status).toBe(2);
  });
});
