// A node's image for deployment: the node runtime (loader routine, outbox, mailbox) plus the node's modules.
import type { Board } from '../../boards/board.ts';
import { cacheKey } from '../../toolchain/common/cache.ts';
import type { ObjectFile } from '../../toolchain/link/object.ts';
import { linkNode, type NodeImage } from '../../toolchain/sancus/module/node-image.ts';
import type { ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { nodeRuntimeAssembly } from './node-runtime.ts';

const linked = new Map<string, NodeImage>();

/**
 * linkNode, once per process for the same inputs: the image is a function of the board, the sources and the module
 * specs alone, and a deployment of the whole meter assembles and links it twice (the drivers keep their MMIO
 * modules' MACs, filled in by a second link): most of a deployment's CPU time once the units are compiled. Callers
 * only read the image (the emulator copies it into its memory; EmulatedNode copies the module table).
 */
export function linkNodeOnce(board: Board, unprotected: { source: string; file: string }[], modules: ModuleSpec[],
  extra: ObjectFile[] = [], place: Record<string, number> = {}): NodeImage {
  if (extra.length) return linkNode(board, unprotected, modules, extra, place);
  const key = cacheKey(JSON.stringify({ board, unprotected, modules, place }));
  let image = linked.get(key);
  if (!image) {
    image = linkNode(board, unprotected, modules, extra, place);
    linked.set(key, image);
  }
  return image;
}

export function buildNodeImage(board: Board, modules: ModuleSpec[], extraUnprotected: { source: string; file: string }[] = [],
  place: Record<string, number> = {}): NodeImage {
  return linkNodeOnce(board, [{ source: nodeRuntimeAssembly(undefined, board.peripherals.find((p) => p.type === 'watchdog')?.base), file: 'node-runtime.s' }, ...extraUnprotected], modules, [], place);
}
