// A deployment descriptor built in a test: written to a fresh temporary file (module sources and error locations
// are relative to it) and parsed as `hasm deploy` would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDescriptor, type Descriptor } from '../host/deploy/descriptor.ts';

export function descriptorFile(d: object, prefix: string): Descriptor {
  const text = JSON.stringify(d, null, 2);
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'meter.json');
  writeFileSync(file, text);
  return parseDescriptor(text, file);
}
