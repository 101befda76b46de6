// A node's image for deployment: the node runtime (loader routine, outbox, mailbox) plus the node's modules.
import type { Board } from '../../boards/board.ts';
import { linkNode, type NodeImage } from '../../toolchain/sancus/module/node-image.ts';
import type { ModuleSpec } from '../../toolchain/sancus/module/package.ts';
import { nodeRuntimeAssembly } from './node-runtime.ts';

export function buildNodeImage(board: Board, modules: ModuleSpec[], extraUnprotected: { source: string; file: string }[] = [],
  place: Record<string, number> = {}): NodeImage {
  return linkNode(board, [{ source: nodeRuntimeAssembly(undefined, board.peripherals.find((p) => p.type === 'watchdog')?.base), file: 'node-runtime.s' }, ...extraUnprotected], modules, [], place);
}
