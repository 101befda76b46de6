// The deployer's serial-line DebugPort (host/deploy/serial-port.ts): the frame counting on its own, then the debug
// loader over a real pseudo-terminal pair (socat) with the emulated board's debug interface served on the other
// end by test/sancus/serial-harness.ts in a child process: flash, boot, enable both example modules.
import type { ChildProcess } from 'node:child_process';
import { haveSocat, ptyPair, serialHarness } from '../pty-pair.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../boards/board.ts';
import { buildNodeImage } from '../../host/deploy/build.ts';
import { DebugLoader } from '../../host/deploy/debug-loader.ts';
import { METER, RELAY } from '../../host/deploy/examples/modules.ts';
import { EmulatedNode } from '../../host/deploy/node.ts';
import { ENABLE_ROUTINE, IDLE_LOOP, NODE_STACK_TOP } from '../../host/deploy/node-runtime.ts';
import { DebugFrames, openSerialDebugPort, type SerialDebugPort } from '../../host/deploy/serial-port.ts';
import { parseDescriptor } from '../../host/deploy/descriptor.ts';
import { deploy } from '../../host/deploy/deploy.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLE = 'host/deploy/examples/two-modules.json';
/** The example descriptor with its node's loader replaced. */
function withLoader(loader: unknown) {
  const d = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  d.nodes[0].loader = loader;
  return parseDescriptor(JSON.stringify(d), join(process.cwd(), EXAMPLE));
}

describe('descriptor: the serial loader', () => {
  it('accepts {serial, baud, sync} and refuses it without baud or with unknown fields', () => {
    expect(withLoader({ serial: '/dev/ttyUSB0', baud: 115200 }).nodes[0]!.loader).toEqual({ serial: '/dev/ttyUSB0', baud: 115200 });
    expect(() => withLoader({ serial: '/dev/ttyUSB0' })).toThrow(/loader/);
    expect(() => withLoader({ serial: '/dev/ttyUSB0', baud: 115200, parity: 'none' })).toThrow(/loader/);
  });

  it('a missing device is an error naming it', async () => {
    await expect(deploy(withLoader({ serial: '/dev/hasm-no-such-tty', baud: 115200 }))).rejects.toThrow(/hasm-no-such-tty/);
  });
});

describe('DebugFrames (answer bytes per exchange)', () => {
  it('reads answer 1 or 2 bytes, writes nothing; bursts follow MEM_CNT', () => {
    const f = new DebugFrames();
    expect(f.answerBytes([0x00])).toBe(2); // CPU_ID_LO
    expect(f.answerBytes([0x43])).toBe(1); // CPU_STAT, byte
    expect(f.answerBytes([0x82, 0x01, 0x00, 0xc2, 0x02])).toBe(0); // writes
    // register burst read: MEM_CNT = 15, MEM_CTL = START|REG → 16 words
    expect(f.answerBytes([0x87, 15, 0])).toBe(0);
    expect(f.answerBytes([0x84, 0x05, 0x00])).toBe(32);
    // MEM_CNT is back to 0: a single read access answers nothing until MEM_DATA is read
    expect(f.answerBytes([0x84, 0x01, 0x00, 0x06])).toBe(2);
    // burst write of 3 words: the 6 data bytes that follow are not commands
    expect(f.answerBytes([0x87, 2, 0, 0x84, 0x03, 0x00])).toBe(0);
    expect(f.answerBytes([0x00, 0x01, 0x02, 0x03, 0x04, 0x05])).toBe(0);
    expect(f.answerBytes([0x00])).toBe(2);
  });

  it('refuses a frame cut at the end of an exchange', () => {
    expect(() => new DebugFrames().answerBytes([0x87, 1])).toThrow(/cut/);
  });
});

if (!haveSocat) process.stderr.write('serial-port.test: socat not installed (apt-get install -y socat): the pseudo-terminal test is skipped\n');

describe.skipIf(!haveSocat)('debug loader over a pseudo-terminal pair', () => {
  let socat: ChildProcess;
  let harness: ChildProcess;
  let port: SerialDebugPort;
  let ptyA = '';

  beforeAll(async () => {
    const pair = await ptyPair();
    socat = pair.proc;
    const ptys = [pair.a, pair.b];
    harness = await serialHarness(ptys[1]!, 115200);
    ptyA = ptys[0]!;
    port = openSerialDebugPort({ path: ptyA, baud: 115200 });
  }, 30_000);

  afterAll(() => {
    harness?.kill();
    socat?.kill();
  });

  it('flashes, boots and enables the example modules as the emulator-side loader does', () => {
    const board = loadBoard('emulated');
    const built = buildNodeImage(board, [METER, RELAY]);
    const sym = (n: string) => built.image.symbols.find((s) => s.name === n)!.address;
    const loader = new DebugLoader(port);
    expect(loader.cpuId()).toBeTypeOf('number');
    loader.flash(built.image);
    // every segment reads back (one word per segment start, and the last word)
    for (const s of built.image.segments) {
      const w = s.bytes[0]! | ((s.bytes[1] ?? 0) << 8);
      if (s.bytes.length >= 2) expect(loader.readWord(s.address)).toBe(w);
    }
    loader.runUntil(sym(IDLE_LOOP), true);
    const ids = built.modules.map((info) => {
      const l = info.layout;
      const at = sym(ENABLE_ROUTINE);
      const regs = loader.runRoutine(at, { 1: NODE_STACK_TOP, 9: 0, 10: 0, 11: info.vendorId, 12: l.textStart, 13: l.textEnd,
        14: l.dataStart, 15: l.dataEnd }, at + 2);
      return regs[15];
    });
    // The same through the in-process port of the emulator.
    const local = new EmulatedNode('n', board, built.image, built.modules, { loader: 'debug-uart' });
    expect(ids).toEqual(built.modules.map((m) => local.enable(m.name)));
    expect(ids).toEqual([1, 2]);
    port.close(); // frees the line (serialport locks it) for the next test
  }, 60_000);

  it('hasm deploy with loader {serial} and the minimal runtime: flashes and enables, then says the firmware runtime is the way on', async () => {
    // The link is already synchronised by the first test: no second 0x80 frame (it would read as a command).
    const d = withLoader({ serial: ptyA, baud: 115200, sync: false });
    await expect(deploy(d)).rejects.toThrow(/modules enabled over .* \(IDs: meter=1, relay=2\); a board's modules are reached through the firmware runtime/);
  }, 60_000);
});
