// Webs of wasm locals (reaching definitions on Binaryen's structured IR): the optimiser reuses one local for
// unrelated values (a loop counter, later a CRC), and a value range or a register kept per local would have to
// cover all of them. Each local.get is joined with every local.set that reaches it; each resulting web is a local
// of its own for the lowering (lower.ts) and the range analysis (ranges.ts). A fresh local starts at zero just as
// the original does, so the web holding a local's initial value may be renamed too — except a parameter's.
//
// Control flow follows the wasm spec's structured instructions (Core Spec §4.4.8): a branch to a block goes to
// its end, to a loop to its start; br_if falls through too; br_table, return and unreachable do not.
import binaryen from 'binaryen';
import { exprInfo } from './ir-walk.ts';

const B = binaryen;

/** For every local.get / local.set expression, its web; webs 0..params−1 are the parameters' entry webs. */
export interface LocalWebs {
  webOf: Map<number, number>;
  /** The wasm local each web came from (its type is that local's). */
  localOf: number[];
  /** The webs some read of which may see the local's entry value (0 for a non-parameter). */
  entryWebs: Set<number>;
}

type State = Map<number, Set<number>> | null; // local → reaching definition sites (−1 − local: the entry value); null: unreachable

function join(a: State, b: State): State {
  if (!a) return b && copy(b);
  if (!b) return a;
  const out = new Map([...a].map(([k, v]) => [k, new Set(v)]));
  for (const [k, s] of b) {
    const t = out.get(k);
    if (!t) out.set(k, new Set(s));
    else for (const x of s) t.add(x);
  }
  return out;
}
function copy(s: State): State {
  return s && new Map([...s].map(([k, v]) => [k, new Set(v)]));
}
function same(a: State, b: State): boolean {
  if (!a || !b) return a === b;
  if (a.size !== b.size) return false;
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t || t.size !== s.size) return false;
    for (const x of s) if (!t.has(x)) return false;
  }
  return true;
}

/** The operands of an expression in the order wasm evaluates them (not the order binaryen's info lists them). */
function operands(e: number): number[] {
  const i = exprInfo(e);
  const pick = (...ks: string[]) => ks.map((k) => i[k] as number).filter((x) => typeof x === 'number' && x !== 0);
  switch (i.id) {
    case B.StoreId: return pick('ptr', 'value');
    case B.BinaryId: return pick('left', 'right');
    case B.SelectId: return pick('ifTrue', 'ifFalse', 'condition');
    case B.CallId: return [...(i.operands as number[])];
    case B.CallIndirectId: return [...(i.operands as number[]), i.target as number];
    case B.MemoryFillId: return pick('dest', 'value', 'size');
    case B.MemoryCopyId: return pick('dest', 'source', 'size');
    case B.MemoryGrowId: return pick('delta');
    case B.LoadId: return pick('ptr');
    case B.UnaryId:
    case B.DropId:
    case B.GlobalSetId:
    case B.ReturnId:
    case B.LocalSetId: return pick('value');
    case B.ConstId:
    case B.LocalGetId:
    case B.GlobalGetId:
    case B.NopId:
    case B.UnreachableId:
    case B.MemorySizeId: return [];
    default: throw new Error(`internal: local-webs: no evaluation order for binaryen expression id ${i.id}`);
  }
}

export function localWebs(fn: { params: number[]; vars: number[]; body: number }): LocalWebs {
  const nLocals = fn.params.length + fn.vars.length;
  const sites = new Map<number, number>(); // local.set expression → site id
  const reach = new Map<number, Set<number>>(); // local.get expression → reaching sites (accumulated)
  const setLocal = new Map<number, number>();
  const getLocal = new Map<number, number>();
  const labels = new Map<string, State>(); // branch states collected per target label

  const toLabel = (name: string, s: State) => {
    if (s) labels.set(name, join(labels.get(name) ?? null, s));
  };

  const run = (e: number, s: State): State => {
    if (!e) return s;
    const i = exprInfo(e);
    switch (i.id) {
      case B.BlockId: {
        let cur = s;
        for (const c of i.children as number[]) cur = run(c, cur);
        if (i.name) {
          cur = join(cur, labels.get(i.name) ?? null);
          labels.delete(i.name);
        }
        return cur;
      }
      case B.LoopId: {
        // Iterate to a fixed point: the loop head's state is the entry joined with every branch back to it.
        let head = copy(s);
        for (;;) {
          if (i.name) labels.set(i.name, null);
          const out = run(i.body, copy(head));
          const back = i.name ? labels.get(i.name) ?? null : null;
          if (i.name) labels.delete(i.name);
          const next = join(head, back);
          if (same(next, head)) return out;
          head = next;
        }
      }
      case B.IfId: {
        const c = run(i.condition, s);
        const t = run(i.ifTrue, copy(c));
        const f = i.ifFalse ? run(i.ifFalse, copy(c)) : c;
        return join(t, f);
      }
      case B.BreakId: {
        let cur = run(i.value, s);
        cur = run(i.condition, cur);
        toLabel(i.name, cur);
        return i.condition ? cur : null;
      }
      case B.SwitchId: {
        let cur = run(i.value, s);
        cur = run(i.condition, cur);
        for (const n of new Set([...(i.names as string[]), i.defaultName as string])) toLabel(n, cur);
        return null;
      }
      case B.LocalGetId: {
        getLocal.set(e, i.index);
        const r = s?.get(i.index) ?? new Set([-1 - i.index]);
        if (!reach.has(e)) reach.set(e, new Set());
        for (const x of r) reach.get(e)!.add(x);
        return s;
      }
      case B.LocalSetId: {
        const cur = run(i.value, s);
        setLocal.set(e, i.index);
        if (!sites.has(e)) sites.set(e, sites.size);
        if (!cur) return cur;
        const out = copy(cur)!;
        out.set(i.index, new Set([sites.get(e)!]));
        return out;
      }
      case B.ReturnId: {
        run(i.value, s);
        return null;
      }
      case B.UnreachableId:
        return null;
      default: {
        let cur = s;
        for (const c of operands(e)) cur = run(c, cur);
        return cur;
      }
    }
  };
  const entry: State = new Map(Array.from({ length: nLocals }, (_, l) => [l, new Set([-1 - l])]));
  run(fn.body, entry);

  // Union-find over definition sites and entry values; a get joins all sites reaching it.
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    if (r !== x) parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  // A set's site id s is node s; local l's entry value is node −1 − l.
  for (const [, r] of reach) {
    const xs = [...r];
    for (const x of xs.slice(1)) union(xs[0]!, x);
  }
  const webOf = new Map<number, number>();
  const localOf: number[] = [];
  const id = new Map<number, number>();
  // Parameters' entry webs keep the parameter's index.
  for (let l = 0; l < fn.params.length; l++) {
    id.set(find(-1 - l), l);
    localOf[l] = l;
  }
  const webId = (node: number, local: number) => {
    const root = find(node);
    if (!id.has(root)) {
      id.set(root, localOf.length);
      localOf.push(local);
    }
    return id.get(root)!;
  };
  for (const [e, r] of reach) webOf.set(e, webId([...r][0]!, getLocal.get(e)!));
  for (const [e, s] of sites) webOf.set(e, webId(s, setLocal.get(e)!));
  const entryWebs = new Set<number>();
  for (const [e, r] of reach) if ([...r].some((x) => x < 0)) entryWebs.add(webOf.get(e)!);
  return { webOf, localOf, entryWebs };
}

/** The id lower.ts, ranges.ts and narrow.ts give a local.get/local.set: its web, or its local index without webs. */
export type LocalId = (e: number) => number;
export const byIndex: LocalId = (e) => exprInfo(e).index as number;
