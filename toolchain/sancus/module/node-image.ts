// One node's image: unprotected code plus packaged modules, linked for a board, with each module's loader info.
import type { Board } from '../../../boards/board.ts';
import type { LinkedImage } from '../../link/link.ts';
import { assemble } from '../../msp430/asm/assembler.ts';
import { imageFromLinked, type Image } from '../../link/image.ts';
import { link } from '../../link/link.ts';
import type { ObjectFile } from '../../link/object.ts';
import { InputError } from '../../common/errors.ts';
import { tagFilled, tagPlaceholder } from './mmio.ts';
import { assembleModule, describeModule, type ModuleInfo, type ModuleSpec } from './package.ts';

export interface NodeImage {
  image: Image;
  modules: ModuleInfo[];
  /** The linked image itself (sections, symbols), for writing ELF/HEX. */
  linked: LinkedImage;
}

export function linkNode(board: Board, unprotected: { source: string; file: string }[], modules: ModuleSpec[],
  extra: ObjectFile[] = [], place: Record<string, number> = {}): NodeImage {
  const linkOnce = (specs: ModuleSpec[]): NodeImage => {
    const objects = [...unprotected.map((u) => assemble(u.source, u.file)), ...specs.map(assembleModule), ...extra];
    const linked = link(objects, { board, place });
    const image = imageFromLinked(linked, unprotected[0]?.file ?? '<node>');
    return { image, modules: specs.map((m) => describeModule(image, m)), linked };
  };
  const first = linkOnce(modules);
  if (!modules.some((m) => m.verifies?.length)) return first;
  // A module that verifies another (SM_VERIFY_ADDR) keeps the callee's identity MAC in its own text. The MAC
  // depends on where the callee landed, so link once with placeholders, fill in the MACs (same size: nothing
  // moves) and link again.
  const byName = new Map(first.modules.map((m) => [m.name, m]));
  const filled = modules.map((m) => {
    let source = m.source;
    for (const callee of m.verifies ?? []) {
      const info = byName.get(callee);
      if (!info) throw new InputError(`module ${m.name} verifies module '${callee}', which is not in this node image`);
      source = source.replace(tagPlaceholder(m.name, callee), tagFilled(m.name, callee, Uint8Array.from(Buffer.from(info.identityMac, 'hex'))));
    }
    return { ...m, source };
  });
  const second = linkOnce(filled);
  second.modules.forEach((m, i) => {
    const a = first.modules[i]!.layout;
    const b = m.layout;
    if (a.textStart !== b.textStart || a.textEnd !== b.textEnd || a.dataStart !== b.dataStart || a.dataEnd !== b.dataEnd) throw new Error(`module ${m.name} moved when its identity MACs were filled in`);
    if (m.identityMac !== first.modules[i]!.identityMac && !modules[i]!.verifies?.length) throw new Error(`module ${m.name}: identity changed on relink`);
  });
  return second;
}
