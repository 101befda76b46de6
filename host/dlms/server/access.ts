import { formatObis } from '../obis.ts';
import type { AccessRule, AssociationConfig } from './config.ts';
import type { CosemObject } from './object.ts';

// Access rights per association (Blue Book Association LN object_list access_rights): attribute access modes
// 0 no-access, 1 read-only, 2 write-only, 3 read-and-write; method access 0 no-access, 1 access.
// One source (issue 16): the rights are the association's rule intersected with what the object can do
// (CosemObject.settable / invocable). The object list advertises exactly these, and services.ts enforces exactly
// these; a refusal names the rule or the capability that refused.

export interface Rights {
  attributes: number[]; // index attr-1
  methods: number[]; // index method-1
  /** The rule these rights come from, as written in the configuration. */
  rule: AccessRule;
  obj: CosemObject;
}

const has = (list: number[] | 'all' | undefined, n: number) => list === 'all' || (list !== undefined && list.includes(n));

export function ruleFor(cfg: AssociationConfig, obj: CosemObject): AccessRule | undefined {
  const name = formatObis(obj.ln);
  return cfg.access.find((r) => r.obis === name) ?? cfg.access.find((r) => r.obis === '*');
}

// Rights are computed once per (association configuration, object): every request looks them up.
const cache = new WeakMap<AssociationConfig, WeakMap<CosemObject, Rights | null>>();

export function rightsFor(cfg: AssociationConfig, obj: CosemObject): Rights | undefined {
  let perCfg = cache.get(cfg);
  if (!perCfg) cache.set(cfg, (perCfg = new WeakMap()));
  const hit = perCfg.get(obj);
  if (hit !== undefined) return hit ?? undefined;
  const rule = ruleFor(cfg, obj);
  let r: Rights | null = null;
  if (rule) {
    const attributes: number[] = [];
    for (let a = 1; a <= obj.attributeCount; a++) attributes.push((has(rule.read, a) ? 1 : 0) | (has(rule.write, a) && obj.settable.includes(a) ? 2 : 0));
    const methods: number[] = [];
    for (let m = 1; m <= obj.methodCount; m++) methods.push(has(rule.methods, m) && obj.invocable.includes(m) ? 1 : 0);
    r = { attributes, methods, rule, obj };
  }
  perCfg.set(obj, r);
  return r ?? undefined;
}

export const canRead = (r: Rights | undefined, attr: number) => !!r && ((r.attributes[attr - 1] ?? 0) & 1) !== 0;
export const canWrite = (r: Rights | undefined, attr: number) => !!r && ((r.attributes[attr - 1] ?? 0) & 2) !== 0;
export const canInvoke = (r: Rights | undefined, m: number) => !!r && (r.methods[m - 1] ?? 0) !== 0;

const CLASS_NAME: Record<number, string> = { 1: 'Data', 3: 'Register', 7: 'Profile generic', 8: 'Clock', 15: 'Association LN', 64: 'Security setup', 70: 'Disconnect control', 71: 'Limiter' };

const ruleText = (r: AccessRule, what: 'read' | 'write' | 'methods') => {
  const v = r[what];
  return `rule {obis: '${r.obis}', ${what}: ${v === undefined ? 'none' : v === 'all' ? "'all'" : `[${v.join(', ')}]`}}`;
};

/** Why an attribute or method is denied: the rule that does not grant it, or the class that cannot do it. */
export function denialReason(cfg: AssociationConfig, r: Rights, kind: 'read' | 'write' | 'method', n: number): string {
  const obj = `${CLASS_NAME[r.obj.classId] ?? `class ${r.obj.classId}`} ${formatObis(r.obj.ln)}`;
  const assoc = `association '${cfg.name}' (client SAP ${cfg.clientSap})`;
  if (kind === 'read') return `read of ${obj} attribute ${n} denied to ${assoc} by ${ruleText(r.rule, 'read')}`;
  if (kind === 'write') {
    if (!has(r.rule.write, n)) return `write of ${obj} attribute ${n} denied to ${assoc} by ${ruleText(r.rule, 'write')}`;
    return `write of ${obj} attribute ${n} denied to ${assoc}: the class does not allow writing it (writable: [${r.obj.settable.join(', ')}])`;
  }
  if (!has(r.rule.methods, n)) return `method ${n} of ${obj} denied to ${assoc} by ${ruleText(r.rule, 'methods')}`;
  return `method ${n} of ${obj} denied to ${assoc}: the class does not offer it (offered: [${r.obj.invocable.join(', ')}])`;
}
