// A real board on a serial line (descriptor `loader: {serial, baud, sync}`): its image flashed, the node reset and
// run to its idle loop, each module enabled through the loader routine — the same debug-interface steps as
// EmulatedNode's `debug-uart` loader, over serial-port.ts instead of the emulator's in-process port.
import { OperationError } from '../../toolchain/common/errors.ts';
import type { Image } from '../../toolchain/link/image.ts';
import type { ModuleInfo } from '../../toolchain/sancus/module/package.ts';
import { DebugLoader } from './debug-loader.ts';
import type { SerialLoaderDesc } from './descriptor.ts';
import { ENABLE_ROUTINE, IDLE_LOOP, NODE_STACK_TOP } from './node-runtime.ts';
import { RUNTIME_READY } from './runtime-image.ts';
import { openSerialDebugPort } from './serial-port.ts';

/** Flashes, boots and enables; returns each module's ID (0: SM_ENABLE refused it). The line is closed after. */
export function loadOverSerial(node: string, image: Image, modules: ModuleInfo[], line: SerialLoaderDesc): number[] {
  const sym = (n: string): number => {
    const s = image.symbols.find((x) => x.name === n);
    if (!s) throw new OperationError(`node ${node}: no symbol '${n}' in its image`);
    return s.address;
  };
  const port = openSerialDebugPort({ path: line.serial, baud: line.baud, sync: line.sync });
  try {
    const loader = new DebugLoader(port);
    loader.flash(image);
    loader.runUntil(sym(IDLE_LOOP), true);
    const at = sym(ENABLE_ROUTINE);
    return modules.map((m) => {
      const l = m.layout;
      const regs = loader.runRoutine(at, { 1: NODE_STACK_TOP, 9: 0, 10: 0, 11: m.vendorId, 12: l.textStart, 13: l.textEnd,
        14: l.dataStart, 15: l.dataEnd }, at + 2);
      return regs[15]!;
    });
  } finally {
    port.close();
  }
}

/**
 * A board with the firmware runtime: flashed, reset and run to the runtime's main loop, then released to run on its
 * own; from then on the deployer reaches it only through the runtime's WAN frames (serial-wan.ts). The debug line is
 * closed after.
 */
export function loadRuntimeOverSerial(node: string, image: Image, line: SerialLoaderDesc): void {
  const ready = image.symbols.find((x) => x.name === RUNTIME_READY);
  if (!ready) throw new OperationError(`node ${node}: no symbol '${RUNTIME_READY}' in its image (not a firmware-runtime image)`);
  const port = openSerialDebugPort({ path: line.serial, baud: line.baud, sync: line.sync });
  try {
    const loader = new DebugLoader(port);
    loader.flash(image);
    loader.runUntil(ready.address, true);
    loader.release();
  } finally {
    port.close();
  }
}
