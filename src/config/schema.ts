// Declarative keyword tables (house style §2) and the one interpreter that applies them.
// Each block kind has a table of keywords; a keyword has an argument syntax, a status
// (supported, a tandem extension, accepted-and-ignored, or known-but-unsupported), optional
// aliases and deprecations, and an `apply` that writes the parsed value into the block's draft.
// The interpreter reports unknown keywords (with a "did you mean"), keywords that belong to
// another block, `//` comments, misplaced braces and repeated single-valued keywords.
// The tables also generate the configuration reference (docs/config-reference.md).

import { closest } from '../lib/suggest.js';
import type { DiagnosticSink, Location, Note } from './diagnostics.js';
import type { Statement, Word } from './parser.js';

export type KeywordStatus = 'supported' | 'extension' | 'ignored' | 'unsupported';

export interface Alias {
  readonly name: string;
  /** Without a message the alias is silent (keepalived treats it as the same keyword). */
  readonly message?: string;
  readonly severity?: 'note' | 'warning';
}

export interface Cx {
  readonly sink: DiagnosticSink;
  readonly hostname: string;
  /** Interfaces present on this host; undefined when the check is not wanted. */
  readonly interfaces: ReadonlySet<string> | undefined;
}

export interface Keyword<D> {
  readonly name: string;
  readonly syntax: string;
  readonly doc: string;
  readonly status: KeywordStatus;
  readonly aliases: readonly Alias[];
  /** A message for every use (old keyword that still works, or why it is ignored). */
  readonly deprecated?: { readonly message: string; readonly severity: 'note' | 'warning' };
  readonly block: 'none' | 'required';
  /** The accepted values of a number (integers, or seconds for SECONDS), for the reference. */
  readonly range?: { readonly min: number; readonly max: number };
  /** May appear several times in one block without a "given twice" warning. */
  readonly repeatable: boolean;
  /** The block this keyword opens, for nested diagnostics and the generated reference. */
  readonly child?: BlockSpec<unknown>;
  readonly apply: (draft: D, st: Statement, cx: Cx) => void;
}

export interface BlockSpec<D> {
  /** The name shown in messages and in the reference (`vrrp_instance`, `TCP_CHECK` …). */
  readonly name: string;
  readonly doc: string;
  readonly keywords: readonly Keyword<D>[];
  readonly newDraft: () => D;
  /** For list blocks: a statement whose first word is not a keyword is an item. */
  readonly item?: {
    readonly syntax: string;
    readonly apply: (draft: D, st: Statement, cx: Cx) => void;
  };
}

type KeywordInit<D> = Pick<Keyword<D>, 'name' | 'syntax' | 'doc' | 'apply'> &
  Partial<Omit<Keyword<D>, 'name' | 'syntax' | 'doc' | 'apply'>>;

export function keyword<D>(init: KeywordInit<D>): Keyword<D> {
  return {
    status: 'supported',
    aliases: [],
    block: init.child === undefined ? 'none' : 'required',
    repeatable: init.child !== undefined,
    ...init,
  };
}

/** A keyword that opens a block: the child draft is built, then handed to `finish`. */
export function blockKeyword<D, C>(
  init: Omit<KeywordInit<D>, 'apply' | 'child'> & {
    readonly child: BlockSpec<C>;
    readonly finish: (draft: D, child: C, st: Statement, cx: Cx) => void;
  },
): Keyword<D> {
  const { child, finish, ...rest } = init;
  return keyword<D>({
    ...rest,
    child: child as BlockSpec<unknown>,
    apply: (draft, st, cx) => {
      const c = child.newDraft();
      applyBlock(child, c, st.block?.body ?? [], cx, { owner: st });
      finish(draft, c, st, cx);
    },
  });
}

/** A keepalived keyword tandem accepts and ignores (it has no effect on what tandem does). */
export function ignored<D>(name: string, syntax: string, doc: string, why: string): Keyword<D> {
  return keyword<D>({
    name,
    syntax,
    doc,
    status: 'ignored',
    repeatable: true,
    deprecated: { message: why, severity: 'note' },
    apply: () => undefined,
  });
}

/** A keepalived keyword tandem knows but does not implement: a warning, never an error. */
export function unsupported<D>(
  name: string,
  syntax: string,
  doc: string,
  block = false,
): Keyword<D> {
  return keyword<D>({
    name,
    syntax,
    doc,
    status: 'unsupported',
    repeatable: true,
    block: block ? 'required' : 'none',
    deprecated: {
      message: `'${name}' is a keepalived feature that tandem does not implement; it is ignored`,
      severity: 'warning',
    },
    apply: () => undefined,
  });
}

/** Registry of every block spec, for "belongs in another block" diagnostics. */
const registry: BlockSpec<unknown>[] = [];

export function registerBlock<D>(spec: BlockSpec<D>): BlockSpec<D> {
  registry.push(spec as BlockSpec<unknown>);
  return spec;
}

export function allBlocks(): readonly BlockSpec<unknown>[] {
  return registry;
}

interface Home {
  readonly spec: BlockSpec<unknown>;
  readonly keyword: Keyword<unknown>;
}

function homesOf(name: string, except: BlockSpec<unknown>): Home[] {
  const homes: Home[] = [];
  for (const spec of registry) {
    if (spec === except) continue;
    for (const k of spec.keywords) {
      if (k.name === name || k.aliases.some((a) => a.name === name))
        homes.push({ spec, keyword: k });
    }
  }
  return homes;
}

/** True when `outer` can contain a `name` block, at any depth. */
export function canContain(outer: BlockSpec<unknown>, name: string, depth = 0): boolean {
  if (depth > 8) return false;
  return outer.keywords.some(
    (k) => k.child !== undefined && (k.child.name === name || canContain(k.child, name, depth + 1)),
  );
}

interface Lookup<D> {
  readonly keyword: Keyword<D>;
  readonly alias?: Alias;
}

const lookups = new WeakMap<object, Map<string, Lookup<unknown>>>();

function lookupTable<D>(spec: BlockSpec<D>): Map<string, Lookup<D>> {
  let table = lookups.get(spec) as Map<string, Lookup<D>> | undefined;
  if (table === undefined) {
    table = new Map();
    for (const k of spec.keywords) {
      table.set(k.name, { keyword: k });
      for (const a of k.aliases) table.set(a.name, { keyword: k, alias: a });
    }
    lookups.set(spec, table as Map<string, Lookup<unknown>>);
  }
  return table;
}

export interface ApplyContext {
  /** The enclosing block's statement, for messages (undefined at the top level). */
  readonly owner?: Statement;
  /** A note added to "belongs in another block" errors (set by the top level). */
  readonly misplacedHint?: (st: Statement, homes: readonly string[]) => Note | undefined;
}

/** Applies a block's statements to its draft, reporting every problem. */
export function applyBlock<D>(
  spec: BlockSpec<D>,
  draft: D,
  body: readonly Statement[],
  cx: Cx,
  ax: ApplyContext = {},
): void {
  const table = lookupTable(spec);
  // Keywords given so far and where; a short list, not a Map: most blocks have a few
  // statements, and a large config has tens of thousands of blocks.
  const seenKeywords: Keyword<D>[] = [];
  const seenWords: Word[] = [];
  for (const st of body) {
    if (st.anonymous) continue;
    const word = st.keyword;
    const found = word.quoted ? undefined : table.get(word.text);
    if (found === undefined) {
      if (spec.item !== undefined) {
        if (!checkBlock(st, false, cx)) continue;
        spec.item.apply(draft, st, cx);
        continue;
      }
      unknownKeyword(spec, st, cx, ax);
      continue;
    }
    const k = found.keyword;
    if (found.alias?.message !== undefined) {
      report(cx, found.alias.severity ?? 'note', 'CFG_DEPRECATED', word.at, found.alias.message);
    }
    if (k.deprecated !== undefined) {
      const code =
        k.status === 'unsupported'
          ? 'CFG_UNSUPPORTED'
          : k.status === 'ignored'
            ? 'CFG_IGNORED'
            : 'CFG_DEPRECATED';
      report(cx, k.deprecated.severity, code, word.at, k.deprecated.message);
    }
    if (!checkBlock(st, k.block === 'required', cx)) continue;
    const index = seenKeywords.indexOf(k);
    const previous = index < 0 ? undefined : seenWords[index];
    if (previous !== undefined && !k.repeatable) {
      cx.sink.warning(
        'CFG_DUPLICATE_KEYWORD',
        word.at,
        `'${k.name}' is given again in this ${spec.name} block; this later value replaces the earlier one`,
        [{ at: previous.at, message: `'${k.name}' was first given here` }],
      );
    }
    if (index < 0) {
      seenKeywords.push(k);
      seenWords.push(word);
    } else seenWords[index] = word;
    k.apply(draft, st, cx);
  }
}

function report(
  cx: Cx,
  severity: 'note' | 'warning',
  code: 'CFG_DEPRECATED' | 'CFG_IGNORED' | 'CFG_UNSUPPORTED',
  at: Location,
  message: string,
): void {
  if (severity === 'note') cx.sink.note(code, at, message);
  else cx.sink.warning(code, at, message);
}

/** Block presence must match the keyword; false when the statement is to be skipped. */
function checkBlock(st: Statement, wantsBlock: boolean, cx: Cx): boolean {
  const name = st.keyword.text;
  if (wantsBlock && st.block === undefined) {
    cx.sink.error(
      'CFG_MISSING_OPEN_BRACE',
      st.keyword.at,
      `'${name}' opens a block: '{' is missing after it`,
    );
    return false;
  }
  if (!wantsBlock && st.block !== undefined) {
    cx.sink.error(
      'CFG_UNEXPECTED_BLOCK',
      st.block.open,
      `'${name}' does not take a block; the block that follows it is ignored`,
    );
    return false;
  }
  return true;
}

function unknownKeyword<D>(spec: BlockSpec<D>, st: Statement, cx: Cx, ax: ApplyContext): void {
  const word = st.keyword;
  if (word.text.startsWith('//') || word.text.startsWith('/*')) {
    cx.sink.error(
      'CFG_SLASH_COMMENT',
      word.at,
      `'${word.text.slice(0, 2)}' does not start a comment in keepalived.conf; use '#' or '!' (this line is read as the unknown keyword '${word.text}')`,
    );
    return;
  }
  const homes = homesOf(word.text, spec as BlockSpec<unknown>);
  if (homes.length > 0) {
    const names = [...new Set(homes.map((h) => h.spec.name))];
    const where = ax.owner === undefined ? 'at the top level' : `in a ${spec.name} block`;
    const hint = ax.misplacedHint?.(st, names);
    cx.sink.error(
      'CFG_MISPLACED_KEYWORD',
      word.at,
      `'${word.text}' is not allowed ${where}; it belongs in ${names.map((h) => `'${h}'`).join(' or ')} (it is ignored here)`,
      hint === undefined ? [] : [hint],
    );
    // Still read a misplaced block's content, so that problems inside it are reported too.
    const child = homes.length === 1 ? homes[0]?.keyword.child : undefined;
    if (child !== undefined && st.block !== undefined) {
      applyBlock(child, child.newDraft(), st.block.body, cx, { owner: st });
    }
    return;
  }
  const candidates = spec.keywords.flatMap((k) => [k.name, ...k.aliases.map((a) => a.name)]);
  const guess = closest(word.text, candidates);
  cx.sink.error(
    'CFG_UNKNOWN_KEYWORD',
    word.at,
    `unknown keyword '${word.text}' in ${ax.owner === undefined ? 'the top level' : `${spec.name} block`}${
      guess === undefined ? '' : `; did you mean '${guess}'?`
    }`,
  );
}
