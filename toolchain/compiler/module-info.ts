// What the backend needs to know about a whole wasm module, read once from Binaryen: functions (defined and
// imported), exports, globals, data segments, the function table and the signatures call_indirect checks.
import binaryen from 'binaryen';
import { InputError } from '../common/errors.ts';

export interface FuncInfo {
  index: number;
  name: string;
  params: number[]; // binaryen types
  results: number[];
  vars: number[];
  body: number; // ExpressionRef, 0 for imports
  imported?: { module: string; base: string };
  /** Canonical signature, the key of call_indirect's type check. */
  sig: string;
}

export interface GlobalInfo {
  name: string;
  type: number;
  mutable: boolean;
  init: bigint;
}

export interface ModuleInfo {
  funcs: FuncInfo[];
  byName: Map<string, FuncInfo>;
  exports: { name: string; func: string }[];
  globals: Map<string, GlobalInfo>;
  data: { offset: number; bytes: Uint8Array }[];
  /** The function table (table 0): function names by slot; undefined for an empty slot. */
  table: (string | undefined)[];
  /** Signature → small integer id, stored next to each table slot for the runtime type check. */
  sigIds: Map<string, number>;
  memoryPages: number;
  start?: string;
}

export function typeName(t: number): string {
  if (t === binaryen.i32) return 'i32';
  if (t === binaryen.i64) return 'i64';
  if (t === binaryen.f32) return 'f32';
  if (t === binaryen.f64) return 'f64';
  if (t === binaryen.none) return 'none';
  return `type#${t}`;
}

export function sigOf(params: number[], results: number[]): string {
  return `(${params.map(typeName).join(',')})->(${results.map(typeName).join(',')})`;
}

/** Words of a value type: i32 two 16-bit words, i64 four. */
export function wordsOf(t: number): number {
  if (t === binaryen.i32) return 2;
  if (t === binaryen.i64) return 4;
  if (t === binaryen.none || t === binaryen.unreachable) return 0;
  throw new InputError(`unsupported value type ${typeName(t)} (only i32 and i64 compile for the MSP430)`);
}

function constValue(mod: binaryen.Module, expr: number): bigint {
  const info = binaryen.getExpressionInfo(expr) as { id: number; value?: number | bigint };
  if (info.id !== binaryen.ConstId) throw new InputError('non-constant initializer or offset is not supported');
  const v = info.value;
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

export function readModuleInfo(mod: binaryen.Module): ModuleInfo {
  const funcs: FuncInfo[] = [];
  const byName = new Map<string, FuncInfo>();
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    const params = [...binaryen.expandType(f.params)];
    const results = [...binaryen.expandType(f.results)];
    const info: FuncInfo = {
      index: i,
      name: f.name,
      params,
      results,
      vars: [...f.vars],
      body: f.body,
      imported: f.module ? { module: f.module, base: f.base ?? '' } : undefined,
      sig: sigOf(params, results),
    };
    funcs.push(info);
    byName.set(f.name, info);
  }
  const exports: ModuleInfo['exports'] = [];
  for (let i = 0; i < mod.getNumExports(); i++) {
    const e = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (e.kind === binaryen.ExternalFunction) exports.push({ name: e.name, func: e.value });
  }
  const globals = new Map<string, GlobalInfo>();
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (g.module) throw new InputError(`imported global ${g.module}.${g.base} is not supported`);
    globals.set(g.name, { name: g.name, type: g.type, mutable: g.mutable, init: constValue(mod, g.init) });
  }
  const data: ModuleInfo['data'] = [];
  // (binaryen's typings lag its API here: getNumDataSegments/getDataSegmentInfo exist at runtime.)
  const dm = mod as unknown as { getNumDataSegments(): number; getDataSegmentByIndex(i: number): number; getDataSegmentInfo(s: number): { offset: number; data: ArrayBuffer; passive: boolean } };
  for (let i = 0; i < dm.getNumDataSegments(); i++) {
    const seg = dm.getDataSegmentInfo(dm.getDataSegmentByIndex(i));
    if (seg.passive) throw new InputError('passive data segments are not supported');
    data.push({ offset: Number(seg.offset), bytes: new Uint8Array(seg.data) });
  }
  const table: (string | undefined)[] = [];
  for (let i = 0; i < mod.getNumElementSegments(); i++) {
    const seg = binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i)) as { offset: number; data: string[] };
    const off = Number(constValue(mod, seg.offset));
    seg.data.forEach((name, k) => (table[off + k] = name));
  }
  const sigIds = new Map<string, number>();
  for (const f of funcs) if (!sigIds.has(f.sig)) sigIds.set(f.sig, sigIds.size + 1);
  let memoryPages = 0;
  if (mod.hasMemory()) memoryPages = (mod.getMemoryInfo() as { initial: number }).initial;
  const startRef = (mod as unknown as { getStart?: () => number }).getStart?.();
  const start = startRef ? binaryen.getFunctionInfo(startRef).name : undefined;
  return { funcs, byName, exports, globals, data, table, sigIds, memoryPages, start };
}
