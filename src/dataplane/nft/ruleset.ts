// A model of the nftables objects tandem owns (tables of counters, sets, maps and chains), how
// to print it as an `nft -f` script, and how to go from one ruleset to the next in one
// transaction that touches only what changed. The kernel applies a script atomically, so a
// packet sees either the old ruleset or the new one, never a half-updated map; and objects
// that do not change are not touched at all, so the flow maps the packet path fills (DR flows,
// persistence) keep their entries across every update.
//
// Order inside a diff matters because nft checks references as it goes: flush the chains whose
// rules change, delete elements, then maps, chains and counters (each after whatever refers to
// it), then add counters, chains, maps, elements and finally rules.

export type NftFamily = 'netdev' | 'ip' | 'ip6' | 'inet';

export interface NftCounter {
  readonly kind: 'counter';
  readonly name: string;
}

export interface NftSet {
  readonly kind: 'set' | 'map';
  readonly name: string;
  /** Declaration lines without elements (`typeof …`, `flags …`, `size …`). */
  readonly decl: readonly string[];
  /**
   * Key → value text ('' for sets). Undefined: the packet path owns the elements (dynamic
   * flow and persistence maps), so updates never touch them.
   */
  readonly elements?: ReadonlyMap<string, string>;
}

export interface NftChain {
  readonly kind: 'chain';
  readonly name: string;
  /** Base chains: `type filter hook ingress device "eth0" priority filter; policy accept;`. */
  readonly hook?: string;
  readonly rules: readonly string[];
}

export type NftObject = NftCounter | NftSet | NftChain;

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  /** In declaration order; names are unique per namespace (counters, sets/maps, chains). */
  readonly objects: readonly NftObject[];
}

export type NftRuleset = readonly NftTable[];

const tableKey = (t: { family: string; name: string }): string => `${t.family} ${t.name}`;
const space = (o: NftObject): string => (o.kind === 'map' ? 'set' : o.kind);
const objectKey = (o: NftObject): string => `${space(o)}:${o.name}`;

/**
 * A table's objects by objectKey. Kept per table object: the builder reuses unchanged services'
 * objects, and the `next` of one diff is the `prev` of the following one, so with 1,000
 * services (13,000 objects) each diff indexes one table, not two.
 */
const indexes = new WeakMap<NftTable, ReadonlyMap<string, NftObject>>();
function indexOf(t: NftTable): ReadonlyMap<string, NftObject> {
  let index = indexes.get(t);
  if (index === undefined) {
    index = new Map(t.objects.map((o) => [objectKey(o), o]));
    indexes.set(t, index);
  }
  return index;
}

function elementList(set: NftSet, keys: Iterable<string>): string {
  const items: string[] = [];
  for (const k of keys) {
    const v = set.elements?.get(k) ?? '';
    items.push(set.kind === 'map' ? `${k} : ${v}` : k);
  }
  return items.join(', ');
}

function renderObject(o: NftObject, indent: string): string[] {
  const inner = `${indent}  `;
  switch (o.kind) {
    case 'counter':
      return [`${indent}counter ${o.name} {`, `${indent}}`];
    case 'set':
    case 'map': {
      const out = [`${indent}${o.kind} ${o.name} {`, ...o.decl.map((l) => `${inner}${l}`)];
      if (o.elements !== undefined && o.elements.size > 0) {
        const items = [...o.elements].map(([k, v]) => (o.kind === 'map' ? `${k} : ${v}` : k));
        out.push(`${inner}elements = {`);
        items.forEach((item, i) => out.push(`${inner}  ${item}${i < items.length - 1 ? ',' : ''}`));
        out.push(`${inner}}`);
      }
      out.push(`${indent}}`);
      return out;
    }
    case 'chain':
      return [
        `${indent}chain ${o.name} {`,
        ...(o.hook === undefined ? [] : [`${inner}${o.hook}`]),
        ...o.rules.map((r) => `${inner}${r}`),
        `${indent}}`,
      ];
  }
}

/** The table as an nft block (`table netdev x { … }`). */
export function renderTable(t: NftTable): string {
  const lines = [`table ${t.family} ${t.name} {`];
  t.objects.forEach((o, i) => {
    if (i > 0) lines.push('');
    lines.push(...renderObject(o, '  '));
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Deletes a table whether or not it exists (`add` first makes `delete` always valid). */
function dropTable(t: { family: string; name: string }): string {
  return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n`;
}

/**
 * One transaction that removes `stale` tables (left by a crash, or of a former configuration)
 * and installs `next` from scratch, replacing any table of the same name.
 */
export function replaceScript(
  stale: readonly { family: string; name: string }[],
  next: NftRuleset,
): string {
  const wanted = new Set(next.map(tableKey));
  const parts = stale.filter((t) => !wanted.has(tableKey(t))).map(dropTable);
  for (const t of next) parts.push(dropTable(t), renderTable(t));
  return parts.join('');
}

/** One transaction that removes the tables (those that exist; others are created and removed). */
export function deleteScript(tables: readonly { family: string; name: string }[]): string {
  return tables.map(dropTable).join('');
}

/** `@name` or `goto name` / `jump name` in a rule. */
function refersTo(rule: string, name: string): boolean {
  const re = new RegExp(`(?:@|\\b(?:goto|jump) )${name.replace(/[^\w]/g, '\\$&')}(?![\\w.-])`);
  return re.test(rule);
}

function sameDecl(a: NftObject, b: NftObject): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'set' || a.kind === 'map') {
    const bd = (b as NftSet).decl;
    const dynA = a.elements === undefined;
    const dynB = (b as NftSet).elements === undefined;
    return dynA === dynB && a.decl.length === bd.length && a.decl.every((l, i) => l === bd[i]);
  }
  if (a.kind === 'chain') return a.hook === (b as NftChain).hook;
  return true;
}

function sameRules(a: NftChain, b: NftChain): boolean {
  return a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);
}

interface Phases {
  flush: string[];
  delElements: string[];
  delSets: string[];
  delChains: string[];
  delCounters: string[];
  addCounters: string[];
  addChains: string[];
  addSets: string[];
  addElements: string[];
  addRules: string[];
}

function addObject(t: NftTable, o: NftObject, ph: Phases): void {
  const at = `${t.family} ${t.name}`;
  switch (o.kind) {
    case 'counter':
      ph.addCounters.push(`add counter ${at} ${o.name}`);
      return;
    case 'set':
    case 'map': {
      const els =
        o.elements === undefined || o.elements.size === 0
          ? ''
          : ` elements = { ${elementList(o, o.elements.keys())} };`;
      ph.addSets.push(`add ${o.kind} ${at} ${o.name} { ${o.decl.join('; ')};${els} }`);
      return;
    }
    case 'chain':
      ph.addChains.push(`add chain ${at} ${o.name}${o.hook === undefined ? '' : ` { ${o.hook} }`}`);
      for (const r of o.rules) ph.addRules.push(`add rule ${at} ${o.name} ${r}`);
      return;
  }
}

function deleteObject(t: NftTable, o: NftObject, ph: Phases): void {
  const at = `${t.family} ${t.name}`;
  switch (o.kind) {
    case 'counter':
      ph.delCounters.push(`delete counter ${at} ${o.name}`);
      return;
    case 'set':
    case 'map':
      ph.delSets.push(`delete ${o.kind} ${at} ${o.name}`);
      return;
    case 'chain':
      ph.flush.push(`flush chain ${at} ${o.name}`);
      ph.delChains.push(`delete chain ${at} ${o.name}`);
      return;
  }
}

function diffElements(
  t: NftTable,
  p: NftSet,
  n: NftSet,
  replaced: ReadonlySet<string>,
  ph: Phases,
): void {
  const at = `${t.family} ${t.name}`;
  const before = p.elements ?? new Map<string, string>();
  const after = n.elements ?? new Map<string, string>();
  const gone: string[] = [];
  const added: string[] = [];
  for (const [k, v] of before) {
    const now = after.get(k);
    if (now === undefined) gone.push(k);
    else if (now !== v || [...replaced].some((name) => refersTo(v, name))) {
      gone.push(k);
      added.push(k);
    }
  }
  for (const k of after.keys()) if (!before.has(k)) added.push(k);
  if (gone.length > 0) ph.delElements.push(`delete element ${at} ${n.name} { ${gone.join(', ')} }`);
  if (added.length > 0)
    ph.addElements.push(`add element ${at} ${n.name} { ${elementList(n, added)} }`);
}

function diffTable(p: NftTable, n: NftTable, ph: Phases): void {
  const at = `${n.family} ${n.name}`;
  const before = indexOf(p);
  const after = indexOf(n);
  /** Sets/maps and chains that go away or are made anew: rules naming them must be redone. */
  const replaced = new Set<string>();
  for (const [k, o] of before) {
    const now = after.get(k);
    if (now === o) continue;
    if (now === undefined || !sameDecl(o, now)) {
      deleteObject(p, o, ph);
      if (o.kind !== 'counter') replaced.add(o.name);
    }
  }
  for (const [k, o] of after) {
    const old = before.get(k);
    // The builder reuses a service's objects while they are unchanged: nothing to compare.
    if (old === o) continue;
    if (old === undefined || !sameDecl(old, o)) {
      addObject(n, o, ph);
      continue;
    }
    if (o.kind === 'chain' && old.kind === 'chain') {
      const stale = [...replaced].some((name) => o.rules.some((r) => refersTo(r, name)));
      if (!sameRules(old, o) || stale) {
        ph.flush.push(`flush chain ${at} ${o.name}`);
        for (const r of o.rules) ph.addRules.push(`add rule ${at} ${o.name} ${r}`);
      }
    } else if ((o.kind === 'set' || o.kind === 'map') && o.elements !== undefined) {
      diffElements(n, old as NftSet, o, replaced, ph);
    }
  }
}

/**
 * The commands that turn `prev` into `next` (empty when nothing changed). Run them as one
 * transaction.
 */
export function diffRuleset(prev: NftRuleset, next: NftRuleset): string[] {
  const ph: Phases = {
    flush: [],
    delElements: [],
    delSets: [],
    delChains: [],
    delCounters: [],
    addCounters: [],
    addChains: [],
    addSets: [],
    addElements: [],
    addRules: [],
  };
  const dropped: string[] = [];
  const created: string[] = [];
  const before = new Map(prev.map((t) => [tableKey(t), t]));
  const after = new Map(next.map((t) => [tableKey(t), t]));
  for (const k of before.keys()) if (!after.has(k)) dropped.push(`delete table ${k}`);
  for (const [k, t] of after) {
    const old = before.get(k);
    if (old === undefined) created.push(renderTable(t).trimEnd());
    else diffTable(old, t, ph);
  }
  return [
    ...dropped,
    ...ph.flush,
    ...ph.delElements,
    ...ph.delSets,
    ...ph.delChains,
    ...ph.delCounters,
    ...ph.addCounters,
    ...ph.addChains,
    ...ph.addSets,
    ...ph.addElements,
    ...ph.addRules,
    ...created,
  ];
}
