// Web splitting: a wasm local that the optimiser reuses for unrelated values (AS does: a loop counter, later a
// CRC) is one virtual register after lowering; here each group of definitions and uses connected through
// reaching definitions gets its own register. Unrelated values then no longer keep each other alive (dce.ts)
// or share one register interval (regalloc.ts).
import { buildBlocks } from './liveness.ts';
import { type MFunction, type MInstr, type Opnd, usesDefs } from './mir.ts';

export function splitWebs(f: MFunction): MFunction {
  const code = f.code;
  const ud = code.map(usesDefs);
  // Definition sites of virtual registers; site -1 - id stands for "the value on entry" of register id.
  const defSites: { n: number; key: string }[] = [];
  const siteAt = new Map<number, number[]>(); // instruction → its def site ids
  ud.forEach((x, n) => {
    for (const d of x.defs) {
      if (d[0] !== 'v') continue;
      defSites.push({ n, key: d });
      if (!siteAt.has(n)) siteAt.set(n, []);
      siteAt.get(n)!.push(defSites.length - 1);
    }
  });
  const blocks = buildBlocks(code);
  // Reaching definitions per block: key → set of site ids (entry value = -1).
  type RD = Map<string, Set<number>>;
  const clone = (m: RD): RD => new Map([...m].map(([k, s]) => [k, new Set(s)]));
  const outs: RD[] = blocks.map(() => new Map());
  const preds: number[][] = blocks.map(() => []);
  blocks.forEach((b, i) => b.succ.forEach((s) => preds[s]!.push(i)));
  const transfer = (i: number, inn: RD): RD => {
    const m = clone(inn);
    const b = blocks[i]!;
    for (let n = b.first; n <= b.last; n++) for (const s of siteAt.get(n) ?? []) m.set(defSites[s]!.key, new Set([s]));
    return m;
  };
  const allKeys = new Set<string>();
  for (const x of ud) for (const k of [...x.uses, ...x.defs]) if (k[0] === 'v') allKeys.add(k);
  const entryIn = (i: number): RD => {
    const m: RD = new Map();
    // The function entry defines every register with its incoming value (pseudo-site -1).
    if (i === 0) for (const k of allKeys) m.set(k, new Set([-1]));
    for (const p of preds[i]!) for (const [k, s] of outs[p]!) {
      if (!m.has(k)) m.set(k, new Set());
      for (const x of s) m.get(k)!.add(x);
    }
    return m;
  };
  for (let changed = true; changed; ) {
    changed = false;
    blocks.forEach((_, i) => {
      const next = transfer(i, entryIn(i));
      const prev = outs[i]!;
      let same = next.size === prev.size;
      if (same) for (const [k, s] of next) if (prev.get(k)?.size !== s.size) same = false;
      if (!same) {
        outs[i] = next;
        changed = true;
      }
    });
  }
  // Union-find over def sites (plus one entry pseudo-site per register).
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const site = (key: string, s: number | undefined) => (s === undefined || s < 0 ? `in:${key}` : `d:${s}`);
  const useWeb = new Map<string, string>(); // `${n}:${key}` → a site in the web
  blocks.forEach((b, i) => {
    const cur = entryIn(i);
    for (let n = b.first; n <= b.last; n++) {
      for (const u of ud[n]!.uses) {
        if (u[0] !== 'v') continue;
        const reach = cur.get(u);
        const sites = reach && reach.size ? [...reach].map((s) => site(u, s)) : [site(u, undefined)];
        for (const s of sites.slice(1)) union(sites[0]!, s);
        useWeb.set(`${n}:${u}`, sites[0]!);
      }
      for (const s of siteAt.get(n) ?? []) {
        cur.set(defSites[s]!.key, new Set([s]));
        // A read-modify-write (add x, v) extends the web of the value it read.
        const k = defSites[s]!.key;
        const readWeb = useWeb.get(`${n}:${k}`);
        if (readWeb) union(readWeb, site(k, s));
      }
    }
  });
  // New ids: the web containing the entry pseudo-site keeps the old id (params stay params).
  let next = f.nextV;
  const idOf = new Map<string, number>();
  const webId = (root: string, key: string): number => {
    const r = find(root);
    if (!idOf.has(r)) idOf.set(r, find(`in:${key}`) === r ? Number(key.slice(1)) : next++);
    return idOf.get(r)!;
  };
  // Entry webs first so they claim the old ids.
  for (const k of new Set(defSites.map((d) => d.key))) if (parent.has(`in:${k}`)) webId(`in:${k}`, k);
  const out: MInstr[] = code.map((ins, n) => {
    const defMap = new Map<string, number>();
    for (const s of siteAt.get(n) ?? []) defMap.set(defSites[s]!.key, webId(`d:${s}`, defSites[s]!.key));
    const useMap = (key: string) => {
      const w = useWeb.get(`${n}:${key}`);
      return w === undefined ? Number(key.slice(1)) : webId(w, key);
    };
    const ren = (o: Opnd | undefined, asDef: boolean): Opnd | undefined => {
      if (!o) return o;
      if (o.k === 'v') {
        const key = `v${o.id}`;
        const d = defMap.get(key);
        const u = useWeb.has(`${n}:${key}`) ? useMap(key) : undefined;
        if (asDef && d !== undefined) return { k: 'v', id: d };
        if (u !== undefined) return { k: 'v', id: u };
        return d !== undefined ? { k: 'v', id: d } : o;
      }
      if (o.k === 'mem') return { ...o, base: ren(o.base, false)! };
      return o;
    };
    switch (ins.kind) {
      case 'op':
        return { ...ins, src: ren(ins.src, false), dst: ren(ins.dst, true) } as MInstr;
      case 'call':
        return { ...ins, target: ren(ins.target, false)! };
      case 'jtab':
        return { ...ins, index: ren(ins.index, false)! };
      default:
        return ins;
    }
  });
  return { ...f, code: out, nextV: next };
}
