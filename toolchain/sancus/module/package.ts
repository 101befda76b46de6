// Module packaging: a module written in assembly becomes one text section `.text.sm.NAME` (entry stub first, then
// its code and constants) and one data section `.data.sm.NAME` (stub variables, globals, secure stack), laid out by
// the linker like any other sections. After linking, `describeModule` reads what a loader needs from the image:
// name, vendor id, layout, entry indexes, the text, the identity MAC SM_VERIFY checks and, given the vendor key,
// the module key SM_ENABLE will derive; `confidentialize` wraps the text for a confidential load.
import { InputError } from '../../common/errors.ts';
import { assemble } from '../../msp430/asm/assembler.ts';
import type { ObjectFile } from '../../link/object.ts';
import type { Image } from '../../link/image.ts';
import { deriveModuleKeyFromVendorKey, identityMac, type ModuleLayout } from '../keys.ts';
import { wrap } from '../spongewrap.ts';
import { RUNTIME_ENTRIES, runtimeAssembly, runtimeEntryLabels, type IoSpec } from './runtime.ts';
import { stubPrefix, stubSuffix, sym, type EntrySpec } from './stub.ts';

export interface ModuleSpec {
  name: string;
  /** 16-bit software-provider id (SM_ENABLE r11). */
  vendorId: number;
  /** The module's own code and data, in our assembly: text in `.text.sm.NAME`, data in `.data.sm.NAME`. */
  source: string;
  file?: string;
  entries: EntrySpec[];
  /** Secure stack bytes (default 128). */
  stackBytes?: number;
  /** Inputs/outputs and connection slots (authentic execution); none by default. */
  io?: IoSpec;
  /** Generated glue kept with the runtime (runtime.ts RuntimeOptions.glue: it may fall into the output core). */
  glue?: string;
  /** A naked module (an exclusive MMIO module, mmio.ts): `source` is all of it — no stub, runtime or stack. */
  naked?: boolean;
  /** Modules whose identity MAC this one keeps in its text (mmio.ts `tagPlaceholder`), filled in by linkNode. */
  verifies?: string[];
}

/** The entry list as the stub sees it: the runtime's three entries (runtime.ts) then the module's own. */
export function allEntries(spec: ModuleSpec): EntrySpec[] {
  if (spec.naked) return spec.entries;
  const rt = RUNTIME_ENTRIES.map((e) => ({ name: sym(spec.name, e), results: 1 }));
  return [...rt, ...spec.entries];
}

export const DEFAULT_STACK = 128;

/** The module's full assembly source: stub prefix, the module's own code, stack and end markers. */
export function moduleAssembly(spec: ModuleSpec): string {
  if (spec.naked) return spec.source;
  // The call-out path only in a module that calls out (its own code or its generated glue names the routine).
  const code = spec.source + (spec.glue ?? '');
  // Entries 0–2 as the runtime serves them (an entry the module cannot serve is the runtime's `fail`).
  const labels = runtimeEntryLabels(spec.name, spec.io);
  const entries = allEntries(spec).map((e, i) => (i < labels.length ? { ...e, name: labels[i]! } : e));
  const stub = { name: spec.name, entries, stackBytes: spec.stackBytes ?? DEFAULT_STACK, ocall: code.includes(sym(spec.name, 'ocall')) };
  const runtime = runtimeAssembly(spec.name, spec.io ?? { io: [], slots: 0 }, { glue: spec.glue, outputApi: spec.source.includes(sym(spec.name, 'output')) });
  // The module's source starts in its text section, so plain code needs no .section line.
  return stubPrefix(stub) + runtime + spec.source + '\n' + stubSuffix(stub);
}

export function assembleModule(spec: ModuleSpec): ObjectFile {
  return assemble(moduleAssembly(spec), spec.file ?? `${spec.name}.s`);
}

/** What a loader and a remote verifier need about one module of a linked image (JSON-friendly). */
export interface ModuleInfo {
  name: string;
  vendorId: number;
  layout: ModuleLayout;
  /** Entry point (= layout.textStart) and the index of each entry. */
  entry: number;
  entries: { name: string; index: number; results: number }[];
  /** io ids (authentic execution): index = id. */
  io: { id: number; kind: 'input' | 'output'; name: string }[];
  /** Text bytes as linked (plaintext), hex. */
  text: string;
  /** Zero-key identity MAC (SM_VERIFY_ADDR's expected tag), hex. */
  identityMac: string;
  /** Symbol addresses a host needs (stub variables, module labels), by name. */
  symbols: Record<string, number>;
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function symbolAt(image: Image, name: string): number {
  const s = image.symbols.find((x) => x.name === name);
  if (!s) throw new InputError(`image has no symbol '${name}': was the module assembled with moduleAssembly?`, { file: image.file });
  return s.address;
}

/** Bytes [start, end) of the image (0 where no segment covers them). */
export function imageBytes(image: Image, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  for (const seg of image.segments) {
    for (let i = 0; i < seg.bytes.length; i++) {
      const a = seg.address + i;
      if (a >= start && a < end) out[a - start] = seg.bytes[i]!;
    }
  }
  return out;
}

export function describeModule(image: Image, spec: ModuleSpec): ModuleInfo {
  const s = (w: string) => symbolAt(image, sym(spec.name, w));
  const layout: ModuleLayout = { textStart: s('text_start'), textEnd: s('text_end'), dataStart: s('data_start'), dataEnd: s('data_end') };
  const text = imageBytes(image, layout.textStart, layout.textEnd);
  const prefix = `__sm_${spec.name}_`;
  const symbols: Record<string, number> = {};
  for (const x of image.symbols) {
    const inside = (x.address >= layout.textStart && x.address < layout.textEnd) || (x.address >= layout.dataStart && x.address <= layout.dataEnd);
    if (x.name.startsWith(prefix) || inside) symbols[x.name] = x.address;
  }
  return {
    name: spec.name,
    vendorId: spec.vendorId,
    layout,
    entry: layout.textStart,
    entries: allEntries(spec).map((e, index) => ({ name: e.export ?? e.name, index, results: e.results ?? 1 })),
    io: (spec.io?.io ?? []).map((x, id) => ({ id, kind: x.kind, name: x.name })),
    text: toHex(text),
    identityMac: toHex(identityMac(text, layout)),
    symbols,
  };
}

/** The module key SM_ENABLE derives for this module on a node whose vendor key for `vendorId` is `vendorKey`. */
export function expectedModuleKey(info: ModuleInfo, vendorKey: Uint8Array): Uint8Array {
  return deriveModuleKeyFromVendorKey(vendorKey, Uint8Array.from(Buffer.from(info.text, 'hex')), info.layout);
}

/**
 * Confidential loading (SM_ENABLE with r10 = nonce ≠ 0): the text wrapped under the vendor key with the nonce as
 * the one AD word (crypto_control.v DEC_NONCE); the core decrypts it in place and checks the tag at r9.
 */
export function confidentialize(info: ModuleInfo, vendorKey: Uint8Array, nonce: number): { cipher: Uint8Array; tag: Uint8Array } {
  if (!Number.isInteger(nonce) || nonce <= 0 || nonce > 0xffff) throw new RangeError(`nonce must be a nonzero 16-bit value, got ${nonce}`);
  const text = Uint8Array.from(Buffer.from(info.text, 'hex'));
  if (text.length % 2) throw new RangeError(`module ${info.name}: text must be whole words for a confidential load`);
  const w = wrap(vendorKey, Uint8Array.of(nonce & 0xff, nonce >> 8), text);
  return { cipher: w.cipher, tag: w.tag };
}

/** A module's TCB in bytes, as the seed's Table 4.1 counts it: entry stub, module runtime, the module's own code
 *  (with its generated glue and constants), and its data section (secure stack included). */
export interface ModuleTcb {
  stub: number;
  runtime: number;
  code: number;
  text: number;
  data: number;
}

export function moduleTcb(info: ModuleInfo): ModuleTcb {
  const l = info.layout;
  const at = (w: string) => info.symbols[sym(info.name, w)];
  const stubEnd = at('stub_end') ?? l.textStart;
  const runtimeEnd = at('runtime_end') ?? stubEnd;
  return { stub: stubEnd - l.textStart, runtime: runtimeEnd - stubEnd, code: l.textEnd - runtimeEnd, text: l.textEnd - l.textStart, data: l.dataEnd - l.dataStart };
}
