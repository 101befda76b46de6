// hasm run: loads an image on a board and runs it on the emulator (../shared/CLI.md § Emulator).
import { loadBoard, DEFAULT_BOARD } from '../../../boards/board.ts';
import { attachSancus } from '../../../toolchain/emulator/sancus/unit.ts';
import { UsageError } from '../../../toolchain/common/errors.ts';
import { parseInteger, toHex } from '../../../toolchain/common/numbers.ts';
import { loadImageFile } from '../../../toolchain/link/image.ts';
import { Machine } from '../../../toolchain/emulator/machine.ts';
import { Uart } from '../../../toolchain/emulator/peripherals/uart.ts';
import { attachProfile, attachTrace } from '../../../toolchain/emulator/trace.ts';
import type { Image } from '../../../toolchain/link/image.ts';
import { SymbolTable } from '../../../toolchain/msp430/symbols.ts';
import { parseFlags, printJson, type Command } from '../command.ts';

export const runCommand: Command = {
  summary: 'run an ELF or Intel HEX image on the cycle-exact openMSP430 emulator',
  help: `usage: hasm run IMAGE [--board boards/emulated.json] [--max-cycles N] [--trace] [--vcd OUT.vcd]
                [--vcd-signals LIST] [--gdb PORT] [--dump START:END] [--profile] [--json]
       hasm run IMAGE --call NAME [ARG ...] [--board B] [--max-cycles N] [--trace] [--profile] [--json]

Runs IMAGE from its reset vector until: the conventional halt (a jump to itself with interrupts off), --max-cycles,
the CPU asleep with nothing left to wake it, a breakpoint, or an invalid instruction (exit 1). UART output goes to
stdout (stderr with --json).

  --board B        board file or name (default boards/emulated.json)
  --max-cycles N   stop at the first instruction boundary at or after cycle N (cycles count from reset release)
  --trace          one line per instruction on stderr: cycle, address <function+0xN>, instruction (as hasm disas
                   lists it: jhs 0x4646 <crc16+0x12>)
  --vcd OUT.vcd    a waveform (VCD, for GTKWave): the CPU clock, the PC, every UART's tx/rx line and GPIO pin
  --vcd-signals L  only these signals, comma-separated: clk, pc, a UART (wan) or one line (wan.tx, wan.rx), a port
                   (p1) or one pin (p1.3, or its board name: led); the clock adds two changes per cycle, so leave it
                   out of long runs
  --gdb PORT       wait for gdb (gdb-multiarch, set architecture msp430; target remote :PORT) on 127.0.0.1
  --dump S:E       add the bytes S..E-1 (hex) to the result
  --profile        cycles per function (from the image's symbols) on stderr
  --call NAME ARG… call the export NAME of a compiled image (hasm build) with integer arguments (decimal or 0x
                   hex, i32 or i64 as the export declares; negative numbers allowed) and print its result or trap
                   and the cycles from the call to its return; exit 1 on a trap
  --json           {"registers": [r0..r15], "cycles", "instructions", "stop", "pc", "memory"?};
                   with --call: {"result": V, "cycles": N} or {"trap": REASON, "cycles": N}`,
  async run(argv, io) {
    // `--call NAME ARG…`: the arguments follow the name and may be negative (`-5`), which a flag parser would take
    // for options, so they are taken out here: every number right after NAME is an argument.
    const callArgs: string[] = [];
    const at = argv.indexOf('--call');
    if (at >= 0) {
      let k = at + 2;
      while (k < argv.length && /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(argv[k]!)) callArgs.push(argv[k++]!);
      argv = [...argv.slice(0, at + 2), ...argv.slice(k)];
    }
    const { values, positionals } = parseFlags(argv, {
      board: { type: 'string' },
      'max-cycles': { type: 'string' },
      trace: { type: 'boolean' },
      vcd: { type: 'string' },
      'vcd-signals': { type: 'string' },
      gdb: { type: 'string' },
      dump: { type: 'string' },
      call: { type: 'string' },
      profile: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one IMAGE');
    const maxCycles = values['max-cycles'] !== undefined ? parseInteger(values['max-cycles'], '--max-cycles') : undefined;
    if (maxCycles !== undefined && maxCycles < 0) throw new UsageError('--max-cycles must be >= 0');
    if (values['vcd-signals'] !== undefined && values.vcd === undefined) throw new UsageError('--vcd-signals goes with --vcd');
    if (values.call !== undefined) {
      // Compiled modules (issue 4): call an export with integer arguments; the result or trap and its cycles. The
      // trace and the profile cover the call (the module's start function has run before).
      for (const f of ['vcd', 'gdb', 'dump'] as const) if (values[f] !== undefined) throw new UsageError(`--${f} does not combine with --call`);
      const { runCall } = await import('../run-call.ts');
      let report = () => {};
      const attach = (m: Machine, image: Image) => {
        const symbols = new SymbolTable(image.symbols);
        if (values.trace) attachTrace(m, symbols, (l) => io.err(l));
        if (values.profile) report = printProfile(attachProfile(m, symbols), io.err);
      };
      const status = runCall(positionals[0]!, values.call, callArgs, { board: loadBoard(values.board ?? DEFAULT_BOARD), json: !!values.json, maxCycles, attach }, io);
      report();
      return status;
    }
    let dump: [number, number] | undefined;
    if (values.dump !== undefined) {
      const m = /^([^:]+):([^:]+)$/.exec(values.dump);
      if (!m) throw new UsageError(`--dump: expected START:END, got '${values.dump}'`);
      dump = [parseInteger(m[1]!, '--dump START'), parseInteger(m[2]!, '--dump END')];
      if (dump[0] < 0 || dump[1] > 0x10000 || dump[1] < dump[0]) throw new UsageError(`--dump: need 0 <= START <= END <= 0x10000, got '${values.dump}'`);
    }
    const gdbPort = values.gdb !== undefined ? parseInteger(values.gdb, '--gdb') : undefined;
    const board = loadBoard(values.board ?? DEFAULT_BOARD);
    const image = loadImageFile(positionals[0]!);
    const m = new Machine(board);
    // A board with a `sancus` object is a Sancus node: its protection unit and the ten Sancus instructions.
    attachSancus(m);
    m.load(image);
    const symbols = new SymbolTable(image.symbols);
    // UART bytes go out a line at a time (io.out/io.err end each write with a newline), on stdout, or on stderr
    // when stdout is the --json object.
    const uartWrite = values.json ? io.err : io.out;
    let uartLine = '';
    const flushUart = () => {
      if (uartLine) uartWrite(uartLine);
      uartLine = '';
    };
    for (const d of m.devices)
      if (d instanceof Uart)
        d.onTransmit = (b) => {
          if (b === 0x0a) flushUart();
          else if (b !== 0x0d) uartLine += String.fromCharCode(b);
        };
    if (values.trace) attachTrace(m, symbols, (l) => io.err(l));
    const profile = values.profile ? printProfile(attachProfile(m, symbols), io.err) : undefined;
    let vcd: { finish(): void } | undefined;
    if (values.vcd !== undefined) {
      const { attachVcd } = await import('../../../toolchain/emulator/vcd.ts');
      const signals = values['vcd-signals']?.split(',').map((x) => x.trim()).filter(Boolean);
      vcd = attachVcd(m, values.vcd, signals);
    }
    let res;
    if (gdbPort !== undefined) {
      const { serveGdb } = await import('../../../toolchain/emulator/gdb.ts');
      io.err(`hasm run: waiting for gdb on 127.0.0.1:${gdbPort} (target remote :${gdbPort})`);
      res = await serveGdb(m, gdbPort, { maxCycles });
    } else res = m.run({ maxCycles });
    flushUart();
    vcd?.finish();
    profile?.();
    const out: Record<string, unknown> = { registers: Array.from(m.r), cycles: res.cycles, instructions: res.instructions, stop: res.stop, pc: res.pc };
    if (res.word !== undefined) out.word = res.word;
    if (m.pucLog.length) out.pucs = m.pucLog;
    if (dump) out.memory = toHex(m.bus.mem.slice(dump[0], dump[1]));
    if (values.json) printJson(io, out);
    else {
      const regs = Array.from(m.r, (v, i) => `r${i}=${v.toString(16).padStart(4, '0')}`).join(' ');
      io.err(`stop: ${res.stop} at pc 0x${res.pc.toString(16).padStart(4, '0')} after ${res.cycles} cycles, ${res.instructions} instructions`);
      io.err(regs);
      if (dump) io.out(out.memory as string);
    }
    if (res.stop === 'invalid') {
      io.err(`hasm run: invalid instruction word 0x${res.word!.toString(16).padStart(4, '0')} at 0x${res.pc.toString(16).padStart(4, '0')}`);
      return 1;
    }
    return 0;
  },
};

/** The profile's table on stderr, once the run or call is over. */
function printProfile(profile: () => { name: string; cycles: number; instructions: number }[], write: (line: string) => void): () => void {
  return () => {
    write('    cycles  instructions  function');
    for (const p of profile()) write(`${String(p.cycles).padStart(10)}  ${String(p.instructions).padStart(12)}  ${p.name}`);
  };
}
