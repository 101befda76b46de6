// The memory is mapped up to the end of static data (AS's __heap_base, toolchain/compiler/front.ts), zero-filled
// `memory.data` regions after the last non-zero segment included: test/firmware/repro/zero-static-data.as, which
// trapped `memory` on the emulator while V8 ran it (heap 0, so nothing but the static data is mapped).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadBoard } from '../../boards/board.ts';
import { buildSource } from '../../toolchain/compiler/compile.ts';
import { loadAsConfig } from '../../toolchain/compiler/front.ts';
import { callExport, loadMachine } from '../../toolchain/emulator/call.ts';
import { imageFromLinked } from '../../toolchain/link/image.ts';

const REPRO = fileURLToPath(new URL('../firmware/repro/zero-static-data.ts', import.meta.url));
const board = loadBoard('emulated');

describe('the end of static data', () => {
  it('maps a zero-filled buffer past the last data segment, and not a byte beyond the static data', async () => {
    const cfg = loadAsConfig(REPRO);
    const build = await buildSource(REPRO, board, { ...cfg, heap: 0 });
    const image = imageFromLinked(build.image, 'repro');
    const machine = loadMachine(image, board);
    expect(callExport(machine, image, 'put', [1999n]).result).toBe(1n);
    expect(callExport(machine, image, 'put', [0n]).result).toBe(1n);
    // BUF is the only static data: [memoryBase, memoryBase + 2000) rounded up to AS's heap alignment
    expect(build.backend.memSize).toBeGreaterThanOrEqual(Number(cfg.options.memoryBase ?? 0) + 2000);
    expect(build.backend.memSize).toBeLessThanOrEqual(Number(cfg.options.memoryBase ?? 0) + 2000 + 16);
    expect(callExport(machine, image, 'put', [BigInt(build.backend.memSize)]).trap).toBe('memory');
  }, 60_000);
});
