// keepalived's line preprocessing (lib/parser.c; keepalived.conf(5) "Conditional
// configuration", "Parameter substitution", "Sequence blocks"), applied to decommented lines:
//   @ID line / @^ID line   keep the line only when ID is (is not) the config-id
//   $NAME=value            define a parameter (a trailing `\` continues it on the next lines)
//   $NAME, ${NAME}         substitute, recursively, at use time; undefined names stay as written
//   ~SEQ(v,start,step,end) / ~SEQx(...) / ~LST(v,a,b,...) / ~LST({v,w},{1,2},...)  repeat a line
// Built-ins: ${_PWD} ${_INSTANCE} ${_RANDOM [MIN [MAX]]} ${_HASH} ${_BANG} ${_ENV NAME}.
// Problems are reported to the sink; nothing here throws.

import type { DiagnosticSink, Source } from './diagnostics.js';
import { concat, colAt, slice, srcLine, trim, type SrcLine } from './lexer.js';

export interface PreprocessOptions {
  readonly configId: string;
  /** Uniform float in [0, 1) for ${_RANDOM}. */
  readonly random: () => number;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Preprocessor {
  readonly options: PreprocessOptions;
  readonly defs: Map<string, readonly string[]>;
  pending?: { name: string; lines: string[] };
}

export interface OutLine {
  readonly line: SrcLine;
  /** True when `@`, `$` or `~` processing produced or changed the line. */
  readonly expanded: boolean;
}

interface LineCx {
  readonly sink: DiagnosticSink;
  readonly source: Source;
  readonly lineNo: number;
  readonly dir: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const MAX_PASSES = 32;
const MAX_SEQUENCE = 100_000;

export function createPreprocessor(options: PreprocessOptions): Preprocessor {
  return { options, defs: new Map() };
}

/** Processes one decommented, trimmed, non-empty line. */
export function preprocessLine(pp: Preprocessor, line: SrcLine, cx: LineCx): OutLine[] {
  if (pp.pending !== undefined) {
    const pending = pp.pending;
    if (line.text.endsWith('\\')) pending.lines.push(line.text.slice(0, -1).trimEnd());
    else {
      pending.lines.push(line.text);
      pp.defs.set(pending.name, pending.lines);
      delete pp.pending;
    }
    return [];
  }
  const cond = conditional(pp, line);
  if (cond === undefined) return [];
  return expandLine(pp, cond.line, cond.expanded, cx);
}

function conditional(pp: Preprocessor, line: SrcLine): OutLine | undefined {
  if (!line.text.startsWith('@')) return { line, expanded: false };
  const m = /^@(\^?)(\S*)\s*/.exec(line.text);
  if (m === null) return undefined;
  const [all, negate, id] = m;
  const rest = trim(slice(line, all.length));
  if (rest.text === '') return undefined;
  const match = id === pp.options.configId;
  return match !== (negate === '^') ? { line: rest, expanded: true } : undefined;
}

function expandLine(pp: Preprocessor, line: SrcLine, expanded: boolean, cx: LineCx): OutLine[] {
  if (line.text.startsWith('$') && /^\$[A-Za-z_][A-Za-z0-9_]*=/.test(line.text)) {
    define(pp, line, cx);
    return [];
  }
  if (/^~(SEQx?|LST)\(/.test(line.text)) return sequence(pp, line, cx);
  const lines = substitute(pp, line, cx);
  const changed = lines.length !== 1 || lines[0]?.text !== line.text;
  return lines.flatMap((l) => {
    if (changed && l.text.startsWith('@')) {
      const c = conditional(pp, l);
      return c === undefined ? [] : [{ line: c.line, expanded: true }];
    }
    return l.text === '' ? [] : [{ line: l, expanded: expanded || changed }];
  });
}

function define(pp: Preprocessor, line: SrcLine, cx: LineCx): void {
  const eq = line.text.indexOf('=');
  const name = line.text.slice(1, eq);
  const value = line.text.slice(eq + 1).trim();
  if (name.startsWith('_')) {
    cx.sink.error(
      'CFG_BAD_DEFINITION',
      { source: cx.source, line: cx.lineNo, column: colAt(line, 1) },
      `'$${name}': names starting with '_' are reserved for built-in parameters`,
    );
    return;
  }
  if (value.endsWith('\\')) {
    const first = value.slice(0, -1).trim();
    pp.pending = { name, lines: first === '' ? [] : [first] };
    return;
  }
  pp.defs.set(name, [value]);
}

/** Replaces parameter references until none is left (bounded: a self-reference is an error). */
function substitute(pp: Preprocessor, line: SrcLine, cx: LineCx): SrcLine[] {
  let lines = [line];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    const next: SrcLine[] = [];
    for (const l of lines) {
      const r = substituteOnce(pp, l, cx);
      if (r !== undefined) changed = true;
      next.push(...(r ?? [l]));
    }
    lines = next;
    if (!changed) return lines;
  }
  cx.sink.error(
    'CFG_BAD_DEFINITION',
    { source: cx.source, line: cx.lineNo, column: colAt(line, 0) },
    `parameter substitution did not finish after ${MAX_PASSES} rounds: a definition refers to itself`,
  );
  return [];
}

/** One left-to-right pass; undefined when the line has no reference to replace. */
function substituteOnce(pp: Preprocessor, line: SrcLine, cx: LineCx): SrcLine[] | undefined {
  const text = line.text;
  let found = false;
  let out: SrcLine[] = [slice(line, 0, 0)];
  let last = 0;
  for (let i = text.indexOf('$'); i >= 0; i = text.indexOf('$', i + 1)) {
    const ref = reference(text, i);
    if (ref === undefined) continue;
    const value = lookup(pp, ref.name, ref.args, cx);
    if (value === undefined) continue;
    found = true;
    const col = colAt(line, i);
    const pieces = value.map((v) => ({ text: v, cols: new Array<number>(v.length).fill(col) }));
    const head = concat(
      out.pop() ?? slice(line, 0, 0),
      slice(line, last, i),
      pieces[0] ?? srcLine(''),
    );
    out = [...out, head, ...pieces.slice(1)];
    last = ref.end;
    i = ref.end - 1;
  }
  if (!found) return undefined;
  out.push(concat(out.pop() ?? slice(line, 0, 0), slice(line, last)));
  return out.map(trim);
}

function reference(
  text: string,
  i: number,
): { name: string; args: string[]; end: number } | undefined {
  if (text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    if (close < 0) return undefined;
    const [name = '', ...args] = text
      .slice(i + 2, close)
      .trim()
      .split(/\s+/);
    return NAME.test(name) ? { name, args, end: close + 1 } : undefined;
  }
  const m = NAME.exec(text.slice(i + 1));
  if (m === null) return undefined;
  const end = i + 1 + m[0].length;
  const after = text.charCodeAt(end);
  // `$NAME` must be followed by white space or the end of the line, as in keepalived.
  if (end < text.length && after !== 32 && after !== 9) return undefined;
  return { name: m[0], args: [], end };
}

function lookup(
  pp: Preprocessor,
  name: string,
  args: readonly string[],
  cx: LineCx,
): readonly string[] | undefined {
  switch (name) {
    case '_PWD':
      return [cx.dir];
    case '_INSTANCE':
      return [pp.options.configId];
    case '_HASH':
      return ['#'];
    case '_BANG':
      return ['!'];
    case '_ENV': {
      const v = args[0] === undefined ? undefined : pp.options.env[args[0]];
      return [v ?? ''];
    }
    case '_RANDOM': {
      const min = args.length > 1 ? Number(args[0]) : 0;
      const max = args.length > 1 ? Number(args[1]) : args.length === 1 ? Number(args[0]) : 32767;
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) return undefined;
      return [String(min + Math.floor(pp.options.random() * (max - min + 1)))];
    }
    default:
      return pp.defs.get(name);
  }
}

function sequence(pp: Preprocessor, line: SrcLine, cx: LineCx): OutLine[] {
  const at = { source: cx.source, line: cx.lineNo, column: colAt(line, 0) };
  const open = line.text.indexOf('(');
  const close = matchingParen(line.text, open);
  if (close < 0) {
    cx.sink.error('CFG_BAD_SEQUENCE', at, `'${line.text.slice(0, open)}(' is not closed by ')'`);
    return [];
  }
  const kind = line.text.slice(1, open);
  const inner = line.text.slice(open + 1, close);
  const rest = trim(slice(line, close + 1));
  const rounds = kind === 'LST' ? listRounds(inner) : seqRounds(inner, kind === 'SEQx');
  if (typeof rounds === 'string') {
    cx.sink.error('CFG_BAD_SEQUENCE', at, `~${kind}(${inner}): ${rounds}`);
    return [];
  }
  const out: OutLine[] = [];
  for (const round of rounds) {
    const saved = new Map<string, readonly string[] | undefined>();
    for (const [name, value] of round) {
      saved.set(name, pp.defs.get(name));
      pp.defs.set(name, [value]);
    }
    for (const l of expandLine(pp, rest, true, cx)) out.push({ ...l, expanded: true });
    for (const [name, value] of saved) {
      if (value === undefined) pp.defs.delete(name);
      else pp.defs.set(name, value);
    }
  }
  return out;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

type Rounds = [string, string][][];

function seqRounds(inner: string, hex: boolean): Rounds | string {
  const parts = inner.split(',').map((s) => s.trim());
  const [name = '', ...nums] = parts;
  if (!NAME.test(name) || nums.length < 1 || nums.length > 3) {
    return 'expected (NAME, END), (NAME, START, END) or (NAME, START, STEP, END)';
  }
  const values = nums.map(Number);
  if (values.some((v) => !Number.isInteger(v))) return 'START, STEP and END must be integers';
  const end = values[values.length - 1] ?? 0;
  const start = values.length > 1 ? (values[0] ?? 0) : end >= 1 ? 1 : -1;
  const step = values.length === 3 ? (values[1] ?? 0) : end >= start ? 1 : -1;
  if (step === 0 || (end - start) / step < 0) return 'STEP must move START towards END';
  if ((end - start) / step >= MAX_SEQUENCE) return `more than ${MAX_SEQUENCE} values`;
  const rounds: Rounds = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    rounds.push([[name, hex ? v.toString(16) : String(v)]]);
  }
  return rounds;
}

function listRounds(inner: string): Rounds | string {
  const groups = splitTop(inner);
  const [head = '', ...items] = groups;
  const names = braceList(head);
  if (names.length === 0 || names.some((n) => !NAME.test(n))) {
    return 'the first element must be a name or {NAME, NAME, ...}';
  }
  if (items.length === 0) return 'no values to iterate over';
  const rounds: Rounds = [];
  for (const item of items) {
    const values = braceList(item);
    if (values.length !== names.length) {
      return `'${item}' has ${values.length} value(s) for ${names.length} name(s)`;
    }
    rounds.push(names.map((n, i): [string, string] => [n, values[i] ?? '']));
  }
  return rounds;
}

/** Splits at commas that are not inside braces. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function braceList(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('{') && t.endsWith('}'))
    return t
      .slice(1, -1)
      .split(',')
      .map((s) => s.trim());
  return [t];
}
