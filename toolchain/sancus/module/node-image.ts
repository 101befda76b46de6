// One node's image: unprotected code plus packaged modules, linked for a board, with each module's loader info.
import type { Board } from '../../../boards/board.ts';
import type { LinkedImage } from '../../link/link.ts';
import { assemble } from '../../msp430/asm/assembler.ts';
import { imageFromLinked, type Image } from '../../link/image.ts';
import { link } from '../../link/link.ts';
import type { ObjectFile } from '../../link/object.ts';
import { assembleModule, describeModule, type ModuleInfo, type ModuleSpec } from './package.ts';

export interface NodeImage {
  image: Image;
  modules: ModuleInfo[];
  /** The linked image itself (sections, symbols), for writing ELF/HEX. */
  linked: LinkedImage;
}

export function linkNode(board: Board, unprotected: { source: string; file: string }[], modules: ModuleSpec[],
  extra: ObjectFile[] = [], place: Record<string, number> = {}): NodeImage {
  const objects = [...unprotected.map((u) => assemble(u.source, u.file)), ...modules.map(assembleModule), ...extra];
  const linked = link(objects, { board, place });
  const image = imageFromLinked(linked, unprotected[0]?.file ?? '<node>');
  return { image, modules: modules.map((m) => describeModule(image, m)), linked };
}
