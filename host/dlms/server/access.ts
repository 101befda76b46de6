import { formatObis } from '../obis.ts';
import type { AccessRule, AssociationConfig } from './config.ts';
import type { CosemObject } from './object.ts';

// Access rights per association (Blue Book Association LN object_list access_rights): attribute access modes
// 0 no-access, 1 read-only, 2 write-only, 3 read-and-write; method access 0 no-access, 1 access.

export interface Rights {
  attributes: number[]; // index attr-1
  methods: number[]; // index method-1
}

const has = (list: number[] | 'all' | undefined, n: number) => list === 'all' || (list !== undefined && list.includes(n));

export function ruleFor(cfg: AssociationConfig, obj: CosemObject): AccessRule | undefined {
  const name = formatObis(obj.ln);
  return cfg.access.find((r) => r.obis === name) ?? cfg.access.find((r) => r.obis === '*');
}

export function rightsFor(cfg: AssociationConfig, obj: CosemObject): Rights | undefined {
  const rule = ruleFor(cfg, obj);
  if (!rule) return undefined;
  const attributes: number[] = [];
  for (let a = 1; a <= obj.attributeCount; a++) attributes.push((has(rule.read, a) ? 1 : 0) | (has(rule.write, a) ? 2 : 0));
  const methods: number[] = [];
  for (let m = 1; m <= obj.methodCount; m++) methods.push(has(rule.methods, m) ? 1 : 0);
  return { attributes, methods };
}

export const canRead = (r: Rights | undefined, attr: number) => !!r && ((r.attributes[attr - 1] ?? 0) & 1) !== 0;
export const canWrite = (r: Rights | undefined, attr: number) => !!r && ((r.attributes[attr - 1] ?? 0) & 2) !== 0;
export const canInvoke = (r: Rights | undefined, m: number) => !!r && (r.methods[m - 1] ?? 0) !== 0;
