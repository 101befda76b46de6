// Board descriptions are data (STYLE.md, Renode): boards/*.json, checked against boards/schema.json.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../toolchain/common/errors.ts';
import { jsonProblemsError, parseJsonSource, type JsonSource } from '../toolchain/common/json-source.ts';
import { schemaProblems } from '../toolchain/common/json-schema-problems.ts';
import { schemaValidator } from '../toolchain/common/json-schema.ts';

export const BOARDS_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_BOARD = join(BOARDS_DIR, 'emulated.json');

export interface MemoryRegion {
  name: string;
  kind: 'rom' | 'ram' | 'peripheral' | 'nvm';
  start: number;
  size: number;
  sections: string[];
}

export interface PeripheralConfig {
  type: string;
  name?: string;
  base: number;
  [option: string]: unknown;
}

export interface Board {
  name: string;
  description: string;
  file: string;
  cpu: { core: 'openmsp430'; clock_hz: number; cpu_id?: number; cpu_nr?: number };
  memory: MemoryRegion[];
  peripherals: PeripheralConfig[];
  sancus?: Record<string, unknown>;
}

/** Every schema violation at once, each at its file:line:column. */
function validate(src: JsonSource): void {
  const validator = schemaValidator(join(BOARDS_DIR, 'schema.json'));
  if (!validator(src.value)) throw jsonProblemsError(src, schemaProblems(validator.errors!, 'board'));
}

const num = (v: unknown): number => (typeof v === 'string' ? Number(v) : (v as number));

/** Numeric fields that may be written as "0x…" strings. */
function normalise(o: Record<string, unknown>, keys: string[]): void {
  for (const k of keys) if (k in o) o[k] = num(o[k]);
}

/** Loads and checks a board file. `nameOrPath` may be a path or a bare board name (`openmsp430`). */
export function loadBoard(nameOrPath: string = DEFAULT_BOARD): Board {
  const file = /[/\\.]/.test(nameOrPath) ? resolve(nameOrPath) : join(BOARDS_DIR, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read board file: ${(e as Error).message}`, { file });
  }
  const src = parseJsonSource(text, file);
  validate(src);
  const data = src.value as Record<string, any>;
  normalise(data.cpu, ['cpu_id', 'cpu_nr']);
  data.memory.forEach((m: Record<string, any>, i: number) => {
    normalise(m, ['start', 'size']);
    m.sections ??= [];
    if (m.start + m.size > 0x10000) throw new InputError(`board /memory/${i}: memory '${m.name}' ends past 0xFFFF`, src.at(`/memory/${i}`));
  });
  for (const p of data.peripherals ?? []) normalise(p, ['base']);
  const regions = data.memory as MemoryRegion[];
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) {
      const a = regions[i]!;
      const b = regions[j]!;
      if (a.start < b.start + b.size && b.start < a.start + a.size) {
        throw new InputError(`board /memory/${j}: memory regions '${a.name}' and '${b.name}' overlap`, src.at(`/memory/${j}`));
      }
    }
  }
  return { ...(data as Omit<Board, 'file'>), peripherals: data.peripherals ?? [], file } as Board;
}
